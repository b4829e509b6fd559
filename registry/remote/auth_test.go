package remote_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
)

const secret = "s3cret-pass"

// seed pushes tags 0..n-1 into each repo and returns their references.
func seed(t *testing.T, srv *registrytest.Server, repos []string, n int) []string {
	t.Helper()
	var refs []string
	for _, repo := range repos {
		for i := range n {
			_, err := srv.PushIndex(repo, fmt.Sprint(i), ocispec.MediaTypeImageIndex, amd64, arm64v8)
			require.NoError(t, err)
			refs = append(refs, srv.Ref(repo, fmt.Sprint(i)))
		}
	}
	return refs
}

func ok200(method string) func(registrytest.Request) bool {
	return func(r registrytest.Request) bool { return manifests(method)(r) && r.Status == http.StatusOK }
}

func TestClientTokenAuthOncePerRepository(t *testing.T) {
	t.Parallel()
	srv := newServer(t, registrytest.WithTokenAuth("user", secret))
	refs := seed(t, srv, []string{"a/one", "a/two", "b"}, 4)
	c := newClient(t, remote.WithCredential(srv.Host(), "user", secret))
	for _, ref := range refs {
		_, err := c.Digest(context.Background(), ref)
		require.NoError(t, err)
	}
	for _, ref := range refs {
		_, err := c.PlatformDigest(context.Background(), ref, arm64)
		require.NoError(t, err)
	}
	assert.Equal(t, 3, srv.CountRequests(tokens), "one token per repository")
	assert.Equal(t, 3, c.Stats().TokenRequests)
	assert.Equal(t, 12, srv.CountRequests(ok200("HEAD")))
	assert.Equal(t, 1, srv.CountRequests(manifests("HEAD"))-12, "one challenge per registry")
	assert.Equal(t, 1, c.Stats().Challenges)
	assert.Equal(t, 12, srv.CountRequests(manifests("GET")), "GETs reuse the cached tokens")
}

func TestClientAuthFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		password string // sent by the client; "" sends no credentials
	}{
		{"wrong password", "wrong-pass"},
		{"no credentials", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, registrytest.WithTokenAuth("user", secret))
			seed(t, srv, []string{"x"}, 1)
			var opts []remote.Option
			if tt.password != "" {
				opts = append(opts, remote.WithCredential(srv.Host(), "user", tt.password))
			}
			c := newClient(t, opts...)
			_, err := c.Digest(context.Background(), srv.Ref("x", "0"))
			var re *registry.Error
			require.ErrorAs(t, err, &re)
			assert.Equal(t, registry.Unauthorized, re.Kind)
			assert.Equal(t, http.StatusUnauthorized, re.StatusCode)
			assert.Equal(t, "registry: HEAD "+srv.Ref("x", "0")+": unauthorized (401)", err.Error())
			assert.Equal(t, 1, srv.CountRequests(tokens), "the token endpoint is asked once, not retried")
			assert.Equal(t, 1, srv.CountRequests(manifests("HEAD")))
		})
	}
}

func TestClientAnonymousPull(t *testing.T) {
	t.Parallel()
	srv := newServer(t, registrytest.WithAnonymousPull())
	refs := seed(t, srv, []string{"library/alpine"}, 3)
	c := newClient(t)
	for _, ref := range refs {
		_, err := c.Digest(context.Background(), ref)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, srv.CountRequests(tokens))
	for _, r := range srv.Requests() {
		if r.IsToken() {
			assert.Empty(t, r.Authorization, "anonymous token request")
		}
	}
}

func TestClientDockerConfig(t *testing.T) {
	t.Parallel()
	srv := newServer(t, registrytest.WithTokenAuth("user", secret))
	refs := seed(t, srv, []string{"x"}, 1)
	dir := t.TempDir()
	writeJSON(t, filepath.Join(dir, "config.json"), map[string]any{
		"auths": map[string]any{srv.Host(): map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte("user:" + secret))}},
	})
	c, err := remote.New(remote.WithDockerConfig(dir))
	require.NoError(t, err)
	_, err = c.Digest(context.Background(), refs[0])
	require.NoError(t, err)
}

func TestClientBrokenDockerConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte("{not json"), 0o600))
	_, err := remote.New(remote.WithDockerConfig(dir))
	assert.ErrorContains(t, err, "docker config")
}

// TestClientCredentialHelperOncePerHost changes PATH, so it does not run in parallel.
func TestClientCredentialHelperOncePerHost(t *testing.T) {
	srv := newServer(t, registrytest.WithTokenAuth("user", secret))
	refs := seed(t, srv, []string{"a", "b", "c"}, 2)
	bin, dir := t.TempDir(), t.TempDir()
	calls := filepath.Join(bin, "calls")
	script := fmt.Sprintf("#!/bin/sh\nread server\necho \"$1 $server\" >> %q\nprintf '{\"ServerURL\":\"%%s\",\"Username\":\"user\",\"Secret\":\"%s\"}' \"$server\"\n", calls, secret)
	require.NoError(t, os.WriteFile(filepath.Join(bin, "docker-credential-baseflowtest"), []byte(script), 0o755))
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	writeJSON(t, filepath.Join(dir, "config.json"), map[string]any{"credHelpers": map[string]string{srv.Host(): "baseflowtest"}})

	c, err := remote.New(remote.WithDockerConfig(dir))
	require.NoError(t, err)
	cache := registry.NewCache(c)
	digests, errs := cache.ResolveAll(context.Background(), refs)
	require.Empty(t, errs)
	assert.Len(t, digests, len(refs))
	log, err := os.ReadFile(calls)
	require.NoError(t, err)
	assert.Equal(t, "get "+srv.Host()+"\n", string(log), "the helper runs once per host")
	assert.Equal(t, 3, srv.CountRequests(tokens))
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o600))
}

// TestConcurrentLookupsThroughCache is the lookup budget: 40 concurrent lookups of 5 distinct
// references make exactly 5 manifest requests (plus, with token auth, one challenge per
// registry), at most 5 token requests, and no GET. Each reference is in its own repository,
// so that the token cache is exercised too.
func TestConcurrentLookupsThroughCache(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		opts       []registrytest.Option
		challenges bool
	}{
		{"anonymous registry", nil, false},
		{"token auth", []registrytest.Option{registrytest.WithAnonymousPull()}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.opts...)
			refs := seed(t, srv, []string{"library/alpine", "library/debian", "dotnet/runtime", "dotnet/aspnet", "dotnet/sdk"}, 1)
			want := make(map[string]string)
			for _, ref := range refs {
				n, err := registry.Normalize(ref)
				require.NoError(t, err)
				d, err := srv.Digest(n.Path, n.Tag)
				require.NoError(t, err)
				want[ref] = d.String()
			}
			cache := registry.NewCache(newClient(t))

			start := make(chan struct{})
			got := make([]string, 40)
			errs := make(chan error, 40)
			done := make(chan struct{})
			for i := range 40 {
				go func() {
					<-start
					d, err := cache.Digest(context.Background(), refs[i%5])
					got[i] = d.String()
					errs <- err
					done <- struct{}{}
				}()
			}
			close(start)
			for range 40 {
				<-done
				require.NoError(t, <-errs)
			}
			for i, d := range got {
				assert.Equal(t, want[refs[i%5]], d)
			}
			assert.Equal(t, 5, srv.CountRequests(ok200("HEAD")), "exactly one successful HEAD per reference")
			wantTokens, wantChallenges := 0, 0
			if tt.challenges {
				// one challenge per registry, one token per repository, however many ask at once
				wantTokens, wantChallenges = 5, 1
			}
			assert.Equal(t, 5+wantChallenges, srv.CountRequests(manifests("HEAD")))
			assert.Equal(t, wantTokens, srv.CountRequests(tokens))
			assert.LessOrEqual(t, srv.CountRequests(tokens), 5)
			assert.Zero(t, srv.CountRequests(func(r registrytest.Request) bool { return r.Method == http.MethodGet && !r.IsToken() }), "no GET")
			assert.False(t, strings.Contains(fmt.Sprint(srv.Requests()), "/blobs/"))
		})
	}
}

// TestConcurrentLookupsShareRepositoryToken resolves many tags of few repositories at once:
// the registry's challenge is met once, and each repository fetches one token, however many
// lookups start together.
func TestConcurrentLookupsShareRepositoryToken(t *testing.T) {
	t.Parallel()
	srv := newServer(t, registrytest.WithAnonymousPull())
	refs := seed(t, srv, []string{"library/alpine", "library/debian"}, 12)
	digests, errs := registry.NewCache(newClient(t)).ResolveAll(context.Background(), refs)
	require.Empty(t, errs)
	assert.Len(t, digests, 24)
	assert.Equal(t, 2, srv.CountRequests(tokens))
	assert.Equal(t, 24, srv.CountRequests(ok200("HEAD")))
	assert.Equal(t, 24+1, srv.CountRequests(manifests("HEAD")), "one challenge per registry")
}
