package remote_test

import (
	"context"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
)

func TestComparePlatformAfterTheIndexMoved(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ref := srv.Ref("library/debian", "bookworm-slim")
	recorded, err := srv.PushIndex("library/debian", "bookworm-slim", ocispec.MediaTypeImageIndex, amd64, arm64v8)
	require.NoError(t, err)
	rebuilt, err := srv.MovePlatform("library/debian", "bookworm-slim", arm64)
	require.NoError(t, err)
	attested, err := srv.PushIndex("library/alpine", "3.20", ocispec.MediaTypeImageIndex, amd64, arm64v8)
	require.NoError(t, err)
	attestedNow, err := srv.Attest("library/alpine", "3.20")
	require.NoError(t, err)

	c := newClient(t)
	ctx := context.Background()
	current, err := c.Digest(ctx, ref)
	require.NoError(t, err)
	require.Equal(t, rebuilt.Digest, current)
	require.NotEqual(t, recorded.Digest, current)

	m, err := registry.ComparePlatform(ctx, c, ref, recorded.Digest, current, amd64)
	require.NoError(t, err)
	assert.True(t, m.Unchanged(), "linux/amd64 was not rebuilt")
	assert.Equal(t, recorded.PlatformDigest(amd64), m.Recorded)
	m, err = registry.ComparePlatform(ctx, c, ref, recorded.Digest, current, arm64)
	require.NoError(t, err)
	assert.False(t, m.Unchanged(), "linux/arm64 was rebuilt")
	assert.Equal(t, rebuilt.PlatformDigest(arm64), m.Current)
	assert.Equal(t, 2, srv.CountRequests(manifests("GET")), "each index fetched once, by digest, for both platforms")

	m, err = registry.ComparePlatform(ctx, c, srv.Ref("library/alpine", "3.20"), attested.Digest, attestedNow.Digest, arm64)
	require.NoError(t, err)
	assert.True(t, m.Unchanged(), "only an attestation was added")

	// The recorded index is gone: an error, which the caller reads as moved.
	require.NoError(t, srv.Delete("library/debian", recorded.Digest))
	_, err = registry.ComparePlatform(ctx, newClient(t), ref, recorded.Digest, current, amd64)
	assert.Equal(t, registry.NotFound, registry.KindOf(err))
}

// TestHeadForOnePlatformIsNotAMove: a proxy answers the tag's HEAD with the linux/amd64
// manifest's digest (and its media type, which the request accepts). The digest reads as
// moved; comparing the platforms shows the answer was inconsistent.
func TestHeadForOnePlatformIsNotAMove(t *testing.T) {
	t.Parallel()
	srv := newServer(t, registrytest.WithHeadForPlatform(amd64, ocispec.MediaTypeImageManifest))
	recorded, err := srv.PushIndex("x", "1", ocispec.MediaTypeImageIndex, amd64, arm64v8)
	require.NoError(t, err)
	c := newClient(t)
	ctx := context.Background()
	current, err := c.Digest(ctx, srv.Ref("x", "1"))
	require.NoError(t, err)
	require.Equal(t, recorded.PlatformDigest(amd64), current, "the proxy's answer")

	_, err = registry.ComparePlatform(ctx, c, srv.Ref("x", "1"), recorded.Digest, current, amd64)
	assert.Equal(t, registry.InvalidResponse, registry.KindOf(err))
	assert.ErrorContains(t, err, "answered with one platform's manifest")
	_, err = registry.ComparePlatform(ctx, c, srv.Ref("x", "1"), recorded.Digest, current, arm64)
	assert.Equal(t, registry.PlatformNotFound, registry.KindOf(err), "never an arm64 move")
}
