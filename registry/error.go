package registry

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Kind classifies a resolution failure so that callers can branch on it.
type Kind int

// The kinds of failure. Unauthorized, Forbidden, NotFound and InvalidReference are permanent:
// the network resolver does not retry them.
const (
	// Other is a failure that fits no other kind.
	Other Kind = iota
	// InvalidReference means the reference does not follow the reference grammar.
	InvalidReference
	// NotFound means the repository, tag or digest does not exist (HTTP 404).
	NotFound
	// Unauthorized means credentials are missing or wrong (HTTP 401).
	Unauthorized
	// Forbidden means the credentials do not grant pull access (HTTP 403).
	Forbidden
	// RateLimited means the registry kept answering 429 Too Many Requests.
	RateLimited
	// Unavailable means the registry kept answering with a server error (HTTP 5xx).
	Unavailable
	// Network means the registry could not be reached or a response did not arrive in time.
	Network
	// InvalidResponse means the registry answered something unusable: a digest that does not
	// match the content, a manifest that does not parse.
	InvalidResponse
	// PlatformNotFound means the manifest has no entry for the requested platform.
	PlatformNotFound
	// Canceled means the caller's context was canceled or its deadline passed.
	Canceled
	// AmbiguousPlatform means the index lists several manifests for the requested platform
	// that differ in os.version, and the request named none (see SelectPlatform).
	AmbiguousPlatform
)

var kindNames = [...]string{
	Other:             "error",
	InvalidReference:  "invalid reference",
	NotFound:          "not found",
	Unauthorized:      "unauthorized",
	Forbidden:         "forbidden",
	RateLimited:       "rate limited",
	Unavailable:       "unavailable",
	Network:           "network error",
	InvalidResponse:   "invalid response",
	PlatformNotFound:  "no manifest for platform",
	Canceled:          "canceled",
	AmbiguousPlatform: "ambiguous platform",
}

// String returns the kind as it appears in error messages, "not found".
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// KindForStatus returns the kind of an HTTP error status: 404 is NotFound, 429 RateLimited,
// 5xx Unavailable (except 501 and 505, which waiting does not cure), and so on.
func KindForStatus(status int) Kind {
	switch {
	case status == http.StatusNotImplemented, status == http.StatusHTTPVersionNotSupported:
		return Other
	case status == http.StatusNotFound:
		return NotFound
	case status == http.StatusUnauthorized:
		return Unauthorized
	case status == http.StatusForbidden:
		return Forbidden
	case status == http.StatusTooManyRequests:
		return RateLimited
	case status >= 500:
		return Unavailable
	}
	return Other
}

// Error is a failed resolution: which reference, which operation, and why.
//
// Its message reads "registry: HEAD docker.io/library/alpine:3.20: not found (404)". When
// StatusCode is zero the cause is appended, since the kind alone does not explain it.
// Messages never carry credentials or tokens.
type Error struct {
	// Ref is the reference that was looked up, normalized when it parsed.
	Ref string
	// Op is the operation that failed: an HTTP method ("HEAD", "GET"), "parse" or "lookup".
	Op string
	// StatusCode is the HTTP status of the failing response, 0 when there was none.
	StatusCode int
	// Kind classifies the failure.
	Kind Kind
	// Host is the host that answered with StatusCode when it is not the reference's registry
	// (a host the registry redirected to, a token realm), else empty.
	Host string
	// Err is the underlying cause, if any.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	msg := "registry: " + e.Op + " " + e.Ref + ": " + e.Kind.String()
	if e.StatusCode != 0 {
		msg = fmt.Sprintf("%s (%d)", msg, e.StatusCode)
		if e.Host != "" {
			msg += " from " + e.Host
		}
		return msg
	}
	if e.Err != nil {
		// A cause that is itself a registry error for the same operation says it all; one for
		// another says its part without repeating "registry: ".
		var inner *Error
		if errors.As(e.Err, &inner) && inner.Op == e.Op && inner.Kind == e.Kind {
			return e.Err.Error()
		}
		msg += ": " + strings.TrimPrefix(e.Err.Error(), "registry: ")
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether trying again later may succeed: rate limits, server errors,
// network failures and timeouts.
func (e *Error) Temporary() bool {
	switch e.Kind {
	case RateLimited, Unavailable, Network:
		return true
	}
	return false
}

// KindOf returns the Kind of the first *Error in err's chain, Other when there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Other
}
