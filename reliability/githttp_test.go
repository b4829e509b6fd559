package reliability_test

import (
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// gitHTTPServer serves the git repositories under a root directory over HTTP, through git's
// own http-backend, to clients that send the right Basic credentials, as a git host does.
type gitHTTPServer struct {
	srv *httptest.Server
	// authorized counts requests that carried the right credentials.
	authorized atomic.Int64
}

func newGitHTTPServer(t *testing.T, root, user, pass string) *gitHTTPServer {
	t.Helper()
	execPath, err := exec.Command("git", "--exec-path").Output()
	require.NoError(t, err)
	backend := &cgi.Handler{
		Path:       filepath.Join(strings.TrimSpace(string(execPath)), "git-http-backend"),
		Env:        []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull},
		InheritEnv: []string{"PATH"},
	}
	g := &gitHTTPServer{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != user || p != pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		g.authorized.Add(1)
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

// Host is the server's "127.0.0.1:PORT".
func (g *gitHTTPServer) Host() string { return strings.TrimPrefix(g.srv.URL, "http://") }
