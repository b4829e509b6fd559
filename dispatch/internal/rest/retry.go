package rest

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Retry bounds the retries of GET requests. The zero Retry uses the defaults below.
type Retry struct {
	// Attempts is the total number of tries; 0 means 4.
	Attempts int
	// MinDelay is the first backoff; it doubles on each retry up to MaxDelay.
	// 0 means 500ms and 15s.
	MinDelay, MaxDelay time.Duration
	// MaxRetryAfter is the longest server-requested wait (Retry-After, rate-limit reset)
	// honoured; a longer one ends the retries. 0 means one minute.
	MaxRetryAfter time.Duration
}

func (r Retry) attempts() int {
	if r.Attempts <= 0 {
		return 4
	}
	return r.Attempts
}

func (r Retry) maxRetryAfter() time.Duration {
	if r.MaxRetryAfter <= 0 {
		return time.Minute
	}
	return r.MaxRetryAfter
}

// backoff is the wait before retry number attempt (1-based): exponential, capped, with
// jitter in its upper half so that clients spread out.
func (r Retry) backoff(attempt int) time.Duration {
	lo, hi := r.MinDelay, r.MaxDelay
	if lo <= 0 {
		lo = 500 * time.Millisecond
	}
	if hi <= 0 {
		hi = 15 * time.Second
	}
	d := lo
	for i := 1; i < attempt && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return d/2 + rand.N(d/2+1)
}

// retryableStatus reports whether a GET answered with resp may succeed later.
func retryableStatus(resp *http.Response) bool {
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	case http.StatusForbidden:
		// GitHub signals rate limits with 403 and these headers.
		return resp.Header.Get("Retry-After") != "" || resp.Header.Get("X-RateLimit-Remaining") == "0"
	}
	return false
}

// serverDelay is the wait the server asks for: Retry-After (seconds or an HTTP date), or
// the rate-limit reset time when no requests remain.
func serverDelay(h http.Header, now time.Time) (time.Duration, bool) {
	if v := h.Get("Retry-After"); v != "" {
		if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
			return time.Duration(secs) * time.Second, true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(time.Unix(reset, 0).Sub(now), 0), true
		}
	}
	return 0, false
}
