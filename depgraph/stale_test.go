package depgraph_test

import (
	"encoding/json"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/manifest"
)

// spec describes one platform of a synthetic manifest: its repo (name), Dockerfile path
// (directory, unless it ends in a file name given by file), tags, and Dockerfile text.
type spec struct {
	repo, path, file string
	arch             string
	tags             []string
	dockerfile       string
	buildArgs        map[string]string
}

// build writes a one-image-per-platform manifest in registry "reg.io" and loads its graph.
func build(t *testing.T, specs ...spec) (*depgraph.Graph, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	type platform struct {
		Dockerfile   string            `json:"dockerfile"`
		OS           string            `json:"os"`
		OSVersion    string            `json:"osVersion"`
		Architecture string            `json:"architecture,omitempty"`
		Tags         map[string]any    `json:"tags"`
		BuildArgs    map[string]string `json:"buildArgs,omitempty"`
	}
	type image struct {
		Platforms []platform `json:"platforms"`
	}
	type repo struct {
		Name   string  `json:"name"`
		Images []image `json:"images"`
	}
	var repos []*repo
	byName := map[string]*repo{}
	for _, s := range specs {
		r := byName[s.repo]
		if r == nil {
			r = &repo{Name: s.repo}
			byName[s.repo] = r
			repos = append(repos, r)
		}
		tags := map[string]any{}
		for _, t := range s.tags {
			tags[t] = struct{}{}
		}
		r.Images = append(r.Images, image{Platforms: []platform{{Dockerfile: s.path, OS: "linux", OSVersion: "noble", Architecture: s.arch, Tags: tags, BuildArgs: s.buildArgs}}})
		file := s.path + "/Dockerfile"
		if s.file != "" {
			file = s.path
		}
		if existing, ok := fsys[file]; ok {
			require.Equal(t, s.dockerfile, string(existing.Data), "two specs share %s with different content", file)
		}
		fsys[file] = &fstest.MapFile{Data: []byte(s.dockerfile)}
	}
	data, err := json.Marshal(map[string]any{"registry": "reg.io", "repos": repos})
	require.NoError(t, err)
	fsys["manifest.json"] = &fstest.MapFile{Data: data}
	m, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
	require.NoError(t, err)
	return depgraph.Build(m, fsys, depgraph.Options{})
}

func mustBuild(t *testing.T, specs ...spec) *depgraph.Graph {
	t.Helper()
	g, err := build(t, specs...)
	require.NoError(t, err)
	return g
}

// records is image-info reduced to what the check reads: the recorded baseImageDigest per
// Dockerfile path and architecture. A platform with no key has no entry.
type records map[string]string

func (records) NearMiss(*manifest.Platform) string { return "" }

func (r records) BaseImageDigest(p *manifest.Platform) (string, bool) {
	d, ok := r[p.Dockerfile+"|"+p.Architecture]
	return d, ok
}

func (r records) set(path, digest string) records { r[path+"|amd64"] = digest; return r }

const (
	d1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	d2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	d3 = "sha256:3333333333333333333333333333333333333333333333333333333333333333"
)

// chain is the runtime-deps → runtime → aspnet → sdk shape of dotnet-docker, with internal
// FROMs written through an ARG as dotnet-docker does.
func chain() []spec {
	return []spec{
		{repo: "dotnet/runtime-deps", path: "src/runtime-deps", tags: []string{"8.0"}, dockerfile: "FROM alpine:3.20\n"},
		{repo: "dotnet/runtime", path: "src/runtime", tags: []string{"8.0"}, buildArgs: map[string]string{"REPO": "reg.io/dotnet/runtime-deps"},
			dockerfile: "ARG REPO=x\nFROM amd64/buildpack-deps:noble-curl AS installer\nRUN fetch\nFROM $REPO:8.0\nCOPY --from=installer /dotnet /dotnet\n"},
		{repo: "dotnet/aspnet", path: "src/aspnet", tags: []string{"8.0"}, buildArgs: map[string]string{"REPO": "reg.io/dotnet/runtime"},
			dockerfile: "ARG REPO=x\nFROM $REPO:8.0\n"},
		{repo: "dotnet/sdk", path: "src/sdk", tags: []string{"8.0"}, buildArgs: map[string]string{"REPO": "reg.io/dotnet/aspnet"},
			dockerfile: "ARG REPO=x\nFROM $REPO:8.0\n"},
	}
}

func TestStaleChain(t *testing.T) {
	t.Parallel()
	g := mustBuild(t, chain()...)
	digests := depgraph.MapLookup(map[string]string{"alpine:3.20": d2})

	upToDate := records{}.set("src/runtime-deps", "alpine@"+d2).set("src/runtime", "x").set("src/aspnet", "x").set("src/sdk", "x")
	res := depgraph.Stale(g, upToDate, digests, depgraph.CheckOptions{})
	require.NoError(t, res.Err())
	assert.Empty(t, res.Paths())
	require.Len(t, res.Checks, 1, "only runtime-deps has an external final stage")
	assert.Equal(t, "alpine@"+d2, res.Checks[0].Current)

	changed := records{}.set("src/runtime-deps", "alpine@"+d1).set("src/runtime", "x").set("src/aspnet", "x").set("src/sdk", "x")
	res = depgraph.Stale(g, changed, digests, depgraph.CheckOptions{})
	require.NoError(t, res.Err())
	assert.Equal(t, []string{"src/runtime-deps", "src/runtime", "src/aspnet", "src/sdk"}, res.Paths())
	assert.Equal(t, [][]string{{"src/runtime-deps"}, {"src/runtime"}, {"src/aspnet"}, {"src/sdk"}}, res.Waves())

	root := res.Images[0].Reason
	assert.Equal(t, depgraph.Reason{Kind: depgraph.BaseChanged, Base: "alpine:3.20", Recorded: "alpine@" + d1, Current: "alpine@" + d2}, root)
	assert.Equal(t, "base alpine:3.20 changed from sha256:111111111111 to sha256:222222222222", root.String())
	sdk := res.Images[3].Reason
	assert.Equal(t, depgraph.DependsOn, sdk.Kind)
	assert.Equal(t, []string{"src/runtime-deps", "src/runtime", "src/aspnet", "src/sdk"}, sdk.Via)
	assert.Equal(t, "built on src/aspnet (via src/runtime-deps → src/runtime), rebuilt because src/runtime-deps: base alpine:3.20 changed from sha256:111111111111 to sha256:222222222222", sdk.String())
}

func TestStaleCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		specs     []spec
		records   records
		digests   map[string]string
		opts      depgraph.CheckOptions
		want      []string
		wantCheck []string // refs looked up, in order
	}{
		{
			name: "one changed digest among several",
			specs: []spec{
				{repo: "a", path: "a", tags: []string{"1"}, dockerfile: "FROM alpine:3.20"},
				{repo: "b", path: "b", tags: []string{"1"}, dockerfile: "FROM debian:bookworm"},
				{repo: "c", path: "c", tags: []string{"1"}, dockerfile: "FROM ubuntu:noble"},
			},
			records:   records{}.set("a", "alpine@"+d1).set("b", "debian@"+d1).set("c", "ubuntu@"+d1),
			digests:   map[string]string{"alpine:3.20": d1, "debian:bookworm": d2, "ubuntu:noble": d1},
			want:      []string{"b"},
			wantCheck: []string{"alpine:3.20", "debian:bookworm", "ubuntu:noble"},
		},
		{
			name:  "only the final stage counts",
			specs: []spec{{repo: "a", path: "a", tags: []string{"1"}, dockerfile: "FROM golang:1.22 AS build\nRUN go build\nFROM alpine:3.20\nCOPY --from=build /x /x"}},
			// golang moved, alpine did not: up to date, and golang is never asked for.
			records:   records{}.set("a", "alpine@"+d1),
			digests:   map[string]string{"alpine:3.20": d1},
			want:      nil,
			wantCheck: []string{"alpine:3.20"},
		},
		{
			name:      "final stage followed through a stage reference",
			specs:     []spec{{repo: "a", path: "a", tags: []string{"1"}, dockerfile: "FROM alpine:3.20 AS base\nFROM golang AS build\nFROM base\n"}},
			records:   records{}.set("a", "alpine@"+d1),
			digests:   map[string]string{"alpine:3.20": d2},
			want:      []string{"a"},
			wantCheck: []string{"alpine:3.20"},
		},
		{
			name: "missing image-info: every candidate stale, no lookups",
			specs: []spec{
				{repo: "a", path: "a", tags: []string{"1"}, dockerfile: "FROM alpine:3.20"},
				{repo: "b", path: "b", tags: []string{"1"}, dockerfile: "FROM debian:bookworm"},
			},
			records: records{},
			want:    []string{"a", "b"},
		},
		{
			name: "FROM scratch is never checked",
			specs: []spec{
				{repo: "a", path: "a", tags: []string{"1"}, dockerfile: "FROM alpine AS build\nFROM scratch\nCOPY --from=build / /"},
				{repo: "b", path: "b", tags: []string{"1"}, dockerfile: "FROM scratch"},
			},
			records: records{},
			want:    nil,
		},
		{
			name: "an internal final stage is never checked on its own",
			specs: []spec{
				{repo: "base", path: "base", tags: []string{"1"}, dockerfile: "FROM alpine:3.20"},
				{repo: "app", path: "app", tags: []string{"1"}, dockerfile: "FROM reg.io/base:1"},
			},
			// app has no image-info entry at all, but base is up to date: nothing to do.
			records:   records{}.set("base", "alpine@"+d1),
			digests:   map[string]string{"alpine:3.20": d1},
			want:      nil,
			wantCheck: []string{"alpine:3.20"},
		},
		{
			name: "two platforms sharing one Dockerfile are reported once",
			specs: []spec{
				{repo: "a", path: "shared", tags: []string{"amd64"}, dockerfile: "FROM alpine:3.20"},
				{repo: "a", path: "shared", arch: "arm64", tags: []string{"arm64"}, dockerfile: "FROM alpine:3.20"},
			},
			records:   records{"shared|amd64": "alpine@" + d1, "shared|arm64": "alpine@" + d1},
			digests:   map[string]string{"alpine:3.20": d2},
			want:      []string{"shared"},
			wantCheck: []string{"alpine:3.20"},
		},
		{
			name:      "custom Dockerfile file name",
			specs:     []spec{{repo: "a", path: "src/Dockerfile.custom", file: "x", tags: []string{"1"}, dockerfile: "FROM alpine:3.20"}},
			records:   records{}.set("src/Dockerfile.custom", "alpine@"+d1),
			digests:   map[string]string{"alpine:3.20": d2},
			want:      []string{"src/Dockerfile.custom"},
			wantCheck: []string{"alpine:3.20"},
		},
		{
			name:      "base override rewrites lookup and comparison",
			specs:     []spec{{repo: "a", path: "a", tags: []string{"1"}, dockerfile: "FROM amd64/alpine:3.20"}},
			records:   records{}.set("a", "mirror.io/amd64/alpine@"+d1),
			digests:   map[string]string{"mirror.io/amd64/alpine:3.20": d1},
			opts:      depgraph.CheckOptions{BaseOverride: mustOverride(t, `^(amd64/)`, "mirror.io/$1")},
			want:      nil,
			wantCheck: []string{"mirror.io/amd64/alpine:3.20"},
		},
		{
			name:    "comparison is exact: another spelling of the same repository is stale",
			specs:   []spec{{repo: "a", path: "a", tags: []string{"1"}, dockerfile: "FROM alpine:3.20"}},
			records: records{}.set("a", "docker.io/library/alpine@"+d1),
			digests: map[string]string{"alpine:3.20": d1},
			want:    []string{"a"}, wantCheck: []string{"alpine:3.20"},
		},
		{
			name:    "no recorded base digest is stale",
			specs:   []spec{{repo: "a", path: "a", tags: []string{"1"}, dockerfile: "FROM alpine:3.20"}},
			records: records{}.set("a", ""),
			digests: map[string]string{"alpine:3.20": d1},
			want:    []string{"a"}, wantCheck: []string{"alpine:3.20"},
		},
		{
			name: "filter restricts candidates, not the rebuild set",
			specs: []spec{
				{repo: "base", path: "base", tags: []string{"1"}, dockerfile: "FROM alpine:3.20"},
				{repo: "app", path: "app", tags: []string{"1"}, dockerfile: "FROM reg.io/base:1"},
				{repo: "other", path: "other", tags: []string{"1"}, dockerfile: "FROM debian:12"},
			},
			records:   records{},
			opts:      depgraph.CheckOptions{Filter: manifest.Filter{Paths: []string{"b*"}}},
			want:      []string{"base", "app"},
			wantCheck: nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := mustBuild(t, tc.specs...)
			assert.Equal(t, tc.wantCheck, g.Lookups(tc.records, tc.opts))
			res := depgraph.Stale(g, tc.records, depgraph.MapLookup(tc.digests), tc.opts)
			require.NoError(t, res.Err())
			assert.Equal(t, tc.want, nilIfEmpty(res.Paths()))
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func mustOverride(t *testing.T, pattern, sub string) *depgraph.BaseOverride {
	o, err := depgraph.NewBaseOverride(pattern, sub)
	require.NoError(t, err)
	return o
}

func TestTwoRootsJoinedByMultiStageChild(t *testing.T) {
	t.Parallel()
	// ImageBuilder's DependencyGraph_TwoRoots shape: child builds on both roots, so a change
	// in either root rebuilds the other root too (the component is rebuilt together).
	g := mustBuild(t,
		spec{repo: "root1", path: "root1", tags: []string{"1"}, dockerfile: "FROM alpine:3.20"},
		spec{repo: "root2", path: "root2", tags: []string{"1"}, dockerfile: "FROM debian:12"},
		spec{repo: "child", path: "child", tags: []string{"1"}, dockerfile: "FROM reg.io/root1:1 AS tools\nFROM reg.io/root2:1\nCOPY --from=tools / /"},
		spec{repo: "lonely", path: "lonely", tags: []string{"1"}, dockerfile: "FROM ubuntu:noble"},
	)
	recs := records{}.set("root1", "alpine@"+d1).set("root2", "debian@"+d1).set("child", "x").set("lonely", "ubuntu@"+d1)

	res := depgraph.Stale(g, recs, depgraph.MapLookup(map[string]string{"alpine:3.20": d1, "debian:12": d2, "ubuntu:noble": d1}), depgraph.CheckOptions{})
	require.NoError(t, res.Err())
	// From root2: its child, then the child's parents in FROM order (root1 first).
	assert.Equal(t, []string{"root2", "child", "root1"}, res.Paths())
	assert.Equal(t, depgraph.DependencyOf, res.Images[2].Reason.Kind)
	assert.Equal(t, []string{"root2", "child", "root1"}, res.Images[2].Reason.Via)
	assert.Equal(t, [][]string{{"root2", "root1"}, {"child"}}, res.Waves())

	res = depgraph.Stale(g, recs, depgraph.MapLookup(map[string]string{"alpine:3.20": d2, "debian:12": d2, "ubuntu:noble": d1}), depgraph.CheckOptions{})
	// root1 is the first candidate: root1, child, then child's other parent root2. root2 is
	// stale in its own right, and keeps its own reason.
	assert.Equal(t, []string{"root1", "child", "root2"}, res.Paths())
	assert.Equal(t, depgraph.BaseChanged, res.Images[2].Reason.Kind)
}

// TestTwoChainsJoin checks the rebuild order where two chains join: two roots, a child built
// on both (one as a build stage), and a grandchild built on the child, listed in the manifest
// out of build order. The walk goes depth first from the stale root, children (in manifest
// order) before parents (in FROM order), so the grandchild comes before the other root; the
// waves put both roots first, then the child, then the grandchild.
func TestTwoChainsJoin(t *testing.T) {
	t.Parallel()
	g := mustBuild(t,
		spec{repo: "grandchild", path: "grandchild", tags: []string{"1"}, dockerfile: "FROM reg.io/child:1"},
		spec{repo: "root1", path: "root1", tags: []string{"1"}, dockerfile: "FROM alpine:3.20"},
		spec{repo: "root2", path: "root2", tags: []string{"1"}, dockerfile: "FROM debian:12"},
		spec{repo: "child", path: "child", tags: []string{"1"}, dockerfile: "FROM reg.io/root1:1 AS tools\nFROM reg.io/root2:1\nCOPY --from=tools / /"},
		spec{repo: "lonely", path: "lonely", tags: []string{"1"}, dockerfile: "FROM ubuntu:noble"},
	)
	recs := records{}.set("root1", "alpine@"+d1).set("root2", "debian@"+d1).set("child", "x").set("grandchild", "y").set("lonely", "ubuntu@"+d1)
	type step struct {
		path string
		kind depgraph.ReasonKind
		via  []string
	}
	tests := []struct {
		name    string
		digests map[string]string
		want    []step
		waves   [][]string
	}{
		{
			name:    "second root moves",
			digests: map[string]string{"alpine:3.20": d1, "debian:12": d2, "ubuntu:noble": d1},
			want: []step{
				{"root2", depgraph.BaseChanged, nil},
				{"child", depgraph.DependsOn, []string{"root2", "child"}},
				{"grandchild", depgraph.DependsOn, []string{"root2", "child", "grandchild"}},
				{"root1", depgraph.DependencyOf, []string{"root2", "child", "root1"}},
			},
			waves: [][]string{{"root2", "root1"}, {"child"}, {"grandchild"}},
		},
		{
			name:    "first root moves",
			digests: map[string]string{"alpine:3.20": d2, "debian:12": d1, "ubuntu:noble": d1},
			want: []step{
				{"root1", depgraph.BaseChanged, nil},
				{"child", depgraph.DependsOn, []string{"root1", "child"}},
				{"grandchild", depgraph.DependsOn, []string{"root1", "child", "grandchild"}},
				{"root2", depgraph.DependencyOf, []string{"root1", "child", "root2"}},
			},
			waves: [][]string{{"root1", "root2"}, {"child"}, {"grandchild"}},
		},
		{
			name:    "both roots move",
			digests: map[string]string{"alpine:3.20": d2, "debian:12": d2, "ubuntu:noble": d1},
			want: []step{
				{"root1", depgraph.BaseChanged, nil},
				{"child", depgraph.DependsOn, []string{"root1", "child"}},
				{"grandchild", depgraph.DependsOn, []string{"root1", "child", "grandchild"}},
				{"root2", depgraph.BaseChanged, nil}, // stale in its own right: keeps its own reason
			},
			waves: [][]string{{"root1", "root2"}, {"child"}, {"grandchild"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := depgraph.Stale(g, recs, depgraph.MapLookup(tt.digests), depgraph.CheckOptions{})
			require.NoError(t, res.Err())
			var got []step
			for _, img := range res.Images {
				got = append(got, step{img.Path, img.Reason.Kind, img.Reason.Via})
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.waves, res.Waves())
		})
	}
}

func TestLookupFailureDecidesNothing(t *testing.T) {
	t.Parallel()
	g := mustBuild(t,
		spec{repo: "a", path: "a", tags: []string{"1"}, dockerfile: "FROM alpine:3.20"},
		spec{repo: "b", path: "b", tags: []string{"1"}, dockerfile: "FROM debian:12"},
	)
	recs := records{}.set("a", "alpine@"+d1).set("b", "debian@"+d1)
	res := depgraph.Stale(g, recs, depgraph.MapLookup(map[string]string{"debian:12": d2}), depgraph.CheckOptions{})
	require.Error(t, res.Err())
	assert.Contains(t, res.Err().Error(), "a: base alpine:3.20: no digest for alpine:3.20")
	assert.Equal(t, []string{"b"}, res.Paths())
	assert.False(t, res.Checks[0].Stale)
	assert.Empty(t, res.Checks[0].Current)
	assert.Error(t, res.Checks[0].Err)
}

func TestBuildErrors(t *testing.T) {
	t.Parallel()
	_, err := build(t,
		spec{repo: "base", path: "base", tags: []string{"1"}, dockerfile: "FROM alpine"},
		spec{repo: "app", path: "app", tags: []string{"1"}, dockerfile: "FROM reg.io/base:2"},
	)
	require.Error(t, err)
	assert.Equal(t, "app/Dockerfile: FROM reg.io/base:2 names repo base of this manifest, but no platform has that tag", err.Error())

	_, err = build(t,
		spec{repo: "a", path: "a", tags: []string{"1"}, dockerfile: "FROM reg.io/b:1"},
		spec{repo: "b", path: "b", tags: []string{"1"}, dockerfile: "FROM reg.io/c:1"},
		spec{repo: "c", path: "c", tags: []string{"1"}, dockerfile: "FROM reg.io/a:1"},
	)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "platforms build on each other in a cycle: a:1 (a) -> b:1 (b) -> c:1 (c) -> a:1 (a)")

	_, err = build(t, spec{repo: "a", path: "a", tags: []string{"1"}, dockerfile: "FROM $MISSING:1"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a/Dockerfile")
	assert.Contains(t, err.Error(), "MISSING")
}

func TestSameRepoSubstitutionUnderRegistryOverride(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"manifest.json": {Data: []byte(`{"registry": "reg.io", "repos": [{"name": "r", "images": [
		  {"platforms": [{"dockerfile": "base", "os": "linux", "osVersion": "v", "tags": {"base": {}}}]},
		  {"platforms": [{"dockerfile": "app", "os": "linux", "osVersion": "v", "tags": {"app": {}}}]}]}]}`)},
		"base/Dockerfile": {Data: []byte("FROM alpine")},
		"app/Dockerfile":  {Data: []byte("FROM reg.io/r:base")},
	}
	m, err := manifest.Load(fsys, "manifest.json", manifest.Options{RegistryOverride: "acr.io"})
	require.NoError(t, err)
	g, err := depgraph.Build(m, fsys, depgraph.Options{})
	require.NoError(t, err)
	app := g.Nodes[1]
	assert.Equal(t, "acr.io/r:base", app.Final.Image)
	assert.Equal(t, []*depgraph.Node{g.Nodes[0]}, app.Parents)
}

func TestReasonsAsJSON(t *testing.T) {
	t.Parallel()
	g := mustBuild(t, chain()...)
	res := depgraph.Stale(g, records{}, depgraph.MapLookup(nil), depgraph.CheckOptions{})
	data, err := json.Marshal(res.Images[1].Reason)
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"depends-on","via":["src/runtime-deps","src/runtime"],"root":{"kind":"not-in-image-info"}}`, string(data))
	assert.Equal(t, "built on src/runtime-deps, rebuilt because src/runtime-deps: image-info has no entry for this image", res.Images[1].Reason.String())
}

func TestImageInfoEntryWithoutTagsIsMissing(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"manifest.json": {Data: []byte(`{"registry": "reg.io", "repos": [{"name": "team/a", "images": [{"productVersion": "1.0",
		  "platforms": [{"dockerfile": "a", "os": "linux", "osVersion": "noble", "tags": {"1.0": {}}}]}]}]}`)},
		"a/Dockerfile": {Data: []byte("FROM alpine:3.20")},
	}
	m, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
	require.NoError(t, err)
	g, err := depgraph.Build(m, fsys, depgraph.Options{})
	require.NoError(t, err)
	info := func(tags string) []byte {
		return []byte(`{"schemaVersion": "2.0", "repos": [{"repo": "team/a", "images": [{"productVersion": "1.0", "platforms": [
		  {"dockerfile": "a/Dockerfile", ` + tags + `"digest": "reg.io/team/a@sha256:aa", "baseImageDigest": "alpine@` + d1 + `",
		   "osType": "Linux", "osVersion": "noble", "architecture": "amd64", "commitUrl": ""}]}]}]}`)
	}
	digests := depgraph.MapLookup(map[string]string{"alpine:3.20": d1})

	recs, err := depgraph.LoadImageInfoRecords("info.json", info(`"simpleTags": ["1.0"], `), m)
	require.NoError(t, err)
	res := depgraph.Stale(g, recs, digests, depgraph.CheckOptions{})
	require.NoError(t, res.Err())
	assert.Empty(t, res.Paths(), "entry with tags binds and is up to date")

	recs, err = depgraph.LoadImageInfoRecords("info.json", info(``), m)
	require.NoError(t, err)
	res = depgraph.Stale(g, recs, digests, depgraph.CheckOptions{})
	require.NoError(t, res.Err())
	assert.Equal(t, []string{"a"}, res.Paths(), "an entry without tags does not bind to a tagged platform")
	assert.Equal(t, depgraph.NotInImageInfo, res.Images[0].Reason.Kind)

	_, err = depgraph.LoadImageInfoRecords("info.json", []byte(`{"schemaVersion": "2.0", "repos": [`), m)
	assert.ErrorContains(t, err, "info.json")
}

func TestPlatformAwareStaleness(t *testing.T) {
	t.Parallel()
	g := mustBuild(t,
		spec{repo: "a", path: "a", tags: []string{"1"}, dockerfile: "FROM alpine:3.20"},
		spec{repo: "b", path: "b", tags: []string{"1"}, dockerfile: "FROM debian:12"},
		spec{repo: "c", path: "c", tags: []string{"1"}, dockerfile: "FROM ubuntu:24.04"},
	)
	recs := records{}.set("a", "alpine@"+d1).set("b", "debian@"+d1).set("c", "ubuntu@"+d1)
	lookup := depgraph.MapLookup(map[string]string{"alpine:3.20": d2, "debian:12": d2, "ubuntu:24.04": d2})
	var asked []string
	compare := func(c depgraph.BaseCheck) (bool, error) {
		asked = append(asked, c.Ref)
		switch c.Ref {
		case "alpine:3.20":
			return true, nil // the index moved for another platform
		case "ubuntu:24.04":
			return false, errors.New("inconsistent answer")
		}
		return false, nil
	}

	res := depgraph.Stale(g, recs, lookup, depgraph.CheckOptions{ComparePlatform: compare})
	assert.Equal(t, []string{"a", "b"}, res.Paths(), "without PlatformAware an unchanged platform is still rebuilt")
	assert.True(t, res.Checks[0].PlatformUnchanged)
	assert.False(t, res.Checks[1].PlatformUnchanged)
	assert.ErrorContains(t, res.Err(), "c: base ubuntu:24.04: inconsistent answer", "a failed comparison decides nothing")

	res = depgraph.Stale(g, recs, lookup, depgraph.CheckOptions{ComparePlatform: compare, PlatformAware: true})
	assert.Equal(t, []string{"b"}, res.Paths())
	assert.False(t, res.Checks[0].Stale)
	assert.True(t, res.Checks[0].PlatformUnchanged)

	asked = nil
	depgraph.Stale(g, records{}.set("a", "alpine@"+d2).set("b", "debian@"+d2).set("c", "ubuntu@"+d2), lookup,
		depgraph.CheckOptions{ComparePlatform: compare, PlatformAware: true})
	assert.Empty(t, asked, "only moved bases are compared")
}
