// Package cleartext decides whether an API URL may be used without TLS: the token of every
// request would cross the network readable by anyone on the path, so plain http is refused
// except to a loopback host (a local fake, a proxy on the same machine).
package cleartext

import (
	"errors"
	"net"
	"net/url"
	"strings"
)

// ErrPlainHTTP reports an http:// URL to a host that is not a loopback host.
var ErrPlainHTTP = errors.New("plain http would send the token in clear text; use https (http is accepted only for localhost and loopback addresses)")

// Check returns ErrPlainHTTP when u is an http URL whose host is not loopback: "localhost",
// a name under ".localhost" (RFC 6761), or an address in 127.0.0.0/8 or ::1. Other schemes
// are the caller's to check.
func Check(u *url.URL) error {
	if !strings.EqualFold(u.Scheme, "http") || IsLoopback(u.Hostname()) {
		return nil
	}
	return ErrPlainHTTP
}

// IsLoopback reports whether host (without port) names this machine for certain.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
