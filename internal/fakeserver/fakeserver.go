// Package fakeserver holds what the contract-checking fakes of azdotest and githubtest
// share: a request log, a list of contract violations, and injected failures.
package fakeserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
)

// Request is one request a fake received.
type Request struct {
	Method string
	Path   string // decoded URL path
	Query  string // raw query
}

type failure struct {
	method string // "" matches every method
	status int
	header http.Header
	times  int // remaining; <0 means always
}

// Base records requests and violations for a fake.
type Base struct {
	mu         sync.Mutex
	requests   []Request
	violations []string
	failures   []*failure
}

// Init registers a cleanup that fails t with every contract violation seen.
func (b *Base) Init(t testing.TB) {
	t.Cleanup(func() {
		for _, v := range b.Violations() {
			t.Errorf("contract violation: %s", v)
		}
	})
}

// Begin logs r and answers it with an injected failure if one applies; it returns false
// when r has been answered.
func (b *Base) Begin(w http.ResponseWriter, r *http.Request) bool {
	b.Record(r)
	return b.Inject(w, r)
}

// Record logs r.
func (b *Base) Record(r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requests = append(b.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery})
}

// ResetRequests forgets the requests logged so far.
func (b *Base) ResetRequests() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requests = nil
}

// Inject answers r with an injected failure if one applies; it returns false when r has been
// answered.
func (b *Base) Inject(w http.ResponseWriter, r *http.Request) bool {
	b.mu.Lock()
	var hit *failure
	for _, f := range b.failures {
		if (f.method == "" || f.method == r.Method) && f.times != 0 {
			hit = f
			if f.times > 0 {
				f.times--
			}
			break
		}
	}
	b.mu.Unlock()
	if hit == nil {
		return true
	}
	for k, v := range hit.header {
		w.Header()[k] = v
	}
	WriteJSON(w, hit.status, map[string]string{"message": fmt.Sprintf("injected failure %d", hit.status)})
	return false
}

// Violate records a broken contract and answers it with status and the message.
func (b *Base) Violate(w http.ResponseWriter, r *http.Request, status int, format string, args ...any) {
	msg := r.Method + " " + r.URL.Path + ": " + fmt.Sprintf(format, args...)
	b.mu.Lock()
	b.violations = append(b.violations, msg)
	b.mu.Unlock()
	WriteJSON(w, status, map[string]string{"message": msg})
}

// FailNext makes the next times requests with method ("" for any) fail with status and
// header; times < 0 means every such request.
func (b *Base) FailNext(method string, status, times int, header http.Header) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures = append(b.failures, &failure{method: method, status: status, header: header, times: times})
}

// Requests returns every request received, in order.
func (b *Base) Requests() []Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.requests)
}

// Violations returns the contract violations seen, in order.
func (b *Base) Violations() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.violations)
}

// WriteJSON answers with status and v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
