package depgraph_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/manifest"
)

// deepChain builds the graph of a manifest whose n images form one FROM chain: c0 is built on
// alpine:3.20, c1 on c0, and so on. Every image has an image-info entry and the base of c0
// has moved, so the whole chain is stale.
func deepChain(tb testing.TB, n int) (*depgraph.Graph, depgraph.Records, depgraph.DigestLookup) {
	tb.Helper()
	fsys := fstest.MapFS{}
	repos := make([]any, n)
	recs := records{}
	for i := range n {
		name := fmt.Sprintf("c%d", i)
		repos[i] = map[string]any{"name": name, "images": []any{map[string]any{"platforms": []any{map[string]any{
			"dockerfile": name, "os": "linux", "osVersion": "noble", "tags": map[string]any{"1": map[string]any{}}}}}}}
		from := "alpine:3.20"
		if i > 0 {
			from = fmt.Sprintf("reg.io/c%d:1", i-1)
		}
		fsys[name+"/Dockerfile"] = &fstest.MapFile{Data: []byte("FROM " + from + "\n")}
		recs.set(name, "x")
	}
	recs.set("c0", "alpine@"+d1)
	data, err := json.Marshal(map[string]any{"registry": "reg.io", "repos": repos})
	require.NoError(tb, err)
	fsys["manifest.json"] = &fstest.MapFile{Data: data}
	m, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
	require.NoError(tb, err)
	g, err := depgraph.Build(m, fsys, depgraph.Options{})
	require.NoError(tb, err)
	return g, recs, depgraph.MapLookup(map[string]string{"alpine:3.20": d2})
}

// TestDeepChain checks the result on a 2,000-deep chain: every image in chain order, each
// explained by the whole chain from the root, and one image per wave.
func TestDeepChain(t *testing.T) {
	t.Parallel()
	const n = 2000
	g, recs, lookup := deepChain(t, n)
	res := depgraph.Stale(g, recs, lookup, depgraph.CheckOptions{})
	require.NoError(t, res.Err())
	require.Len(t, res.Images, n)
	for i, img := range res.Images {
		require.Equal(t, fmt.Sprintf("c%d", i), img.Path)
		if i == 0 {
			assert.Equal(t, depgraph.BaseChanged, img.Reason.Kind)
			continue
		}
		via := img.Reason.Via
		require.Len(t, via, i+1)
		require.Equal(t, "c0", via[0])
		require.Equal(t, fmt.Sprintf("c%d", i-1), via[i-1])
		require.Equal(t, img.Path, via[i])
	}
	// Via slices share their prefix; appending to one must not change another.
	a := append(res.Images[10].Reason.Via, "extra")
	assert.Equal(t, "extra", a[11])
	assert.Equal(t, "c11", res.Images[11].Reason.Via[11])
	waves := res.Waves()
	require.Len(t, waves, n)
	assert.Equal(t, []string{"c1999"}, waves[n-1])
}

// BenchmarkDeepChain is the stale computation and the build waves of an 8,000-deep FROM
// chain whose root's base moved (the graph is built once, outside the loop). B/op is the
// memory the rebuild walk takes; it grew with the square of the depth when every image
// copied its chain.
func BenchmarkDeepChain(b *testing.B) {
	g, recs, lookup := deepChain(b, 8000)
	b.ReportAllocs()
	for b.Loop() {
		res := depgraph.Stale(g, recs, lookup, depgraph.CheckOptions{})
		if len(res.Images) != 8000 || len(res.Waves()) != 8000 {
			b.Fatal("wrong rebuild set")
		}
	}
}
