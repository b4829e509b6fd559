package registry_test

import (
	"context"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/registry"
)

func TestStatic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	idx, amd, arm := digestOf("index"), digestOf("amd64"), digestOf("arm64")
	s, err := registry.NewStatic(map[string]digest.Digest{"alpine:3.20": idx})
	require.NoError(t, err)
	require.NoError(t, s.SetPlatform("docker.io/library/alpine:3.20", registry.Platform{OS: "linux", Architecture: "amd64"}, amd))
	require.NoError(t, s.SetPlatform("alpine:3.20", registry.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, arm))

	d, err := s.Digest(ctx, "library/alpine:3.20")
	require.NoError(t, err)
	assert.Equal(t, idx, d)
	d, err = s.PlatformDigest(ctx, "alpine:3.20", registry.Platform{OS: "linux", Architecture: "arm64"})
	require.NoError(t, err)
	assert.Equal(t, arm, d)
	d, err = s.PlatformDigest(ctx, "alpine:3.20", registry.Platform{OS: "linux", Architecture: "amd64"})
	require.NoError(t, err)
	assert.Equal(t, amd, d)

	_, err = s.PlatformDigest(ctx, "alpine:3.20", registry.Platform{OS: "linux", Architecture: "s390x"})
	assert.Equal(t, registry.PlatformNotFound, registry.KindOf(err))
	assert.EqualError(t, err, "registry: lookup docker.io/library/alpine:3.20: no manifest for platform: linux/s390x")
	_, err = s.Digest(ctx, "debian")
	assert.Equal(t, registry.NotFound, registry.KindOf(err))
	assert.EqualError(t, err, "registry: lookup docker.io/library/debian:latest: not found")
	_, err = s.PlatformDigest(ctx, "debian", registry.Platform{OS: "linux", Architecture: "amd64"})
	assert.Equal(t, registry.NotFound, registry.KindOf(err))

	d, err = s.Digest(ctx, "debian@"+pin)
	require.NoError(t, err)
	assert.Equal(t, digest.Digest(pin), d, "a pinned reference resolves to its digest")

	// Moving the tag replaces the digest and forgets the old index's platforms.
	moved := digestOf("index2")
	require.NoError(t, s.Set("alpine:3.20", moved))
	d, err = s.Digest(ctx, "alpine:3.20")
	require.NoError(t, err)
	assert.Equal(t, moved, d)
	_, err = s.PlatformDigest(ctx, "alpine:3.20", registry.Platform{OS: "linux", Architecture: "amd64"})
	assert.Equal(t, registry.PlatformNotFound, registry.KindOf(err))

	assert.Error(t, s.Set("Bad", moved))
	assert.Error(t, s.Set("alpine", "sha256:short"))
	_, err = registry.NewStatic(map[string]digest.Digest{"Bad": idx})
	assert.Equal(t, registry.InvalidReference, registry.KindOf(err))
}

func TestCounting(t *testing.T) {
	t.Parallel()
	c := registry.NewCounting(echo)
	ctx := context.Background()
	_, _ = c.Digest(ctx, "alpine")
	_, _ = c.Digest(ctx, "docker.io/library/alpine:latest")
	_, _ = c.PlatformDigest(ctx, "alpine", registry.Platform{OS: "linux", Architecture: "amd64"})
	_, _ = c.Digest(ctx, "Bad ref")
	assert.Equal(t, 2, c.DigestCalls("alpine:latest"))
	assert.Equal(t, 1, c.PlatformCalls("alpine"))
	assert.Equal(t, 3, c.Calls("alpine"))
	assert.Equal(t, 1, c.Calls("Bad ref"))
	assert.Equal(t, 4, c.Total())
	assert.Equal(t, 0, c.Calls("debian"))
}
