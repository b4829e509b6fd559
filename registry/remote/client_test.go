package remote_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"oras.land/oras-go/v2/registry/remote/errcode"

	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
)

func TestClientResolvesEveryManifestKind(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ociImage, err := srv.PushImage("app/oci", "1", arm64v8)
	require.NoError(t, err)
	dockerImage, err := srv.PushImageOfType("app/docker", "1", registry.MediaTypeDockerManifest, amd64)
	require.NoError(t, err)
	list, err := srv.PushIndex("library/alpine", "3.20", registry.MediaTypeDockerManifestList, amd64, arm64v8, armv7)
	require.NoError(t, err)
	oci, err := srv.PushIndex("dotnet/runtime", "8.0", ocispec.MediaTypeImageIndex, amd64, arm64v8)
	require.NoError(t, err)

	tests := []struct {
		name     string
		ref      string
		top      digest.Digest
		platform registry.Platform
		child    digest.Digest
	}{
		{"OCI image", srv.Ref("app/oci", "1"), ociImage, arm64, ociImage},
		{"Docker image", srv.Ref("app/docker", "1"), dockerImage, amd64, dockerImage},
		{"Docker list arm64", srv.Ref("library/alpine", "3.20"), list.Digest, arm64, list.PlatformDigest(arm64v8)},
		{"Docker list arm64/v8", srv.Ref("library/alpine", "3.20"), list.Digest, arm64v8, list.Manifests[1].Digest},
		{"Docker list arm", srv.Ref("library/alpine", "3.20"), list.Digest, registry.Platform{OS: "linux", Architecture: "arm"}, list.Manifests[2].Digest},
		{"OCI index amd64", srv.Ref("dotnet/runtime", "8.0"), oci.Digest, amd64, oci.Manifests[0].Digest},
		{"OCI index arm64", srv.Ref("dotnet/runtime", "8.0"), oci.Digest, arm64, oci.Manifests[1].Digest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t)
			d, err := c.Digest(context.Background(), tt.ref)
			require.NoError(t, err)
			assert.Equal(t, tt.top, d)
			assert.Equal(t, map[string]int{"HEAD": 1}, c.Stats().Requests, "the top-level digest costs one HEAD")

			pd, err := c.PlatformDigest(context.Background(), tt.ref, tt.platform)
			require.NoError(t, err)
			assert.Equal(t, tt.child, pd)
			assert.NotEqual(t, pd, list.Digest)
		})
	}
}

func TestClientSendsEveryManifestType(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	idx, err := srv.PushIndex("x", "1", ocispec.MediaTypeImageIndex, amd64)
	require.NoError(t, err)
	c := newClient(t)
	_, err = c.Digest(context.Background(), srv.Ref("x", "1"))
	require.NoError(t, err)
	_, err = c.PlatformDigest(context.Background(), srv.Ref("x", "1"), amd64)
	require.NoError(t, err)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		for _, mt := range []string{ocispec.MediaTypeImageIndex, registry.MediaTypeDockerManifestList,
			ocispec.MediaTypeImageManifest, registry.MediaTypeDockerManifest} {
			assert.Contains(t, r.Accept, mt, "%s %s", r.Method, r.Path)
		}
	}
	assert.NotEmpty(t, idx.Digest)
}

func TestClientNotFound(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	_, err := srv.PushImage("x", "1", amd64)
	require.NoError(t, err)
	for _, ref := range []string{srv.Ref("x", "missing"), srv.Ref("nope", "1")} {
		t.Run(ref, func(t *testing.T) {
			c := newClient(t)
			_, err := c.Digest(context.Background(), ref)
			var re *registry.Error
			require.ErrorAs(t, err, &re)
			assert.Equal(t, registry.NotFound, re.Kind)
			assert.Equal(t, http.StatusNotFound, re.StatusCode)
			assert.Equal(t, "HEAD", re.Op)
			assert.Equal(t, "registry: HEAD "+ref+": not found (404)", err.Error())
			var er *errcode.ErrorResponse
			assert.ErrorAs(t, err, &er)
			assert.Equal(t, map[string]int{"HEAD": 1, "GET": 1}, c.Stats().Requests,
				"404 is not retried; a 404 on HEAD is confirmed with one GET (some proxies 404 a HEAD)")
			assert.Empty(t, c.Stats().Warnings, "a tag that is not there is no registry quirk")

			_, err = c.PlatformDigest(context.Background(), ref, amd64)
			require.ErrorAs(t, err, &re)
			assert.Equal(t, registry.NotFound, re.Kind)
			assert.Equal(t, "GET", re.Op)
		})
	}
}

func TestClientPlatformNotFound(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	_, err := srv.PushIndex("multi", "1", ocispec.MediaTypeImageIndex, amd64, arm64v8)
	require.NoError(t, err)
	_, err = srv.PushImage("single", "1", amd64)
	require.NoError(t, err)
	c := newClient(t)
	s390x := registry.Platform{OS: "linux", Architecture: "s390x"}

	_, err = c.PlatformDigest(context.Background(), srv.Ref("multi", "1"), s390x)
	assert.Equal(t, registry.PlatformNotFound, registry.KindOf(err))
	assert.ErrorContains(t, err, "linux/s390x not among [linux/amd64, linux/arm64/v8]")

	_, err = c.PlatformDigest(context.Background(), srv.Ref("single", "1"), arm64)
	assert.Equal(t, registry.PlatformNotFound, registry.KindOf(err))
	assert.ErrorContains(t, err, "linux/arm64 not among [linux/amd64]")
}

func TestClientPinnedReference(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	idx, err := srv.PushIndex("x", "1", ocispec.MediaTypeImageIndex, amd64, arm64v8)
	require.NoError(t, err)
	c := newClient(t)
	pinned := srv.Host() + "/x@" + idx.Digest.String()

	d, err := c.Digest(context.Background(), pinned)
	require.NoError(t, err)
	assert.Equal(t, idx.Digest, d)
	assert.Empty(t, srv.Requests(), "a pinned reference needs no request")

	pd, err := c.PlatformDigest(context.Background(), pinned, arm64)
	require.NoError(t, err)
	assert.Equal(t, idx.PlatformDigest(arm64), pd)
	require.Len(t, srv.Requests(), 1)
	assert.Equal(t, "/v2/x/manifests/"+idx.Digest.String(), srv.Requests()[0].Path)

	// Content that does not match the pinned digest is an error, even when the registry's
	// own header agrees with the content.
	other := digest.FromString("other")
	var served digest.Digest // what the registry really serves when asked for other
	swap := newServer(t, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.URL.Path = strings.Replace(r.URL.Path, other.String(), served.String(), 1)
			next.ServeHTTP(w, r)
		})
	}))
	swapped, err := swap.PushIndex("x", "1", ocispec.MediaTypeImageIndex, amd64)
	require.NoError(t, err)
	served = swapped.Digest
	_, err = c.PlatformDigest(context.Background(), swap.Host()+"/x@"+other.String(), amd64)
	assert.Equal(t, registry.InvalidResponse, registry.KindOf(err))
	assert.ErrorContains(t, err, "not the requested "+other.String())
}

func TestClientMissingDigestHeaderFallsBackToGet(t *testing.T) {
	t.Parallel()
	srv := newServer(t, registrytest.WithMiddleware(stripDigest(isManifestRequest, "")))
	idx, err := srv.PushIndex("x", "1", registry.MediaTypeDockerManifestList, amd64, arm64v8)
	require.NoError(t, err)
	c := newClient(t)
	d, err := c.Digest(context.Background(), srv.Ref("x", "1"))
	require.NoError(t, err)
	assert.Equal(t, idx.Digest, d, "computed from the body")
	assert.Equal(t, 1, srv.CountRequests(manifests("HEAD")))
	assert.Equal(t, 1, srv.CountRequests(manifests("GET")))

	pd, err := c.PlatformDigest(context.Background(), srv.Ref("x", "1"), arm64)
	require.NoError(t, err)
	assert.Equal(t, idx.PlatformDigest(arm64), pd)
}

func TestClientDigestMismatchIsAnError(t *testing.T) {
	t.Parallel()
	wrong := digest.FromString("not the manifest").String()
	srv := newServer(t,
		registrytest.WithMiddleware(stripDigest(func(r *http.Request) bool { return isManifestRequest(r) && r.Method == http.MethodHead }, "")),
		registrytest.WithMiddleware(stripDigest(func(r *http.Request) bool { return isManifestRequest(r) && r.Method == http.MethodGet }, wrong)))
	_, err := srv.PushIndex("x", "1", ocispec.MediaTypeImageIndex, amd64)
	require.NoError(t, err)
	c := newClient(t)

	d, err := c.Digest(context.Background(), srv.Ref("x", "1"))
	assert.Empty(t, d)
	var re *registry.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, registry.InvalidResponse, re.Kind)
	assert.Contains(t, err.Error(), "Docker-Content-Digest header says "+wrong)

	_, err = c.PlatformDigest(context.Background(), srv.Ref("x", "1"), amd64)
	assert.Equal(t, registry.InvalidResponse, registry.KindOf(err))
}

func TestClientInvalidDigestHeader(t *testing.T) {
	t.Parallel()
	srv := newServer(t, registrytest.WithMiddleware(stripDigest(isManifestRequest, "sha256:nothex")))
	_, err := srv.PushImage("x", "1", amd64)
	require.NoError(t, err)
	_, err = newClient(t).Digest(context.Background(), srv.Ref("x", "1"))
	assert.Equal(t, registry.InvalidResponse, registry.KindOf(err))
}

func TestClientInvalidReference(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	_, err := c.Digest(context.Background(), "Alpine:3.20")
	assert.Equal(t, registry.InvalidReference, registry.KindOf(err))
	_, err = c.PlatformDigest(context.Background(), "alpine:$TAG", amd64)
	assert.Equal(t, registry.InvalidReference, registry.KindOf(err))
	assert.Empty(t, c.Stats().Requests)
}

func TestClientRateLimitHeaders(t *testing.T) {
	t.Parallel()
	srv := newServer(t, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("ratelimit-limit", "100;w=21600")
			w.Header().Set("ratelimit-remaining", "76;w=21600")
			next.ServeHTTP(w, r)
		})
	}))
	_, err := srv.PushImage("x", "1", amd64)
	require.NoError(t, err)
	c := newClient(t)
	assert.Zero(t, c.Stats().RateLimit)
	_, err = c.Digest(context.Background(), srv.Ref("x", "1"))
	require.NoError(t, err)
	st := c.Stats()
	assert.Equal(t, registry.RateLimit{Limit: 100, Remaining: 76, Window: 21600e9}, st.RateLimit)
	assert.Equal(t, srv.Host(), st.RateLimitHost)
}

func TestClientTLS(t *testing.T) {
	t.Parallel()
	srv := newServer(t, registrytest.WithTLS())
	d0, err := srv.PushImage("x", "1", amd64)
	require.NoError(t, err)

	c := newClient(t, remote.WithRootCAs(srv.CertPool()))
	d, err := c.Digest(context.Background(), srv.Ref("x", "1"))
	require.NoError(t, err)
	assert.Equal(t, d0, d)
	assert.Zero(t, c.Stats().Failed, "HTTPS worked at once")

	// Without the certificate the lookup fails; the client does not fall back to plain HTTP.
	_, err = newClient(t).Digest(context.Background(), srv.Ref("x", "1"))
	assert.Equal(t, registry.Network, registry.KindOf(err))
	assert.ErrorContains(t, err, "certificate")
	assert.Equal(t, 1, srv.CountRequests(manifests("HEAD")), "the failed handshake never reached the handler")
}

func TestClientLoopbackFallsBackToPlainHTTPOnce(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, tag := range []string{"1", "2", "3"} {
		_, err := srv.PushImage("x", tag, amd64)
		require.NoError(t, err)
	}
	c := newClient(t)
	for _, tag := range []string{"1", "2", "3"} {
		_, err := c.Digest(context.Background(), srv.Ref("x", tag))
		require.NoError(t, err)
	}
	st := c.Stats()
	assert.Zero(t, st.Failed, "the HTTPS attempt that finds plain HTTP is not a failure")
	assert.Equal(t, 3, st.Requests["HEAD"])

	named := newClient(t, remote.WithPlainHTTP(srv.Host()))
	_, err := named.Digest(context.Background(), srv.Ref("x", "1"))
	require.NoError(t, err)
	assert.Zero(t, named.Stats().Failed, "a host named plain HTTP is not tried over HTTPS")
}

func TestClientUserAgent(t *testing.T) {
	t.Parallel()
	var ua string
	srv := newServer(t, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ua = r.Header.Get("User-Agent")
			next.ServeHTTP(w, r)
		})
	}))
	_, err := srv.PushImage("x", "1", amd64)
	require.NoError(t, err)
	_, err = newClient(t, remote.WithUserAgent("baseflow-test/1")).Digest(context.Background(), srv.Ref("x", "1"))
	require.NoError(t, err)
	assert.Equal(t, "baseflow-test/1", ua)
	assert.True(t, strings.HasPrefix(remote.DefaultUserAgent, "baseflow"))
}
