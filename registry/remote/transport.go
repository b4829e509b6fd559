package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
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
	// Challenges counts the registry API requests answered 401 Unauthorized: the challenges
	// that sent the client for a token (one per registry host when tokens work), and refusals.
	// They are also counted in Requests.
	Challenges int
	// TokenRequests counts requests to token endpoints that got a response.
	TokenRequests int
	// Failed counts attempts that got no response: connection errors, timeouts. The HTTPS
	// attempt that finds a loopback registry speaking plain HTTP is not a failure.
	Failed int
	// Retries counts the attempts that were repeated, RetryWait the total time the client
	// decided to wait before repeating them.
	Retries   int
	RetryWait time.Duration
	// RateLimit is the last pull budget a registry reported (see registry.ParseRateLimit), and
	// RateLimitHost the host that reported it; both are zero when none did.
	RateLimit     registry.RateLimit
	RateLimitHost string
	// Warnings lists what registries did that the client worked around at a cost, once per
	// host and kind, in the order first met.
	Warnings []Warning
}

// WarningKind names a registry behaviour the client works around.
type WarningKind int

const (
	// HeadRefused: the registry answers manifest HEAD requests with 405 or 501; lookups on
	// it GET the manifest instead (a pull, on Docker Hub).
	HeadRefused WarningKind = iota + 1
	// HeadNotFound: the registry answered a manifest HEAD with 404 where a GET found the
	// manifest.
	HeadNotFound
	// NoDigestHeader: the registry (or a proxy before it) sends no Docker-Content-Digest;
	// lookups on it GET the manifest and hash it.
	NoDigestHeader
)

// Warning is one registry behaviour met during a run.
type Warning struct {
	// Host is the registry host, "harbor.example.com" or "127.0.0.1:5000".
	Host string
	Kind WarningKind
	// Lookups is how many lookups it cost a GET.
	Lookups int
}

// String describes the behaviour, "refuses manifest HEAD requests (405/501): looked up with GET".
func (k WarningKind) String() string {
	switch k {
	case HeadRefused:
		return "refuses manifest HEAD requests (405/501): looked up with GET"
	case HeadNotFound:
		return "answered manifest HEAD with 404 where GET found the manifest: looked up with GET"
	case NoDigestHeader:
		return "sends no Docker-Content-Digest header: looked up with GET"
	}
	return fmt.Sprintf("warning(%d)", int(k))
}

// String returns the warning as a report line names it: "registry HOST refuses manifest
// HEAD requests (405/501): looked up with GET (3 lookups; a GET is a pull on Docker Hub)".
func (w Warning) String() string {
	return fmt.Sprintf("registry %s %s (%d lookups; a GET is a pull on Docker Hub)", w.Host, w.Kind, w.Lookups)
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
	s.Warnings = slices.Clone(st.s.Warnings)
	return s
}

func (st *stats) challenged() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.s.Challenges++
}

// warn records one lookup affected by kind on host, and reports whether it is the first.
func (st *stats) warn(host string, kind WarningKind) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	for i, w := range st.s.Warnings {
		if w.Host == host && w.Kind == kind {
			st.s.Warnings[i].Lookups++
			return false
		}
	}
	st.s.Warnings = append(st.s.Warnings, Warning{Host: host, Kind: kind, Lookups: 1})
	return true
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
	case err != nil && req.Context().Value(probeKey{}) != nil && isPlainHTTPAnswer(err):
		// HTTPS tried on a loopback host that speaks plain HTTP: not a failure.
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
