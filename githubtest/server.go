// Package githubtest runs an in-process fake of the part of the GitHub REST API this module
// uses, and checks every request against the documented contract:
//
//	GET   /repos/{owner}/{repo}
//	GET   /repos/{owner}/{repo}/git/trees/{ref}[?recursive=1]   ref: <branch>, <branch>:<dir> or a tree SHA
//	GET   /repos/{owner}/{repo}/git/blobs/{sha}
//	GET   /repos/{owner}/{repo}/actions/workflows/{workflow}/runs?status=&branch=&event=&per_page=&page=
//	POST  /repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches  {"ref":...,"inputs":{...}}
//	POST  /repos/{owner}/{repo}/issues                                   {"title":...,"body":...,"labels":[...]}
//	PATCH /repos/{owner}/{repo}/issues/{number}                          {"state":"open"|"closed"}
//
// Repositories (git trees and blobs, with real git object names, base64 content wrapped in
// 60-character lines as GitHub sends it, truncated recursive listings on demand) serve
// githubsource; workflows and issues serve the GitHub Actions dispatcher. A dispatched
// workflow gets a new queued run, so the guards see it.
//
// A request with a wrong method, path, query parameter, Accept, X-GitHub-Api-Version,
// User-Agent or Content-Type header, an unescaped ref, or a body of the wrong shape is answered
// with 400, 404, 405 or 422 and recorded as a violation, which fails the test at cleanup. A
// server made WithToken answers a missing or wrong token with 401 "Bad credentials", as GitHub
// does; a server without a token stands for anonymous access, and any Authorization header is
// a violation there.
package githubtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baseflow/baseflow/internal/fakeserver"
)

// Request is one request the fake received; Path is decoded and without the path prefix.
type Request = fakeserver.Request

// Server is the fake. Its URL is the API base URL to give a client (githubsource.WithBaseURL,
// github.WithBaseURL).
type Server struct {
	// URL is the server's URL plus the path prefix.
	URL string
	// Token is the token the server accepts; "" means anonymous access only.
	Token string

	srv    *httptest.Server
	prefix string
	base   fakeserver.Base

	mu         sync.Mutex
	lines      []string // requests as "METHOD escaped-path[?query]"
	repos      map[string]*repository
	truncated  bool
	workflows  map[string][]Run // "owner/repo/workflow" → runs
	dispatches []Dispatch
	issues     []*Issue
	nextRun    int64
	now        time.Time
}

// Option configures a Server.
type Option func(*Server)

// WithToken makes the server require "Authorization: Bearer <token>".
func WithToken(token string) Option { return func(s *Server) { s.Token = token } }

// WithPathPrefix serves the API under a path prefix, as GitHub Enterprise Server does under
// "/api/v3".
func WithPathPrefix(prefix string) Option {
	return func(s *Server) { s.prefix = strings.TrimSuffix(prefix, "/") }
}

// NewServer starts a fake on the loopback interface; it is closed, and its contract
// violations reported, when t ends. With a nil t, call Close and check Violations yourself.
func NewServer(t testing.TB, opts ...Option) *Server {
	s := &Server{
		repos:     map[string]*repository{},
		workflows: map[string][]Run{},
		nextRun:   9000,
		now:       time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	}
	for _, opt := range opts {
		opt(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + s.prefix
	if t != nil {
		t.Cleanup(s.srv.Close)
		s.base.Init(t)
	}
	return s
}

// Close shuts the fake down.
func (s *Server) Close() { s.srv.Close() }

// FailNext makes the next times requests with method ("" for any) fail with status, whatever
// they ask for (times < 0: all). The failure is answered after the contract checks.
func (s *Server) FailNext(method string, status, times int) {
	s.base.FailNext(method, status, times, nil)
}

// FailNextWith is FailNext with response headers, such as Retry-After or the rate-limit
// headers.
func (s *Server) FailNextWith(method string, status, times int, header http.Header) {
	s.base.FailNext(method, status, times, header)
}

// Requests returns every request received, in order.
func (s *Server) Requests() []Request { return s.base.Requests() }

// RequestLines returns every request received, in order, as "METHOD escaped-path[?query]"
// without the path prefix: the form that shows how a client escaped a ref.
func (s *Server) RequestLines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.lines)
}

// ResetRequests forgets the requests received so far.
func (s *Server) ResetRequests() {
	s.base.ResetRequests()
	s.mu.Lock()
	s.lines = nil
	s.mu.Unlock()
}

// Violations returns the contract violations seen so far.
func (s *Server) Violations() []string { return s.base.Violations() }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	escaped, ok := strings.CutPrefix(r.URL.EscapedPath(), s.prefix+"/")
	if !ok {
		s.base.Record(r)
		s.base.Violate(w, r, http.StatusNotFound, "path outside the API prefix %q", s.prefix)
		return
	}
	// Log and route the path without the prefix.
	u := *r.URL
	u.RawPath = "/" + escaped
	u.Path, _ = url.PathUnescape(u.RawPath)
	r.URL = &u
	s.base.Record(r)
	line := r.Method + " /" + escaped
	if r.URL.RawQuery != "" {
		line += "?" + r.URL.RawQuery
	}
	s.mu.Lock()
	s.lines = append(s.lines, line)
	s.mu.Unlock()

	if got := r.Header.Get("Accept"); got != "application/vnd.github+json" {
		s.base.Violate(w, r, http.StatusBadRequest, "Accept %q, want application/vnd.github+json", got)
		return
	}
	if got := r.Header.Get("X-GitHub-Api-Version"); got != "2022-11-28" {
		s.base.Violate(w, r, http.StatusBadRequest, "X-GitHub-Api-Version %q, want 2022-11-28", got)
		return
	}
	if r.Header.Get("User-Agent") == "" {
		s.base.Violate(w, r, http.StatusForbidden, "a User-Agent header is required")
		return
	}
	auth, hasAuth := r.Header["Authorization"]
	switch {
	case s.Token == "" && hasAuth:
		s.base.Violate(w, r, http.StatusUnauthorized, "an Authorization header sent to an anonymous API")
		return
	case s.Token != "" && (len(auth) != 1 || auth[0] != "Bearer "+s.Token):
		fakeserver.WriteJSON(w, http.StatusUnauthorized, map[string]string{
			"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
		return
	}
	if r.Method != http.MethodGet {
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			s.base.Violate(w, r, http.StatusBadRequest, "Content-Type %q, want application/json", ct)
			return
		}
	}
	if !s.base.Inject(w, r) {
		return
	}

	var segs []string
	for seg := range strings.SplitSeq(escaped, "/") {
		d, err := url.PathUnescape(seg)
		if err != nil {
			s.base.Violate(w, r, http.StatusBadRequest, "bad escape in %q", seg)
			return
		}
		segs = append(segs, d)
	}
	if len(segs) < 3 || segs[0] != "repos" {
		s.base.Violate(w, r, http.StatusNotFound, "no such route")
		return
	}
	owner, repo := segs[1], segs[2]
	rest := segs[3:]
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		s.getRepo(w, r, owner, repo)
	case len(rest) == 3 && rest[0] == "git" && rest[1] == "trees" && r.Method == http.MethodGet:
		s.getTree(w, r, owner, repo, rest[2])
	case len(rest) == 3 && rest[0] == "git" && rest[1] == "blobs" && r.Method == http.MethodGet:
		s.getBlob(w, r, owner, repo, rest[2])
	case len(rest) == 4 && rest[0] == "actions" && rest[1] == "workflows" && rest[3] == "runs" && r.Method == http.MethodGet:
		s.listRuns(w, r, owner, repo, rest[2])
	case len(rest) == 4 && rest[0] == "actions" && rest[1] == "workflows" && rest[3] == "dispatches" && r.Method == http.MethodPost:
		s.dispatch(w, r, owner, repo, rest[2])
	case len(rest) == 1 && rest[0] == "issues" && r.Method == http.MethodPost:
		s.createIssue(w, r, owner, repo)
	case len(rest) == 2 && rest[0] == "issues" && r.Method == http.MethodPatch:
		s.updateIssue(w, r, owner, repo, rest[1])
	default:
		s.base.Violate(w, r, http.StatusNotFound, "no such route")
	}
}

// notFound answers 404 as GitHub does; a missing resource is not a contract violation.
func notFound(w http.ResponseWriter) {
	fakeserver.WriteJSON(w, http.StatusNotFound, map[string]string{
		"message":           "Not Found",
		"documentation_url": "https://docs.github.com/rest",
		"status":            "404",
	})
}

// urlFor is an API URL of the fake, for "url" fields.
func (s *Server) urlFor(format string, args ...any) string {
	return s.URL + fmt.Sprintf(format, args...)
}
