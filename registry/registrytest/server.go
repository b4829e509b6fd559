package registrytest

import (
	"bufio"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/baseflow/baseflow/registry"
)

// Option configures a Server.
type Option func(*config)

type config struct {
	middleware    []func(http.Handler) http.Handler
	tokenAuth     bool
	username      string
	password      string
	anonymousPull bool
	latency       time.Duration
	tls           bool

	headRefused    int
	headNotFound   bool
	noDigestHeader bool
	headPlatform   *registry.Platform
	headMediaType  string
	redirect       string
	tlsHelloReply  []byte
}

// WithMiddleware wraps the registry's handler, token endpoint included, in mw, for injecting
// faults (429, 503, resets, slow or missing headers). The first middleware given is the
// outermost. Requests are logged before any middleware sees them.
func WithMiddleware(mw func(http.Handler) http.Handler) Option {
	return func(c *config) { c.middleware = append(c.middleware, mw) }
}

// WithTokenAuth protects the registry with Docker token authentication, as Docker Hub does:
// requests without a valid bearer token get 401 with a WWW-Authenticate challenge whose realm
// is this server's /token endpoint, on the host the request was addressed to (oras-go accepts
// a loopback realm only on the registry's own host). The endpoint grants pull and push to
// requests carrying these Basic credentials.
func WithTokenAuth(username, password string) Option {
	return func(c *config) {
		c.tokenAuth, c.username, c.password = true, username, password
	}
}

// WithAnonymousPull turns on token authentication (if WithTokenAuth did not) and lets the
// token endpoint grant pull, not push, to requests without credentials, as Docker Hub does for
// public repositories.
func WithAnonymousPull() Option {
	return func(c *config) { c.tokenAuth, c.anonymousPull = true, true }
}

// WithLatency delays every HTTP request by d before it is handled, to make a loopback
// registry behave like a distant one.
func WithLatency(d time.Duration) Option {
	return func(c *config) { c.latency = d }
}

// WithTLS serves HTTPS (and HTTP/2) with a certificate for 127.0.0.1 that CertPool trusts.
func WithTLS() Option {
	return func(c *config) { c.tls = true }
}

// Server is an OCI distribution registry in memory, served on 127.0.0.1. It negotiates
// manifest media types as the CNCF distribution registry 2.8 does, so that a client with an
// incomplete Accept header gets the wrong answer here as it would there (see negotiate.go).
type Server struct {
	srv *httptest.Server
	cfg config

	mu      sync.Mutex // guards the content; handlers may write responses while holding it
	repos   map[string]*repository
	uploads map[string]*upload
	tokens  map[string]map[string]bool // token → granted "name:action"
	nextID  int

	logMu  sync.Mutex
	log    []Request
	logGen int // bumped by ResetRequests, so late statuses do not land in a new log
}

// Request is one request the server received.
type Request struct {
	Method string
	// Path is the URL path, "/v2/library/alpine/manifests/3.20".
	Path string
	// Accept is the request's Accept header values joined with ", ".
	Accept string
	// Status is the response status, 0 until it is written, and when the connection was
	// hijacked.
	Status int
	// Authorization is the scheme of the Authorization header ("Bearer", "Basic"), if any.
	Authorization string
	// User is the user name of Basic credentials, if the request carried some.
	User string
}

// IsManifest reports whether r addressed a manifest.
func (r Request) IsManifest() bool { return strings.Contains(r.Path, "/manifests/") }

// IsBlob reports whether r addressed a blob or a blob upload.
func (r Request) IsBlob() bool { return strings.Contains(r.Path, "/blobs/") }

// IsToken reports whether r asked the token endpoint for a token.
func (r Request) IsToken() bool { return r.Path == tokenPath }

// New starts a registry on 127.0.0.1. Close it when done.
func New(opts ...Option) *Server {
	s := &Server{
		repos:   make(map[string]*repository),
		uploads: make(map[string]*upload),
		tokens:  make(map[string]map[string]bool),
	}
	for _, opt := range opts {
		opt(&s.cfg)
	}
	var h http.Handler = http.HandlerFunc(s.serveAPI)
	if s.cfg.noDigestHeader {
		h = withoutDigestHeader(h)
	}
	if s.cfg.tokenAuth {
		h = s.requireToken(h)
	}
	for i := len(s.cfg.middleware) - 1; i >= 0; i-- {
		h = s.cfg.middleware[i](h)
	}
	if s.cfg.latency > 0 {
		h = delay(s.cfg.latency, h)
	}
	s.srv = httptest.NewUnstartedServer(s.record(h))
	if s.cfg.tlsHelloReply != nil && !s.cfg.tls {
		s.srv.Listener = &helloListener{Listener: s.srv.Listener, reply: s.cfg.tlsHelloReply}
	}
	if s.cfg.tls {
		s.srv.EnableHTTP2 = true
		s.srv.StartTLS()
	} else {
		s.srv.Start()
	}
	return s
}

// Host returns the registry's host and port, "127.0.0.1:PORT", the domain part of references.
func (s *Server) Host() string {
	return strings.TrimPrefix(strings.TrimPrefix(s.srv.URL, "http://"), "https://")
}

// URL returns the registry's base URL, "http://127.0.0.1:PORT".
func (s *Server) URL() string { return s.srv.URL }

// Ref returns the reference of repo:tag on this registry, "127.0.0.1:PORT/repo:tag".
func (s *Server) Ref(repo, tag string) string { return s.Host() + "/" + repo + ":" + tag }

// CertPool returns a pool trusting the server's certificate, nil without WithTLS.
func (s *Server) CertPool() *x509.CertPool {
	if c := s.srv.Certificate(); c != nil {
		pool := x509.NewCertPool()
		pool.AddCert(c)
		return pool
	}
	return nil
}

// Close shuts the server down, waiting for requests in progress.
func (s *Server) Close() { s.srv.Close() }

// Requests returns the requests received so far, in arrival order.
func (s *Server) Requests() []Request {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return append([]Request(nil), s.log...)
}

// CountRequests returns how many received requests match.
func (s *Server) CountRequests(match func(Request) bool) int {
	n := 0
	for _, r := range s.Requests() {
		if match(r) {
			n++
		}
	}
	return n
}

// ResetRequests forgets the requests received so far.
func (s *Server) ResetRequests() {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.log = nil
	s.logGen++
}

// record logs each request on arrival, and its status as soon as it is written (before the
// client can see the response).
func (s *Server) record(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		authz, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		user, _, _ := r.BasicAuth()
		s.logMu.Lock()
		i := len(s.log)
		gen := s.logGen
		s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path,
			Accept: strings.Join(r.Header.Values("Accept"), ", "), Authorization: authz, User: user})
		s.logMu.Unlock()
		rec := &statusRecorder{ResponseWriter: w, onStatus: func(code int) {
			s.logMu.Lock()
			defer s.logMu.Unlock()
			if gen == s.logGen && i < len(s.log) {
				s.log[i].Status = code
			}
		}}
		h.ServeHTTP(rec, r)
		if rec.code == 0 && !rec.hijacked {
			rec.WriteHeader(http.StatusOK) // what net/http sends for a handler that wrote nothing
		}
	})
}

// delay waits d before handing the request on, or until the client goes away.
func delay(d time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			h.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	})
}

// statusRecorder reports the status written, and still lets middleware hijack the
// connection or flush.
type statusRecorder struct {
	http.ResponseWriter
	onStatus func(int)
	code     int
	hijacked bool
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
		w.onStatus(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Flush implements http.Flusher.
func (w *statusRecorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack implements http.Hijacker, for middleware that cuts connections.
func (w *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("registrytest: %T cannot hijack", w.ResponseWriter)
	}
	w.hijacked = true
	return hj.Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// newID returns a fresh identifier for uploads.
func (s *Server) newID() string {
	s.nextID++
	return fmt.Sprintf("upload-%d", s.nextID)
}
