package registrytest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
)

var (
	amd64   = registry.Platform{OS: "linux", Architecture: "amd64"}
	arm64v8 = registry.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
)

const (
	dockerManifest = registry.MediaTypeDockerManifest
	dockerList     = registry.MediaTypeDockerManifestList
	ociManifest    = ocispec.MediaTypeImageManifest
	ociIndex       = ocispec.MediaTypeImageIndex
)

// negotiationCase is one row of the content-negotiation table: what a HEAD of a Docker
// manifest list ("list") or an OCI index ("oci"), by tag or by digest, returns for an Accept
// header. want is "index" (the index itself), "amd64" (the linux/amd64 entry in its place) or
// "404".
type negotiationCase struct {
	tag    string
	byTag  bool
	accept []string
	want   string
}

var negotiationCases = []negotiationCase{
	{"list", true, []string{dockerManifest}, "amd64"},
	{"list", true, []string{dockerList}, "index"},
	{"list", true, []string{dockerList, dockerManifest}, "index"},
	{"list", true, []string{ociIndex, dockerList, ociManifest, dockerManifest}, "index"},
	{"list", false, []string{dockerManifest}, "index"}, // by digest, never replaced
	{"oci", true, []string{dockerManifest}, "404"},
	{"oci", true, []string{dockerList, dockerManifest}, "404"},
	{"oci", true, []string{ociIndex}, "index"},
	{"oci", true, []string{ociIndex, dockerList, ociManifest, dockerManifest}, "index"},
	{"oci", false, []string{ociManifest}, "404"}, // by digest too
}

// checkNegotiation pushes a list and an OCI index with push and runs every case against baseURL.
func checkNegotiation(t *testing.T, baseURL string, client *http.Client, push func(tag, mediaType string) registrytest.Index) {
	t.Helper()
	indexes := map[string]registrytest.Index{"list": push("list", dockerList), "oci": push("oci", ociIndex)}
	for _, tc := range negotiationCases {
		idx := indexes[tc.tag]
		ref := tc.tag
		if !tc.byTag {
			ref = idx.Digest.String()
		}
		req, err := http.NewRequest(http.MethodHead, baseURL+"/v2/neg/manifests/"+ref, nil)
		require.NoError(t, err)
		req.Header.Set("Accept", strings.Join(tc.accept, ", "))
		resp, err := client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		got := "404"
		if resp.StatusCode == http.StatusOK {
			switch d := digest.Digest(resp.Header.Get("Docker-Content-Digest")); d {
			case idx.Digest:
				got = "index"
			case idx.PlatformDigest(amd64):
				got = "amd64"
			default:
				got = "other " + resp.Header.Get("Content-Type")
			}
		} else {
			assert.Equal(t, http.StatusNotFound, resp.StatusCode)
		}
		assert.Equal(t, tc.want, got, "HEAD %s by tag=%v, Accept: %s", tc.tag, tc.byTag, strings.Join(tc.accept, ", "))
	}
}

func TestNegotiation(t *testing.T) {
	t.Parallel()
	srv := registrytest.New()
	defer srv.Close()
	checkNegotiation(t, srv.URL(), http.DefaultClient, func(tag, mediaType string) registrytest.Index {
		idx, err := srv.PushIndex("neg", tag, mediaType, amd64, arm64v8)
		require.NoError(t, err)
		return idx
	})
}

// TestNegotiationMatchesDistribution runs the same table against the real distribution
// registry, which is what the in-process server imitates.
func TestNegotiationMatchesDistribution(t *testing.T) {
	t.Parallel()
	reg := registrytest.StartDistribution(t, registrytest.DistributionOptions{})
	target, err := reg.Target("neg")
	require.NoError(t, err)
	checkNegotiation(t, "http://"+reg.Host, http.DefaultClient, func(tag, mediaType string) registrytest.Index {
		idx, err := registrytest.PushRandomIndex(context.Background(), target, tag, mediaType, amd64, arm64v8)
		require.NoError(t, err)
		return idx
	})
}

// TestSchema1Differences pins where the server departs from distribution: where distribution
// would convert to schema 1, it answers 404.
func TestSchema1Differences(t *testing.T) {
	t.Parallel()
	srv := registrytest.New()
	defer srv.Close()
	_, err := srv.PushIndex("x", "list", dockerList, amd64)
	require.NoError(t, err)
	_, err = srv.PushImageOfType("x", "image", dockerManifest, amd64)
	require.NoError(t, err)
	for _, tc := range []struct{ tag, accept string }{{"list", ""}, {"list", ociIndex}, {"image", ociManifest}, {"image", ""}} {
		req, err := http.NewRequest(http.MethodGet, srv.URL()+"/v2/x/manifests/"+tc.tag, nil)
		require.NoError(t, err)
		if tc.accept != "" {
			req.Header.Set("Accept", tc.accept)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, "%s with Accept %q", tc.tag, tc.accept)
	}
}
