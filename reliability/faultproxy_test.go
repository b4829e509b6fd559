package reliability_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
)

// fault breaks one request. next forwards it to the registry.
type fault func(p *faultProxy, w http.ResponseWriter, r *http.Request, next http.Handler)

// rule applies a fault to the requests that match, the first times of them (every one when
// times is negative).
type rule struct {
	name  string
	match func(*http.Request) bool
	times int
	fault fault
}

// faultProxy is a reverse proxy in front of a registry that injects faults into the requests
// its rules match. It keeps the Host header of each request, so that a token challenge names
// the proxy's own token endpoint and token requests come through it too.
type faultProxy struct {
	srv     *httptest.Server
	closing chan struct{}

	mu       sync.Mutex
	rules    []rule
	hits     []int
	injected int
	log      []string
}

// newFaultProxy starts a proxy to the registry at target ("http://127.0.0.1:PORT"). It is
// closed when t ends; handlers holding responses open are released first.
func newFaultProxy(t testing.TB, target string, rules ...rule) *faultProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{closing: make(chan struct{}), rules: rules, hits: make([]int, len(rules))}
	next := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u)
			pr.Out.Host = pr.In.Host
		},
		ErrorLog: log.New(io.Discard, "", 0), // clients that give up are expected here
	}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f, name := p.pick(r); f != nil {
			p.record(r, name)
			f(p, w, r, next)
			return
		}
		p.record(r, "")
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		close(p.closing)
		p.srv.Close()
	})
	return p
}

func (p *faultProxy) pick(r *http.Request) (fault, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, rl := range p.rules {
		if !rl.match(r) || (rl.times >= 0 && p.hits[i] >= rl.times) {
			continue
		}
		p.hits[i]++
		p.injected++
		return rl.fault, rl.name
	}
	return nil, ""
}

func (p *faultProxy) record(r *http.Request, fault string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	entry := r.Method + " " + r.URL.Path
	if fault != "" {
		entry += " [" + fault + "]"
	}
	p.log = append(p.log, entry)
}

// Host is the proxy's "127.0.0.1:PORT", the registry domain of references through it.
func (p *faultProxy) Host() string { return strings.TrimPrefix(p.srv.URL, "http://") }

// Injected is the number of faults injected so far.
func (p *faultProxy) Injected() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.injected
}

// Requests returns "METHOD /path [fault]" for every request received, in order.
func (p *faultProxy) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.log...)
}

// count returns how many requests received match method and contain pathPart.
func (p *faultProxy) count(method, pathPart string) int {
	n := 0
	for _, e := range p.Requests() {
		if strings.HasPrefix(e, method+" ") && strings.Contains(e, pathPart) {
			n++
		}
	}
	return n
}

// Matchers.

func manifestsOf(repo string, methods ...string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		if !strings.HasPrefix(r.URL.Path, "/v2/"+repo+"/manifests/") {
			return false
		}
		if len(methods) == 0 {
			return true
		}
		for _, m := range methods {
			if r.Method == m {
				return true
			}
		}
		return false
	}
}

func anyManifest(methods ...string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		if !strings.Contains(r.URL.Path, "/manifests/") {
			return false
		}
		for _, m := range methods {
			if r.Method == m {
				return true
			}
		}
		return len(methods) == 0
	}
}

func tokenEndpoint(r *http.Request) bool { return r.URL.Path == "/token" }

// Faults.

// status answers with code and the given header pairs, and a registry-style error body.
func status(code int, header ...string) fault {
	return func(_ *faultProxy, w http.ResponseWriter, r *http.Request, _ http.Handler) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		if r.Method != http.MethodHead {
			fmt.Fprintf(w, `{"errors":[{"code":"UNKNOWN","message":"injected %d"}]}`, code)
		}
	}
}

// resetBeforeResponse reads the request and resets the connection after sending half a
// status line.
func resetBeforeResponse(_ *faultProxy, w http.ResponseWriter, _ *http.Request, _ http.Handler) {
	conn := hijack(w)
	if conn == nil {
		return
	}
	_, _ = conn.Write([]byte("HTTP/1.1 200 O"))
	reset(conn)
}

// resetMidBody forwards the request, sends the response's headers and half its body, and
// resets the connection.
func resetMidBody(_ *faultProxy, w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	conn := hijack(w)
	if conn == nil {
		return
	}
	var head bytes.Buffer
	fmt.Fprintf(&head, "HTTP/1.1 %d %s\r\n", rec.Code, http.StatusText(rec.Code))
	h := rec.Header().Clone()
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_ = h.Write(&head)
	head.WriteString("\r\n")
	if r.Method != http.MethodHead {
		head.Write(body[:len(body)/2])
	}
	_, _ = conn.Write(head.Bytes())
	reset(conn)
}

// neverEnds sends the response's headers and half its body, then holds the connection open
// without sending more until the client gives up. A HEAD gets no response at all.
func neverEnds(p *faultProxy, w http.ResponseWriter, r *http.Request, next http.Handler) {
	if r.Method != http.MethodHead {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body[:len(body)/2])
		http.NewResponseController(w).Flush()
	}
	select {
	case <-r.Context().Done():
	case <-p.closing:
	}
}

// rewriteHeaders forwards the request and edits the response headers with edit.
func rewriteHeaders(edit func(method string, h http.Header)) fault {
	return func(_ *faultProxy, w http.ResponseWriter, r *http.Request, next http.Handler) {
		next.ServeHTTP(&headerEditor{ResponseWriter: w, edit: func(h http.Header) { edit(r.Method, h) }}, r)
	}
}

// wrongDigestOnGet makes the client fetch the manifest: a HEAD loses its
// Docker-Content-Digest header, and a GET gets one that does not match the body.
var wrongDigestOnGet = rewriteHeaders(func(method string, h http.Header) {
	if method == http.MethodHead {
		h.Del("Docker-Content-Digest")
		return
	}
	h.Set("Docker-Content-Digest", digest.FromString("not the manifest").String())
})

// noDigestHeader removes Docker-Content-Digest, so that the client fetches the manifest.
var noDigestHeader = rewriteHeaders(func(_ string, h http.Header) { h.Del("Docker-Content-Digest") })

// tamperedBody forwards the request and changes one byte of the body, keeping the registry's
// Docker-Content-Digest. A HEAD loses the header, so that the client fetches the body.
func tamperedBody(_ *faultProxy, w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	if r.Method == http.MethodHead {
		w.Header().Del("Docker-Content-Digest")
		w.WriteHeader(rec.Code)
		return
	}
	body := bytes.Clone(rec.Body.Bytes())
	if i := bytes.IndexByte(body, '{'); i >= 0 {
		body = append(body[:i+1], append([]byte(" "), body[i+1:]...)...)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// headerEditor applies edit to the response headers before they are written.
type headerEditor struct {
	http.ResponseWriter
	edit    func(http.Header)
	written bool
}

func (h *headerEditor) WriteHeader(code int) {
	if !h.written {
		h.written = true
		h.edit(h.Header())
	}
	h.ResponseWriter.WriteHeader(code)
}

func (h *headerEditor) Write(b []byte) (int, error) {
	if !h.written {
		h.WriteHeader(http.StatusOK)
	}
	return h.ResponseWriter.Write(b)
}

func hijack(w http.ResponseWriter) net.Conn {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return nil
	}
	return conn
}

// reset closes conn with an RST rather than a FIN.
func reset(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.SetDeadline(time.Now())
	_ = conn.Close()
}
