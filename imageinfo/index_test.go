package imageinfo_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/imageinfo"
)

func TestIndexRealDotnetDocker(t *testing.T) {
	t.Parallel()
	d, m := boundDotnetDocker(t)
	ix := imageinfo.NewIndex(d)
	assert.Equal(t, 599, ix.Len())
	found := 0
	for _, mp := range m.Platforms() {
		e, ok := ix.Lookup(mp)
		if mp.Repo().Name == "dotnet/aspire-dashboard" {
			assert.False(t, ok, "%s has no entry", mp)
			continue
		}
		require.True(t, ok, "%s", mp)
		found++
		assert.Same(t, mp, e.Platform.ManifestPlatform())
		assert.Equal(t, mp.Repo().Name, e.Repo.Repo)
		assert.Contains(t, e.Image.Platforms, e.Platform)
		assert.Equal(t, mp.DockerfilePath, e.Platform.Dockerfile)
	}
	assert.Equal(t, 599, found)

	// A known entry: runtime 8.0 bookworm-slim arm32v7.
	mp := m.PlatformByTag("mcr.microsoft.com/dotnet/runtime:8.0.30-bookworm-slim-arm32v7")
	require.NotNil(t, mp)
	e, ok := ix.Lookup(mp)
	require.True(t, ok)
	assert.Equal(t, "src/runtime/8.0/bookworm-slim/arm32v7/Dockerfile", e.Platform.Dockerfile)
	assert.Equal(t, "8.0.30", *e.Image.ProductVersion)
	require.NotNil(t, e.Platform.BaseImageDigest)
	assert.Contains(t, *e.Platform.BaseImageDigest, "mcr.microsoft.com/dotnet/runtime-deps@sha256:")

	// Platforms of another manifest value are not found.
	other := dotnetDockerManifest(t)
	_, ok = ix.Lookup(other.Platforms()[0])
	assert.False(t, ok)
}

func TestIndexTakesTheFirstRepoAndImage(t *testing.T) {
	t.Parallel()
	m := loadManifest(t, mergeManifest, mergeDockerfiles...)
	d := parse(t, docj(
		repoj("r",
			imgj("1.0.1", platformsj(pj("a", "arm64", `"simpleTags": ["x"]`))),
			imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["x"], "digest": "first"`), pj("a", "amd64", `"simpleTags": ["y"], "digest": "second"`))),
			imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["x"], "digest": "third"`)))),
		repoj("r", imgj("1.0.1", platformsj(pj("a", "arm64", `"simpleTags": ["x"], "digest": "other repo"`)))),
	), m, imageinfo.BindOptions{})
	ix := imageinfo.NewIndex(d)
	amd := m.RepoByName("r").Images[0].Platforms[0]
	arm := m.RepoByName("r").Images[0].Platforms[1]
	e, ok := ix.Lookup(amd)
	require.True(t, ok)
	assert.Equal(t, "first", e.Platform.Digest)
	assert.Same(t, d.Repos[0].Images[1], e.Image)
	e, ok = ix.Lookup(arm)
	require.True(t, ok)
	assert.Same(t, d.Repos[0], e.Repo)
	_, ok = ix.Lookup(m.RepoByName("q").Images[0].Platforms[0])
	assert.False(t, ok)

	// An unbound document has no entries.
	assert.Zero(t, imageinfo.NewIndex(parseFile(t, dotnetDockerInfo)).Len())
}
