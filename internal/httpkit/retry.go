package httpkit

import (
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Retry bounds the retries of a Client. The zero Retry makes no retries.
type Retry struct {
	// MaxRetries is how many times a request is sent again after its first attempt.
	MaxRetries int
	// Backoff is the wait before the first retry when the server gives none; it doubles for
	// each further retry, with ±10% jitter.
	Backoff time.Duration
	// MaxWait caps one wait. A server asking for longer (Retry-After, a rate-limit reset) ends
	// the retries; 0 means no cap.
	MaxWait time.Duration
}

// backoff is the wait before retry number retry (1-based) when the server gave no hint.
func (r Retry) backoff(retry int) time.Duration {
	d := r.Backoff
	for i := 1; i < retry && (r.MaxWait <= 0 || d < r.MaxWait); i++ {
		d *= 2
	}
	if d > 0 {
		d += time.Duration(rand.Int64N(int64(d)/5+1)) - d/10
	}
	if r.MaxWait > 0 {
		d = min(d, r.MaxWait)
	}
	return max(d, 0)
}

// tooLong reports whether a server-requested wait exceeds the cap.
func (r Retry) tooLong(d time.Duration) bool { return r.MaxWait > 0 && d > r.MaxWait }

// idempotent reports whether a request with method may be sent again after it may have
// reached the server. Only reads are: a repeated PUT or PATCH is harmless by the HTTP spec,
// but these APIs do not promise it, and a repeated POST can queue a second run.
func idempotent(method string) bool {
	return method == http.MethodGet || method == http.MethodHead
}

// retryableStatus reports whether an answer to a read may succeed later.
func retryableStatus(resp *http.Response) bool {
	switch code := resp.StatusCode; {
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests:
		return true
	case code >= 500:
		return code != http.StatusNotImplemented && code != http.StatusHTTPVersionNotSupported
	case code == http.StatusForbidden:
		// GitHub signals rate limits with 403 and these headers.
		return resp.Header.Get("Retry-After") != "" || resp.Header.Get("X-RateLimit-Remaining") == "0"
	}
	return false
}

// serverDelay is the wait the server asks for: Retry-After (seconds or an HTTP date), or the
// rate-limit reset time, plus a second for clock differences, when no requests remain.
func serverDelay(h http.Header, now time.Time) (time.Duration, bool) {
	if v := h.Get("Retry-After"); v != "" {
		if secs, err := strconv.Atoi(v); err == nil {
			return time.Duration(max(secs, 0)) * time.Second, true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(time.Unix(reset, 0).Sub(now), 0) + time.Second, true
		}
	}
	return 0, false
}

// neverSent reports whether a transport error happened before the request could reach the
// server: the connection was refused or could not be made.
func neverSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
