package remote

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"

	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"

	"github.com/baseflow/baseflow/registry"
)

// statusError turns a non-200 response into a *registry.Error whose cause is oras's
// *errcode.ErrorResponse, with the registry's error codes when the body had them.
func statusError(method string, r registry.Ref, resp *http.Response) error {
	er := &errcode.ErrorResponse{Method: method, URL: resp.Request.URL, StatusCode: resp.StatusCode}
	if method != http.MethodHead {
		var body struct {
			Errors errcode.Errors `json:"errors"`
		}
		if json.NewDecoder(io.LimitReader(resp.Body, 8<<10)).Decode(&body) == nil {
			er.Errors = body.Errors
		}
	}
	drain(resp.Body)
	e := &registry.Error{Ref: r.String(), Op: method, StatusCode: resp.StatusCode,
		Kind: registry.KindForStatus(resp.StatusCode), Err: er}
	if h := resp.Request.URL.Host; h != apiHost(r.Domain) {
		e.Host = h
	}
	return e
}

// transportError turns a failure without a registry response into a *registry.Error: the
// caller's context ending, a token endpoint refusing (its status decides the kind), missing
// credentials, or a network failure.
func (c *Client) transportError(ctx context.Context, method string, r registry.Ref, err error) error {
	e := &registry.Error{Ref: r.String(), Op: method, Kind: registry.Other, Err: err}
	var er *errcode.ErrorResponse
	var ne net.Error
	var be *bodyError
	switch {
	case ctx.Err() != nil:
		e.Kind, e.Err = registry.Canceled, context.Cause(ctx)
	case errors.As(err, &er):
		e.Kind, e.StatusCode = registry.KindForStatus(er.StatusCode), er.StatusCode
		if er.URL != nil && er.URL.Host != apiHost(r.Domain) {
			e.Host = er.URL.Host
		}
	case errors.Is(err, auth.ErrBasicCredentialNotFound):
		e.Kind = registry.Unauthorized
	case errors.As(err, &be), errors.As(err, &ne), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED):
		e.Kind = registry.Network
	}
	return e
}
