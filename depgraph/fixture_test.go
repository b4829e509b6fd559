package depgraph_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/manifest"
)

// dotnetDocker loads the real dotnet-docker manifest, its Dockerfiles and the published
// image-info of the same day, and returns the digests image-info records for each external
// final base, as a registry that has not moved would report them.
func dotnetDocker(t testing.TB) (*depgraph.Graph, depgraph.Records, map[string]string) {
	t.Helper()
	fsys := os.DirFS("../testdata/dotnet-docker")
	m, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
	require.NoError(t, err)
	g, err := depgraph.Build(m, fsys, depgraph.Options{})
	require.NoError(t, err)
	data, err := os.ReadFile("../testdata/dotnet-docker/image-info.dotnet-dotnet-docker-main.json")
	require.NoError(t, err)
	recs, err := depgraph.LoadImageInfoRecords("image-info.dotnet-dotnet-docker-main.json", data, m)
	require.NoError(t, err)
	digests := map[string]string{}
	for _, n := range g.Candidates(manifest.Filter{}) {
		recorded, found := recs.BaseImageDigest(n.Platform)
		require.True(t, found, "every candidate has an image-info entry: %s", n.Platform)
		_, d, _ := strings.Cut(recorded, "@")
		if prev, ok := digests[n.Final.Image]; ok {
			require.Equal(t, prev, d, "one digest per base tag (testdata/SOURCES.md)")
		}
		digests[n.Final.Image] = d
	}
	return g, recs, digests
}

func TestDotnetDockerUpToDate(t *testing.T) {
	t.Parallel()
	g, recs, digests := dotnetDocker(t)
	assert.Len(t, g.Candidates(manifest.Filter{}), 107)
	assert.Len(t, g.Lookups(recs, depgraph.CheckOptions{}), 22, "one lookup per distinct external final base")
	res := depgraph.Stale(g, recs, depgraph.MapLookup(digests), depgraph.CheckOptions{})
	require.NoError(t, res.Err())
	assert.Empty(t, res.Paths())
	assert.Len(t, res.Checks, 107)
	for _, c := range res.Checks {
		assert.Equal(t, c.Recorded, c.Current)
	}
}

func moved(digests map[string]string, ref string) depgraph.DigestLookup {
	d := map[string]string{}
	for k, v := range digests {
		d[k] = v
	}
	d[ref] = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
	return depgraph.MapLookup(d)
}

func TestDotnetDockerOneBaseMoves(t *testing.T) {
	t.Parallel()
	g, recs, digests := dotnetDocker(t)

	t.Run("small: arm32v7/debian:bookworm-slim", func(t *testing.T) {
		// Two platforms build their final stage on arm32v7/debian:bookworm-slim, in manifest
		// order runtime-deps 8.0 then runtime-deps 9.0 (bookworm-slim, arm32v7). Each is the root
		// of a chain: runtime builds FROM runtime-deps (installer and final stages), aspnet FROM
		// runtime, sdk FROM aspnet, and nothing else builds on those tags. The walk visits each
		// chain depth first, children before parents, so each root is followed by its chain.
		res := depgraph.Stale(g, recs, moved(digests, "arm32v7/debian:bookworm-slim"), depgraph.CheckOptions{})
		require.NoError(t, res.Err())
		assert.Equal(t, []string{
			"src/runtime-deps/8.0/bookworm-slim/arm32v7",
			"src/runtime/8.0/bookworm-slim/arm32v7",
			"src/aspnet/8.0/bookworm-slim/arm32v7",
			"src/sdk/8.0/bookworm-slim/arm32v7",
			"src/runtime-deps/9.0/bookworm-slim/arm32v7",
			"src/runtime/9.0/bookworm-slim/arm32v7",
			"src/aspnet/9.0/bookworm-slim/arm32v7",
			"src/sdk/9.0/bookworm-slim/arm32v7",
		}, res.Paths())
		assert.Equal(t, depgraph.BaseChanged, res.Images[4].Reason.Kind)
		assert.Equal(t, "arm32v7/debian@"+digests["arm32v7/debian:bookworm-slim"], res.Images[4].Reason.Recorded)
		assert.Equal(t, "arm32v7/debian@sha256:0000000000000000000000000000000000000000000000000000000000000000", res.Images[4].Reason.Current)
		assert.Len(t, res.Waves(), 4)
	})

	t.Run("large: ubuntu.azurecr.io/ubuntu:noble", func(t *testing.T) {
		// Eight runtime-deps platforms build on ubuntu noble: 8.0 amd64 and arm64v8 (8.0 has
		// no noble arm32v7), then 9.0 and 10.0 for amd64, arm32v7 and arm64v8. Each heads a
		// runtime → aspnet → sdk chain, and 10.0's amd64 and arm64v8 sdk images have one more
		// child, sdk noble-aot. 8 chains of 4 plus 2 = 34 paths.
		res := depgraph.Stale(g, recs, moved(digests, "ubuntu.azurecr.io/ubuntu:noble"), depgraph.CheckOptions{})
		require.NoError(t, res.Err())
		var want []string
		for _, va := range []string{"8.0/noble/amd64", "8.0/noble/arm64v8", "9.0/noble/amd64", "9.0/noble/arm32v7",
			"9.0/noble/arm64v8", "10.0/noble/amd64", "10.0/noble/arm32v7", "10.0/noble/arm64v8"} {
			for _, repo := range []string{"runtime-deps", "runtime", "aspnet", "sdk"} {
				want = append(want, "src/"+repo+"/"+va)
			}
			if strings.HasPrefix(va, "10.0") && !strings.HasSuffix(va, "arm32v7") {
				want = append(want, "src/sdk/10.0/noble-aot/"+va[len("10.0/noble/"):])
			}
		}
		assert.Equal(t, want, res.Paths())
		waves := res.Waves()
		require.Len(t, waves, 5)
		assert.Len(t, waves[0], 8)
		assert.Equal(t, []string{"src/sdk/10.0/noble-aot/amd64", "src/sdk/10.0/noble-aot/arm64v8"}, waves[4])
		for _, img := range res.Images[1:4] {
			assert.Equal(t, depgraph.DependsOn, img.Reason.Kind)
			assert.Equal(t, "src/runtime-deps/8.0/noble/amd64", img.Reason.Via[0])
		}
	})

	t.Run("filter keeps only linux arm64", func(t *testing.T) {
		filter := manifest.Filter{OSType: "linux", Architecture: "arm64"}
		res := depgraph.Stale(g, recs, moved(digests, "ubuntu.azurecr.io/ubuntu:noble"), depgraph.CheckOptions{Filter: filter})
		require.NoError(t, res.Err())
		assert.Equal(t, []string{
			"src/runtime-deps/8.0/noble/arm64v8", "src/runtime/8.0/noble/arm64v8", "src/aspnet/8.0/noble/arm64v8", "src/sdk/8.0/noble/arm64v8",
			"src/runtime-deps/9.0/noble/arm64v8", "src/runtime/9.0/noble/arm64v8", "src/aspnet/9.0/noble/arm64v8", "src/sdk/9.0/noble/arm64v8",
			"src/runtime-deps/10.0/noble/arm64v8", "src/runtime/10.0/noble/arm64v8", "src/aspnet/10.0/noble/arm64v8", "src/sdk/10.0/noble/arm64v8",
			"src/sdk/10.0/noble-aot/arm64v8",
		}, res.Paths())
	})
}

func TestDotnetDockerAllBasesMove(t *testing.T) {
	t.Parallel()
	g, recs, digests := dotnetDocker(t)
	all := map[string]string{}
	for ref := range digests {
		all[ref] = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
	}
	res := depgraph.Stale(g, recs, depgraph.MapLookup(all), depgraph.CheckOptions{})
	require.NoError(t, res.Err())
	// Reference section 8: with all 22 tags changed, 461 distinct paths; the other 140
	// platforms are scratch-based trees no external final stage reaches.
	assert.Len(t, res.Paths(), 461)
}

// BenchmarkPurePass is the CPU part of a check on dotnet-docker: manifest, 601 Dockerfiles,
// the 1.2 MB image-info, and the stale computation against a map of digests.
func BenchmarkPurePass(b *testing.B) {
	fsys := os.DirFS("../testdata/dotnet-docker")
	data, err := os.ReadFile("../testdata/dotnet-docker/image-info.dotnet-dotnet-docker-main.json")
	require.NoError(b, err)
	_, _, digests := dotnetDocker(b)
	lookup := depgraph.MapLookup(digests)
	b.ReportAllocs()
	for b.Loop() {
		m, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
		require.NoError(b, err)
		g, err := depgraph.Build(m, fsys, depgraph.Options{})
		require.NoError(b, err)
		recs, err := depgraph.LoadImageInfoRecords("image-info.json", data, m)
		require.NoError(b, err)
		if res := depgraph.Stale(g, recs, lookup, depgraph.CheckOptions{}); len(res.Paths()) != 0 {
			b.Fatal("stale paths on an up-to-date fixture")
		}
	}
}
