package registry_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/registry"
)

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *registry.Error
		want string
	}{
		{&registry.Error{Ref: "docker.io/library/alpine:3.20", Op: "HEAD", StatusCode: 404, Kind: registry.NotFound, Err: errors.New("detail")},
			"registry: HEAD docker.io/library/alpine:3.20: not found (404)"},
		{&registry.Error{Ref: "docker.io/library/alpine:3.20", Op: "HEAD", StatusCode: 429, Kind: registry.RateLimited},
			"registry: HEAD docker.io/library/alpine:3.20: rate limited (429)"},
		{&registry.Error{Ref: "x.io/a:b", Op: "GET", Kind: registry.Network, Err: errors.New("connection refused")},
			"registry: GET x.io/a:b: network error: connection refused"},
		{&registry.Error{Ref: "Alpine", Op: "parse", Kind: registry.InvalidReference},
			"registry: parse Alpine: invalid reference"},
		// A mirror rewrite that fails to parse, wrapped by the lookup: the text once.
		{&registry.Error{Ref: "debian:-slim", Op: "parse", Kind: registry.InvalidReference,
			Err: &registry.Error{Ref: "debian:-slim", Op: "parse", Kind: registry.InvalidReference, Err: errors.New("invalid reference format")}},
			"registry: parse debian:-slim: invalid reference: invalid reference format"},
		{&registry.Error{Ref: "x.io/a:b", Op: "lookup", Kind: registry.Canceled,
			Err: &registry.Error{Ref: "x.io/a:b", Op: "HEAD", Kind: registry.Network, Err: errors.New("connection refused")}},
			"registry: lookup x.io/a:b: canceled: HEAD x.io/a:b: network error: connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

func TestErrorAsAndKindOf(t *testing.T) {
	t.Parallel()
	cause := context.DeadlineExceeded
	err := fmt.Errorf("checking base: %w", &registry.Error{Ref: "r", Op: "HEAD", Kind: registry.Canceled, Err: cause})
	var re *registry.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, registry.Canceled, re.Kind)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, registry.Canceled, registry.KindOf(err))
	assert.Equal(t, registry.Other, registry.KindOf(errors.New("plain")))
}

func TestKindForStatus(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]registry.Kind{
		400: registry.Other, 401: registry.Unauthorized, 403: registry.Forbidden, 404: registry.NotFound,
		429: registry.RateLimited, 500: registry.Unavailable, 501: registry.Other, 502: registry.Unavailable,
		503: registry.Unavailable, 505: registry.Other,
	} {
		assert.Equal(t, want, registry.KindForStatus(status), "status %d", status)
	}
}

func TestErrorTemporary(t *testing.T) {
	t.Parallel()
	for kind, want := range map[registry.Kind]bool{
		registry.RateLimited: true, registry.Unavailable: true, registry.Network: true,
		registry.NotFound: false, registry.Unauthorized: false, registry.Forbidden: false, registry.InvalidResponse: false,
	} {
		assert.Equal(t, want, (&registry.Error{Kind: kind}).Temporary(), kind.String())
	}
}
