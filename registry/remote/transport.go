package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/baseflow/baseflow/registry"
)

// Stats counts what a Client sent, for reports, tests and benchmarks.
type Stats struct {
	// Requests counts registry API requests (paths under /v2/) that got a response, by HTTP
	// method. Each attempt counts, including authentication challenges and retried ones.
	Requests map[string]int
	// TokenRequests counts requests to token endpoints that got a response.
	TokenRequests int
	// Failed counts attempts that got no response: connection errors, timeouts.
	Failed int
	// Retries counts the attempts that were repeated, RetryWait the total time the client
	// decided to wait before repeating them.
	Retries   int
	RetryWait time.Duration
	// RateLimit is the last pull budget a registry reported (see registry.ParseRateLimit), and
	// RateLimitHost the host that reported it; both are zero when none did.
	RateLimit     registry.RateLimit
	RateLimitHost string
}

// stats is the concurrency-safe accumulator behind Stats.
type stats struct {
	mu sync.Mutex
	s  Stats
}

func (st *stats) snapshot() Stats {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.s
	s.Requests = make(map[string]int, len(st.s.Requests))
	for k, v := range st.s.Requests {
		s.Requests[k] = v
	}
	return s
}

func (st *stats) retried(wait time.Duration) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.s.Retries++
	st.s.RetryWait += wait
}

func (st *stats) record(req *http.Request, resp *http.Response, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	switch {
	case err != nil:
		st.s.Failed++
	case !strings.HasPrefix(req.URL.Path, "/v2/"):
		st.s.TokenRequests++
	default:
		if st.s.Requests == nil {
			st.s.Requests = make(map[string]int)
		}
		st.s.Requests[req.Method]++
		if rl, ok := registry.ParseRateLimit(resp.Header); ok {
			st.s.RateLimit, st.s.RateLimitHost = rl, req.URL.Host
		}
	}
}

// countingTransport records every attempt in stats.
type countingTransport struct {
	base  http.RoundTripper
	stats *stats
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	t.stats.record(req, resp, err)
	return resp, err
}

// timeoutError is a per-attempt timeout. It is a net.Error whose Timeout is true.
type timeoutError struct{ after time.Duration }

func (e *timeoutError) Error() string {
	return fmt.Sprintf("no complete response within %v", e.after)
}
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }

var errAttemptTimeout = errors.New("attempt timed out")

// timeoutTransport bounds one attempt, from sending the request to reading the end of the
// response body, without bounding the caller's whole operation.
type timeoutTransport struct {
	base    http.RoundTripper
	timeout time.Duration
}

func (t *timeoutTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.timeout <= 0 {
		return t.base.RoundTrip(req)
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	timer := time.AfterFunc(t.timeout, func() { cancel(errAttemptTimeout) })
	stop := func() {
		timer.Stop()
		cancel(nil)
	}
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		timedOut := context.Cause(ctx) == errAttemptTimeout && req.Context().Err() == nil
		stop()
		if timedOut {
			return nil, &timeoutError{after: t.timeout}
		}
		return nil, err
	}
	resp.Body = &timeoutBody{ReadCloser: resp.Body, ctx: ctx, parent: req.Context(), stop: stop, after: t.timeout}
	return resp, nil
}

// timeoutBody ends the attempt's timer when the body is closed, and reports a read cut short
// by the timer as a timeoutError.
type timeoutBody struct {
	io.ReadCloser
	ctx    context.Context
	parent context.Context
	stop   func()
	after  time.Duration
}

func (b *timeoutBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && context.Cause(b.ctx) == errAttemptTimeout && b.parent.Err() == nil {
		err = &timeoutError{after: b.after}
	}
	return n, err
}

func (b *timeoutBody) Close() error {
	defer b.stop()
	return b.ReadCloser.Close()
}
