package remote_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
)

// The tests in this file each put the client in front of a registry that departs from the
// distribution API the way some registry or proxy users run does.

func TestClientRegistryRefusingHead(t *testing.T) {
	t.Parallel()
	for _, code := range []int{http.StatusMethodNotAllowed, http.StatusNotImplemented} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, registrytest.WithHeadRefused(code))
			a, err := srv.PushIndex("x", "1", registry.MediaTypeDockerManifestList, amd64, arm64v8)
			require.NoError(t, err)
			b, err := srv.PushImage("x", "2", amd64)
			require.NoError(t, err)
			c := newClient(t)
			d, err := c.Digest(context.Background(), srv.Ref("x", "1"))
			require.NoError(t, err)
			assert.Equal(t, a.Digest, d)
			d, err = c.Digest(context.Background(), srv.Ref("x", "2"))
			require.NoError(t, err)
			assert.Equal(t, b, d)
			assert.Equal(t, 1, srv.CountRequests(manifests("HEAD")), "a host that refused HEAD is not asked again")
			assert.Equal(t, 2, srv.CountRequests(manifests("GET")))
			assert.Equal(t, []remote.Warning{{Host: srv.Host(), Kind: remote.HeadRefused, Lookups: 2}}, c.Stats().Warnings)
			assert.Contains(t, c.Stats().Warnings[0].String(), "refuses manifest HEAD requests")
		})
	}
}

func TestClientHeadNotFoundButGetWorks(t *testing.T) {
	t.Parallel()
	srv := newServer(t, registrytest.WithHeadNotFound())
	idx, err := srv.PushIndex("x", "1", ocispec.MediaTypeImageIndex, amd64)
	require.NoError(t, err)
	c := newClient(t)
	d, err := c.Digest(context.Background(), srv.Ref("x", "1"))
	require.NoError(t, err)
	assert.Equal(t, idx.Digest, d, "the GET decides: the tag is there")
	assert.Equal(t, []remote.Warning{{Host: srv.Host(), Kind: remote.HeadNotFound, Lookups: 1}}, c.Stats().Warnings)

	_, err = c.Digest(context.Background(), srv.Ref("x", "missing"))
	assert.Equal(t, registry.NotFound, registry.KindOf(err), "404 from HEAD and GET is not found")
}

func TestClientStrippedDigestHeaderWarnsOncePerRegistry(t *testing.T) {
	t.Parallel()
	srv := newServer(t, registrytest.WithoutDigestHeader())
	refs := seed(t, srv, []string{"a", "b"}, 2)
	c := newClient(t)
	for _, ref := range refs {
		n, err := registry.Normalize(ref)
		require.NoError(t, err)
		want, err := srv.Digest(n.Path, n.Tag)
		require.NoError(t, err)
		d, err := c.Digest(context.Background(), ref)
		require.NoError(t, err)
		assert.Equal(t, want, d, "computed from the body")
	}
	assert.Equal(t, 4, srv.CountRequests(manifests("GET")))
	assert.Equal(t, []remote.Warning{{Host: srv.Host(), Kind: remote.NoDigestHeader, Lookups: 4}}, c.Stats().Warnings,
		"one warning for the registry, not one per lookup")
}

func TestClientHeadAnsweringAnotherManifest(t *testing.T) {
	t.Parallel()
	schema1 := "application/vnd.docker.distribution.manifest.v1+prettyjws"
	srv := newServer(t, registrytest.WithHeadForPlatform(amd64, schema1))
	_, err := srv.PushIndex("x", "1", registry.MediaTypeDockerManifestList, amd64, arm64v8)
	require.NoError(t, err)
	d, err := newClient(t).Digest(context.Background(), srv.Ref("x", "1"))
	assert.Empty(t, d, "not a digest: the answer was for a manifest the request did not accept")
	var re *registry.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, registry.InvalidResponse, re.Kind)
	assert.Equal(t, "registry: HEAD "+srv.Ref("x", "1")+": invalid response: answered with a manifest of type \""+
		schema1+"\", which the request did not accept (a proxy that ignores Accept?)", err.Error())
}

// TestClientOneChallengePerRegistry is the round-trip budget of a registry with Docker token
// authentication: one 401 for the whole registry, then one token per repository, asked for
// directly, and one HEAD per tag.
func TestClientOneChallengePerRegistry(t *testing.T) {
	t.Parallel()
	srv := newServer(t, registrytest.WithAnonymousPull())
	repos := []string{"library/alpine", "library/debian", "dotnet/runtime", "dotnet/aspnet", "dotnet/sdk", "windows/nanoserver"}
	refs := seed(t, srv, repos, 3)
	c := newClient(t)
	digests, errs := registry.NewCache(c).ResolveAll(context.Background(), refs)
	require.Empty(t, errs)
	require.Len(t, digests, len(refs))
	assert.Equal(t, 1, srv.CountRequests(func(r registrytest.Request) bool { return r.Status == http.StatusUnauthorized }))
	assert.Equal(t, len(repos), srv.CountRequests(tokens), "one token per repository")
	assert.Equal(t, len(refs), srv.CountRequests(ok200("HEAD")))
	assert.Equal(t, len(refs)+1+len(repos), len(srv.Requests()))
	st := c.Stats()
	assert.Equal(t, 1, st.Challenges)
	assert.Equal(t, len(repos), st.TokenRequests)

	// Each token grants pull of one repository, never more.
	for _, r := range srv.Requests() {
		if r.IsToken() {
			assert.Empty(t, r.User, "anonymous")
		}
	}
}

// TestClientTokenScopePerRepository checks what each token request asks for: pull of the one
// repository, so a token is never wider than the lookup needs.
func TestClientTokenScopePerRepository(t *testing.T) {
	t.Parallel()
	var scopes []string
	srv := newServer(t, registrytest.WithAnonymousPull(), registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/token" {
				scopes = append(scopes, r.URL.Query()["scope"]...)
			}
			next.ServeHTTP(w, r)
		})
	}))
	refs := seed(t, srv, []string{"a", "b"}, 1)
	c := newClient(t)
	for _, ref := range refs {
		_, err := c.Digest(context.Background(), ref)
		require.NoError(t, err)
	}
	assert.Equal(t, []string{"repository:a:pull", "repository:b:pull"}, scopes)
}

func TestClientRedirectToHostWithItsOwnToken(t *testing.T) {
	t.Parallel()
	content := newServer(t, registrytest.WithTokenAuth("second", "second-pass"))
	front := newServer(t, registrytest.WithTokenAuth("first", secret), registrytest.WithRedirect(content.URL()))
	idx, err := content.PushIndex("x", "1", ocispec.MediaTypeImageIndex, amd64, arm64v8)
	require.NoError(t, err)
	c := newClient(t,
		remote.WithCredential(front.Host(), "first", secret),
		remote.WithCredential(content.Host(), "second", "second-pass"))

	d, err := c.Digest(context.Background(), front.Ref("x", "1"))
	require.NoError(t, err)
	assert.Equal(t, idx.Digest, d)
	pd, err := c.PlatformDigest(context.Background(), front.Ref("x", "1"), arm64)
	require.NoError(t, err)
	assert.Equal(t, idx.PlatformDigest(arm64), pd)

	assert.Equal(t, 1, content.CountRequests(ok200("HEAD")))
	assert.Equal(t, 1, content.CountRequests(ok200("GET")))
	for _, r := range content.Requests() {
		assert.NotEqual(t, "first", r.User, "the first host's credentials never reach the second: %s %s", r.Method, r.Path)
	}
	for _, r := range front.Requests() {
		assert.NotEqual(t, "second", r.User)
	}
	assert.Equal(t, 1, content.CountRequests(tokens), "the second host's token, asked with its own credentials")

	// Without credentials for the second host the failure names it, not the first.
	anon := newClient(t, remote.WithCredential(front.Host(), "first", secret))
	_, err = anon.Digest(context.Background(), front.Ref("x", "1"))
	assert.Equal(t, registry.Unauthorized, registry.KindOf(err))
	assert.ErrorContains(t, err, content.Host())
	for _, r := range content.Requests() {
		assert.NotEqual(t, "first", r.User)
	}
}

// TestClientRedirectFromHTTPSToPlainHTTPRefused: a registry reached over HTTPS that redirects
// to plain HTTP on another host is not followed; nothing is sent to that host.
func TestClientRedirectFromHTTPSToPlainHTTPRefused(t *testing.T) {
	t.Parallel()
	front := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://registry.example"+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(front.Close)
	var mu sync.Mutex
	var reached []string
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		reached = append(reached, req.URL.Scheme+"://"+req.URL.Host)
		mu.Unlock()
		return front.Client().Transport.RoundTrip(req)
	})
	c := newClient(t, remote.WithTransport(rt))
	_, err := c.Digest(context.Background(), front.Listener.Addr().String()+"/x:1")
	require.Error(t, err)
	assert.ErrorContains(t, err, "refusing to leave HTTPS")
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"https://" + front.Listener.Addr().String()}, reached)
}

// TestClientRedirectToPlainHTTPHost: a redirect to a host named in WithPlainHTTP, by its name
// alone, is followed over plain HTTP whatever the port.
func TestClientRedirectToPlainHTTPHost(t *testing.T) {
	t.Parallel()
	front := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://registry.example:5000"+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(front.Close)
	const d = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if req.URL.Host != "registry.example:5000" {
			return front.Client().Transport.RoundTrip(req)
		}
		assert.Equal(t, "http", req.URL.Scheme)
		return &http.Response{StatusCode: http.StatusOK, Request: req, Body: http.NoBody, Header: http.Header{
			"Content-Type": {ocispec.MediaTypeImageIndex}, "Docker-Content-Digest": {d}}}, nil
	})
	c := newClient(t, remote.WithTransport(rt), remote.WithPlainHTTP("registry.example"))
	got, err := c.Digest(context.Background(), front.Listener.Addr().String()+"/x:1")
	require.NoError(t, err)
	assert.Equal(t, d, got.String())
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

func TestClientLoopbackFallbackOnAnyTLSRecordError(t *testing.T) {
	t.Parallel()
	srv := newServer(t, registrytest.WithTLSHelloReply([]byte("400 Bad Request\r\n\r\n")))
	refs := seed(t, srv, []string{"a", "b", "c", "d"}, 2)
	c := newClient(t)
	digests, errs := registry.NewCache(c).ResolveAll(context.Background(), refs)
	require.Empty(t, errs)
	assert.Len(t, digests, len(refs))
	st := c.Stats()
	assert.Zero(t, st.Failed, "the scheme probe is not a failed request")
	assert.Equal(t, len(refs), st.Requests["HEAD"])
}

func TestClientWindowsVersionsInOneIndex(t *testing.T) {
	t.Parallel()
	ltsc2019 := registry.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.17763.6414"}
	ltsc2022 := registry.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348.2762"}
	srv := newServer(t)
	idx, err := srv.PushIndex("windows/nanoserver", "multi", registry.MediaTypeDockerManifestList, ltsc2019, ltsc2022, amd64)
	require.NoError(t, err)
	ref := srv.Ref("windows/nanoserver", "multi")
	c := newClient(t)
	for _, tt := range []struct {
		osVersion string
		want      int
	}{{"ltsc2022", 1}, {"nanoserver-ltsc2022", 1}, {"windowsservercore-ltsc2019", 0}, {"nanoserver-1809", 0}, {"10.0.20348", 1}} {
		v, ok := registry.WindowsOSVersion(tt.osVersion)
		require.True(t, ok, tt.osVersion)
		d, err := c.PlatformDigest(context.Background(), ref, registry.Platform{OS: "windows", Architecture: "amd64", OSVersion: v})
		require.NoError(t, err, tt.osVersion)
		assert.Equal(t, idx.Manifests[tt.want].Digest, d, tt.osVersion)
	}

	_, err = c.PlatformDigest(context.Background(), ref, registry.Platform{OS: "windows", Architecture: "amd64"})
	assert.Equal(t, registry.AmbiguousPlatform, registry.KindOf(err), "two Windows releases and no os.version: say so")
	assert.ErrorContains(t, err, "10.0.17763.6414, 10.0.20348.2762")

	_, err = c.PlatformDigest(context.Background(), ref, registry.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.26100"})
	assert.Equal(t, registry.PlatformNotFound, registry.KindOf(err), "ltsc2025 is not in the index")

	d, err := c.PlatformDigest(context.Background(), ref, amd64)
	require.NoError(t, err)
	assert.Equal(t, idx.Manifests[2].Digest, d, "linux/amd64 is not ambiguous")
}
