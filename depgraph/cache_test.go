package depgraph_test

import (
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/manifest"
)

func TestBuildWithParseCache(t *testing.T) {
	t.Parallel()
	fsys := os.DirFS("../testdata/dotnet-docker")
	m, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
	require.NoError(t, err)
	want, err := depgraph.Build(m, fsys, depgraph.Options{})
	require.NoError(t, err)

	cache := dockerfile.NewCache()
	for run := range 2 {
		var mu sync.Mutex
		parsed := map[*depgraph.Node]int{}
		g, err := depgraph.Build(m, fsys, depgraph.Options{Cache: cache, Parsed: func(n *depgraph.Node) {
			mu.Lock()
			parsed[n]++
			mu.Unlock()
		}})
		require.NoError(t, err)
		require.Len(t, g.Nodes, len(want.Nodes))
		assert.Len(t, parsed, len(g.Nodes), "Parsed sees every node")
		for n, calls := range parsed {
			assert.Equal(t, 1, calls, "once: %s", n.Platform.DockerfilePath)
			assert.Same(t, g.Nodes[n.Platform.Index], n)
		}
		for i, n := range g.Nodes {
			assert.Equal(t, want.Nodes[i].File, n.File, "run %d: %s", run, n.Platform.DockerfilePath)
			assert.Equal(t, want.Nodes[i].From, n.From)
			assert.Equal(t, want.Nodes[i].Final, n.Final)
		}
	}
	st := cache.Stats()
	// 601 platforms; the first run parses each distinct (Dockerfile, options) once, the second
	// parses nothing.
	assert.Equal(t, int64(2*len(want.Nodes)), st.Hits+st.Misses)
	assert.Less(t, st.Misses, int64(len(want.Nodes)))
	assert.GreaterOrEqual(t, st.Hits, int64(len(want.Nodes)))
}

func BenchmarkPurePassWarmCache(b *testing.B) {
	fsys := os.DirFS("../testdata/dotnet-docker")
	data, err := os.ReadFile("../testdata/dotnet-docker/image-info.dotnet-dotnet-docker-main.json")
	require.NoError(b, err)
	_, _, digests := dotnetDocker(b)
	lookup := depgraph.MapLookup(digests)
	cache := dockerfile.NewCache()
	b.ReportAllocs()
	for b.Loop() {
		m, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
		require.NoError(b, err)
		g, err := depgraph.Build(m, fsys, depgraph.Options{Cache: cache})
		require.NoError(b, err)
		recs, err := depgraph.LoadImageInfoRecords("image-info.json", data, m)
		require.NoError(b, err)
		if res := depgraph.Stale(g, recs, lookup, depgraph.CheckOptions{}); len(res.Paths()) != 0 {
			b.Fatal("stale paths on an up-to-date fixture")
		}
	}
}
