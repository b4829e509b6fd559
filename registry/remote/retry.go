package remote

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"oras.land/oras-go/v2/registry/remote/retry"
)

// newRetryPolicy builds the policy the client's retry.Transport uses: oras's GenericPolicy
// with our predicate, a backoff that honours Retry-After on 429 and 5xx (oras's own reads it
// on 429 only, in seconds only), and MaxWait as the cap on any single wait. Every retry is
// counted in st. oras's retry.Transport waits on a timer that the request's context cancels,
// so every wait ends with the context.
func newRetryPolicy(o *options, st *stats, log *slog.Logger) retry.Policy {
	return &countingPolicy{
		Policy: &retry.GenericPolicy{
			Retryable: retryable,
			Backoff:   backoff(o.backoff, time.Now),
			MinWait:   0,
			MaxWait:   o.maxRetryWait,
			MaxRetry:  o.maxRetries,
		},
		stats: st,
		log:   log,
	}
}

// countingPolicy records the retries its Policy decides on.
type countingPolicy struct {
	retry.Policy
	stats *stats
	log   *slog.Logger
}

func (p *countingPolicy) Retry(attempt int, resp *http.Response, err error) (time.Duration, error) {
	wait, perr := p.Policy.Retry(attempt, resp, err)
	if perr == nil && wait >= 0 {
		p.stats.retried(wait)
		args := []any{"attempt", attempt + 1, "wait", wait}
		if resp != nil {
			args = append(args, "status", resp.StatusCode)
			if resp.Request != nil {
				args = append(args, "method", resp.Request.Method, "host", resp.Request.URL.Host, "path", resp.Request.URL.Path)
			}
		} else if err != nil {
			args = append(args, "error", err.Error())
		}
		p.log.Debug("registry request will be retried", args...)
	}
	return wait, perr
}

// retryable decides whether an attempt is worth repeating: 408, 429 and 5xx responses
// (except 501 and 505, which a repeat cannot fix), per-attempt timeouts, dial timeouts, and
// connections the server reset or closed before answering. 401, 403 and 404 are final.
func retryable(resp *http.Response, err error) (bool, error) {
	if err != nil {
		var te *timeoutError
		var ne net.Error
		switch {
		case errors.As(err, &te):
			return true, nil
		case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
			errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return true, nil
		case errors.As(err, &ne) && ne.Timeout():
			return true, nil
		}
		return false, err
	}
	switch code := resp.StatusCode; {
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests:
		return true, nil
	case code == http.StatusNotImplemented, code == http.StatusHTTPVersionNotSupported:
		return false, nil
	case code >= 500:
		return true, nil
	}
	return false, nil
}

// backoff returns the wait before the next attempt: what Retry-After asks for on a 429 or
// 5xx response (seconds or an HTTP date), else base·2^attempt with ±10 % jitter.
func backoff(base time.Duration, now func() time.Time) retry.Backoff {
	exp := retry.ExponentialBackoff(base, 2, 0.1)
	return func(attempt int, resp *http.Response) time.Duration {
		if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500) {
			if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now()); ok {
				return d
			}
		}
		if base == 0 {
			return 0
		}
		return exp(attempt, nil)
	}
}

// maxRetryAfterSeconds keeps absurd Retry-After values from overflowing a time.Duration; the
// policy's MaxWait caps the wait long before this.
const maxRetryAfterSeconds = 1 << 30

// parseRetryAfter parses a Retry-After value: delay seconds or an HTTP date (RFC 9110 10.2.3).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		secs = min(secs, maxRetryAfterSeconds)
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
