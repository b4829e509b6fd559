package remote_test

import (
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
)

var (
	amd64   = registry.Platform{OS: "linux", Architecture: "amd64"}
	arm64v8 = registry.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	armv7   = registry.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
	arm64   = registry.Platform{OS: "linux", Architecture: "arm64"}
)

// newClient returns a client that reads no real docker configuration and backs off briefly.
func newClient(t *testing.T, opts ...remote.Option) *remote.Client {
	t.Helper()
	base := []remote.Option{remote.WithDockerConfig(t.TempDir()), remote.WithBackoff(time.Millisecond)}
	c, err := remote.New(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

func newServer(t *testing.T, opts ...registrytest.Option) *registrytest.Server {
	t.Helper()
	srv := registrytest.New(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// manifests matches manifest requests with the given method.
func manifests(method string) func(registrytest.Request) bool {
	return func(r registrytest.Request) bool { return r.IsManifest() && r.Method == method }
}

func tokens(r registrytest.Request) bool { return r.IsToken() }

func isManifestRequest(r *http.Request) bool { return strings.Contains(r.URL.Path, "/manifests/") }

// firstN is a middleware that hands the first n requests matching match to fault, and every
// other request to the registry.
type firstN struct {
	n     int32
	match func(*http.Request) bool
	fault http.HandlerFunc
	seen  atomic.Int32
}

func (f *firstN) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (f.match == nil || f.match(r)) && f.seen.Add(1) <= f.n {
			f.fault(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// always is a middleware that answers every matching request with fault.
func always(match func(*http.Request) bool, fault http.HandlerFunc) func(http.Handler) http.Handler {
	f := &firstN{n: 1 << 30, match: match, fault: fault}
	return f.middleware
}

func status(code int, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
	}
}

// reset closes the connection without answering, with a TCP reset.
func reset(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// hang never answers; it returns when the client goes away.
func hang(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

// stripDigest is a middleware that removes Docker-Content-Digest from matching responses, or
// replaces it with replacement when that is not empty.
func stripDigest(match func(*http.Request) bool, replacement string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !match(r) {
				next.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(&headerRewriter{ResponseWriter: w, replacement: replacement}, r)
		})
	}
}

type headerRewriter struct {
	http.ResponseWriter
	replacement string
	wrote       bool
}

func (h *headerRewriter) WriteHeader(code int) {
	if !h.wrote {
		h.wrote = true
		h.Header().Del("Docker-Content-Digest")
		if h.replacement != "" {
			h.Header().Set("Docker-Content-Digest", h.replacement)
		}
	}
	h.ResponseWriter.WriteHeader(code)
}

func (h *headerRewriter) Write(b []byte) (int, error) {
	if !h.wrote {
		h.WriteHeader(http.StatusOK)
	}
	return h.ResponseWriter.Write(b)
}
