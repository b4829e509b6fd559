package registrytest

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"sync"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/baseflow/baseflow/registry"
)

// The options in this file make the server behave like registries and proxies that depart
// from the distribution API in ways users meet: each names who does it.

// WithHeadRefused answers every manifest HEAD request with status (405 Method Not Allowed or
// 501 Not Implemented), while GET works, as some Harbor and Nexus setups do.
func WithHeadRefused(status int) Option {
	return func(c *config) { c.headRefused = status }
}

// WithHeadNotFound answers manifest HEAD requests by tag with 404 while GET finds the
// manifest, as some caching proxies do for tags they have not pulled yet.
func WithHeadNotFound() Option {
	return func(c *config) { c.headNotFound = true }
}

// WithoutDigestHeader leaves Docker-Content-Digest out of manifest responses, as proxies that
// strip unknown headers do.
func WithoutDigestHeader() Option {
	return func(c *config) { c.noDigestHeader = true }
}

// WithHeadForPlatform answers a manifest HEAD by tag, when the tag points to an index, with
// the digest of p's manifest in it and the Content-Type mediaType, as a proxy that resolves
// tags for one platform (or forwards the HEAD without its Accept header) does. GET answers
// correctly.
func WithHeadForPlatform(p registry.Platform, mediaType string) Option {
	return func(c *config) { c.headPlatform, c.headMediaType = &p, mediaType }
}

// WithRedirect answers manifest and blob requests, once authenticated, with 307 Temporary
// Redirect to the same path under base (another registry's URL, "http://127.0.0.1:PORT"), as
// registries that serve content from a second host do. That host authenticates requests on
// its own.
func WithRedirect(base string) Option {
	return func(c *config) { c.redirect = base }
}

// WithTLSHelloReply makes the plain-HTTP server answer a TLS ClientHello with reply and close
// the connection, as servers that are not written in Go do (Go's answers with an "HTTP/1.0
// 400" status line, which a Go client recognizes). The reply is what the client reads where a
// TLS record header belongs.
func WithTLSHelloReply(reply []byte) Option {
	return func(c *config) { c.tlsHelloReply = reply }
}

// quirks applies the behaviours above to a manifest or blob request; it reports whether it
// answered.
func (s *Server) quirks(w http.ResponseWriter, r *http.Request, rt route) bool {
	if s.cfg.redirect != "" && (rt.kind == "manifests" || rt.kind == "blobs") &&
		(r.Method == http.MethodGet || r.Method == http.MethodHead) {
		http.Redirect(w, r, s.cfg.redirect+r.URL.Path, http.StatusTemporaryRedirect)
		return true
	}
	if rt.kind != "manifests" || r.Method != http.MethodHead {
		return false
	}
	if s.cfg.headRefused != 0 {
		apiError(w, s.cfg.headRefused, "UNSUPPORTED", "HEAD not supported")
		return true
	}
	isTag := !isDigest(rt.ref)
	if s.cfg.headNotFound && isTag {
		apiError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
		return true
	}
	if s.cfg.headPlatform != nil && isTag {
		if d, ok := s.platformOfTag(rt, *s.cfg.headPlatform); ok {
			w.Header().Set("Content-Type", s.cfg.headMediaType)
			w.Header().Set("Docker-Content-Digest", d.String())
			w.WriteHeader(http.StatusOK)
			return true
		}
	}
	return false
}

// platformOfTag returns the digest of p's entry in the index rt's tag points to.
func (s *Server) platformOfTag(rt route, p registry.Platform) (digest.Digest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.repo(rt.name, false)
	if repo == nil {
		return "", false
	}
	m, ok := repo.manifests[repo.tags[rt.ref]]
	if !ok || !registry.IsIndex(m.mediaType) {
		return "", false
	}
	var idx ocispec.Index
	if json.Unmarshal(m.body, &idx) != nil {
		return "", false
	}
	for _, c := range idx.Manifests {
		if c.Platform != nil && p.Matches(registry.Platform{OS: c.Platform.OS, Architecture: c.Platform.Architecture, Variant: c.Platform.Variant, OSVersion: c.Platform.OSVersion}) {
			return c.Digest, true
		}
	}
	return "", false
}

func isDigest(ref string) bool {
	_, err := digest.Parse(ref)
	return err == nil
}

// withoutDigestHeader removes Docker-Content-Digest from manifest responses.
func withoutDigestHeader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt, ok := parseRoute(r.URL.Path); ok && rt.kind == "manifests" {
			w = &dropHeader{ResponseWriter: w, name: "Docker-Content-Digest"}
		}
		next.ServeHTTP(w, r)
	})
}

type dropHeader struct {
	http.ResponseWriter
	name  string
	wrote bool
}

func (d *dropHeader) WriteHeader(code int) {
	if !d.wrote {
		d.wrote = true
		d.Header().Del(d.name)
	}
	d.ResponseWriter.WriteHeader(code)
}

func (d *dropHeader) Write(b []byte) (int, error) {
	if !d.wrote {
		d.WriteHeader(http.StatusOK)
	}
	return d.ResponseWriter.Write(b)
}

// helloListener answers connections that open with a TLS handshake record with reply.
type helloListener struct {
	net.Listener
	reply []byte
}

func (l *helloListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &helloConn{Conn: c, r: bufio.NewReader(c), reply: l.reply}, nil
}

// helloConn peeks at the first byte the client sends: 0x16 opens a TLS handshake record.
type helloConn struct {
	net.Conn
	r     *bufio.Reader
	reply []byte
	once  sync.Once
	tls   bool
}

func (c *helloConn) Read(p []byte) (int, error) {
	c.once.Do(func() {
		if b, err := c.r.Peek(1); err == nil && b[0] == 0x16 {
			c.tls = true
			_, _ = c.Conn.Write(c.reply)
			_ = c.Conn.Close()
		}
	})
	if c.tls {
		return 0, net.ErrClosed
	}
	return c.r.Read(p)
}
