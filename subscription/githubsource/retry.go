package githubsource

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// retryPolicy decides whether and when a failed GET is sent again.
type retryPolicy struct {
	maxRetries     int
	initialBackoff time.Duration
	maxWait        time.Duration
}

// backoff is the wait before retry number attempt+1 when the server gave no hint: the initial
// backoff doubled for each earlier retry, at most maxWait.
func (p retryPolicy) backoff(attempt int) time.Duration {
	d := p.initialBackoff
	for range attempt {
		d *= 2
		if d >= p.maxWait {
			return p.maxWait
		}
	}
	return min(d, p.maxWait)
}

// decide says whether the answer resp to attempt (0 for the first request) is retried, and
// after how long. 429 and 5xx answers are retried, and so is a 403 that is a rate limit (no
// requests left, or a Retry-After). The wait is Retry-After when given, else the rate limit
// reset time when no requests are left, else the backoff; a wait over maxWait is not retried.
func (p retryPolicy) decide(attempt int, resp *http.Response, now time.Time) (time.Duration, bool) {
	if attempt >= p.maxRetries {
		return 0, false
	}
	h := resp.Header
	exhausted := h.Get("X-RateLimit-Remaining") == "0"
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests,
		code >= 500 && code != http.StatusNotImplemented && code != http.StatusHTTPVersionNotSupported:
	case code == http.StatusForbidden && (exhausted || h.Get("Retry-After") != ""):
	default:
		return 0, false
	}
	wait, ok := retryAfter(h.Get("Retry-After"), now)
	if !ok && exhausted {
		wait, ok = rateLimitReset(h.Get("X-RateLimit-Reset"), now)
	}
	if !ok {
		wait = p.backoff(attempt)
	}
	return wait, wait <= p.maxWait
}

// retryAfter parses a Retry-After value: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(secs, 0)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// rateLimitReset is the wait until X-RateLimit-Reset (Unix seconds), plus a second for clock
// differences.
func rateLimitReset(v string, now time.Time) (time.Duration, bool) {
	secs, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, false
	}
	return max(time.Unix(secs, 0).Sub(now), 0) + time.Second, true
}

// sleepContext waits for d or until ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
