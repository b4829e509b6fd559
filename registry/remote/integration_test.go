package remote_test

import (
	"context"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"oras.land/oras-go/v2"

	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
)

// TestIntegrationDistribution resolves content pushed to the CNCF distribution registry
// (Debian's docker-registry), with its real content negotiation, plain and with htpasswd
// authentication over TLS.
func TestIntegrationDistribution(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts registrytest.DistributionOptions
	}{
		{"in-memory over plain HTTP", registrytest.DistributionOptions{}},
		{"htpasswd over TLS", registrytest.DistributionOptions{TLS: true, Username: "user", Password: secret}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := registrytest.StartDistribution(t, tt.opts)
			ctx := context.Background()
			target := func(repo string) oras.Target {
				tgt, err := reg.Target(repo)
				require.NoError(t, err)
				return tgt
			}

			ociImage, err := registrytest.PushRandomImage(ctx, target("test/single-oci"), "1", amd64)
			require.NoError(t, err)
			dockerImage, err := registrytest.PushRandomImageOfType(ctx, target("test/single-docker"), "1", registry.MediaTypeDockerManifest, arm64v8)
			require.NoError(t, err)
			list, err := registrytest.PushRandomIndex(ctx, target("test/list"), "1", registry.MediaTypeDockerManifestList, amd64, arm64v8, armv7)
			require.NoError(t, err)
			oci, err := registrytest.PushRandomIndex(ctx, target("test/oci"), "1", ocispec.MediaTypeImageIndex, amd64, arm64v8)
			require.NoError(t, err)

			var opts []remote.Option
			if reg.RootCAs != nil {
				opts = append(opts, remote.WithRootCAs(reg.RootCAs))
			}
			if reg.Username != "" {
				opts = append(opts, remote.WithCredential(reg.Host, reg.Username, reg.Password))
			}
			c := newClient(t, opts...)
			cases := []struct {
				ref      string
				top      digest.Digest
				platform registry.Platform
				child    digest.Digest
			}{
				{reg.Host + "/test/single-oci:1", ociImage.Digest, amd64, ociImage.Digest},
				{reg.Host + "/test/single-docker:1", dockerImage.Digest, arm64, dockerImage.Digest},
				{reg.Host + "/test/list:1", list.Digest, arm64, list.PlatformDigest(arm64)},
				{reg.Host + "/test/list:1", list.Digest, registry.Platform{OS: "linux", Architecture: "arm"}, list.PlatformDigest(armv7)},
				{reg.Host + "/test/oci:1", oci.Digest, amd64, oci.PlatformDigest(amd64)},
				{reg.Host + "/test/oci:1", oci.Digest, arm64v8, oci.PlatformDigest(arm64)},
			}
			for _, cs := range cases {
				d, err := c.Digest(ctx, cs.ref)
				require.NoError(t, err, cs.ref)
				assert.Equal(t, cs.top, d, cs.ref)
				pd, err := c.PlatformDigest(ctx, cs.ref, cs.platform)
				require.NoError(t, err, cs.ref)
				assert.Equal(t, cs.child, pd, "%s %s", cs.ref, cs.platform)
			}
			assert.Equal(t, len(cases), c.Stats().Requests["HEAD"]-challenges(reg), "one HEAD per Digest")
			assert.Zero(t, c.Stats().Failed, "finding plain HTTP on loopback is not a failure")
			assert.Equal(t, challenges(reg), c.Stats().Challenges)

			_, err = c.Digest(ctx, reg.Host+"/test/list:missing")
			assert.Equal(t, registry.NotFound, registry.KindOf(err))

			if reg.Username != "" {
				anon := newClient(t, remote.WithRootCAs(reg.RootCAs))
				_, err := anon.Digest(ctx, reg.Host+"/test/list:1")
				assert.Equal(t, registry.Unauthorized, registry.KindOf(err))
			}
		})
	}
}

// challenges is the number of 401 challenges a client meets once per registry: one for
// Basic authentication (after it the scheme is cached for the host).
func challenges(reg *registrytest.Distribution) int {
	if reg.Username != "" {
		return 1
	}
	return 0
}

// TestIntegrationDistributionPlatforms runs the platform behaviours against the CNCF
// distribution registry, which stores indexes as pushed: Windows releases told apart by
// os.version, and an index that moved for one platform or for an attestation only.
func TestIntegrationDistributionPlatforms(t *testing.T) {
	t.Parallel()
	reg := registrytest.StartDistribution(t, registrytest.DistributionOptions{})
	ctx := context.Background()
	target := func(repo string) oras.Target {
		tgt, err := reg.Target(repo)
		require.NoError(t, err)
		return tgt
	}
	c := newClient(t)

	ltsc2019 := registry.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.17763.6414"}
	ltsc2022 := registry.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348.2762"}
	win, err := registrytest.PushRandomIndex(ctx, target("windows/nanoserver"), "multi", registry.MediaTypeDockerManifestList, ltsc2019, ltsc2022)
	require.NoError(t, err)
	ref := reg.Host + "/windows/nanoserver:multi"
	v, _ := registry.WindowsOSVersion("nanoserver-ltsc2022")
	d, err := c.PlatformDigest(ctx, ref, registry.Platform{OS: "windows", Architecture: "amd64", OSVersion: v})
	require.NoError(t, err)
	assert.Equal(t, win.Manifests[1].Digest, d)
	_, err = c.PlatformDigest(ctx, ref, registry.Platform{OS: "windows", Architecture: "amd64"})
	assert.Equal(t, registry.AmbiguousPlatform, registry.KindOf(err))

	recorded, err := registrytest.PushRandomIndex(ctx, target("library/debian"), "12", ocispec.MediaTypeImageIndex, amd64, arm64v8)
	require.NoError(t, err)
	_, err = registrytest.MoveRandomPlatform(ctx, target("library/debian"), "12", arm64)
	require.NoError(t, err)
	moved, err := c.Digest(ctx, reg.Host+"/library/debian:12")
	require.NoError(t, err)
	require.NotEqual(t, recorded.Digest, moved)
	m, err := registry.ComparePlatform(ctx, c, reg.Host+"/library/debian:12", recorded.Digest, moved, amd64)
	require.NoError(t, err)
	assert.True(t, m.Unchanged())
	m, err = registry.ComparePlatform(ctx, c, reg.Host+"/library/debian:12", recorded.Digest, moved, arm64)
	require.NoError(t, err)
	assert.False(t, m.Unchanged())

	attested, err := registrytest.AddRandomAttestation(ctx, target("library/debian"), "12")
	require.NoError(t, err)
	m, err = registry.ComparePlatform(ctx, c, reg.Host+"/library/debian:12", moved, attested.Digest, arm64)
	require.NoError(t, err)
	assert.True(t, m.Unchanged(), "an attestation alone")
}
