package check_test

import (
	"context"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/subscription"
)

const (
	recorded = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	current  = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

// repoWith is a one-platform manifest on base, and its image-info recording base at digest.
func repoWith(base, baseRepo, digest string) (fstest.MapFS, fstest.MapFS) {
	return fstest.MapFS{
			"manifest.json": {Data: []byte(`{"repos": [{"name": "team/x", "images": [{"platforms": [
			  {"dockerfile": "x", "os": "linux", "osVersion": "v", "tags": {"1": {}}}]}]}]}`)},
			"x/Dockerfile": {Data: []byte("FROM " + base + "\n")},
		}, fstest.MapFS{
			"info.json": {Data: []byte(`{"schemaVersion": "2.0", "repos": [{"repo": "team/x", "images": [{"platforms": [
			  {"dockerfile": "x/Dockerfile", "simpleTags": ["1"], "digest": "team/x@sha256:aa", "baseImageDigest": "` + baseRepo + `@` + digest + `",
			   "osType": "Linux", "osVersion": "v", "architecture": "amd64", "commitUrl": ""}]}]}]}`)},
		}
}

func sub(repo, osType string) subscription.Subscription {
	s := subscription.Subscription{OSType: osType}
	s.Manifest = subscription.ManifestFile{Owner: "o", Repo: repo, Branch: "main", Path: "manifest.json"}
	s.ImageInfo = subscription.GitFile{Owner: "o", Repo: repo + "-info", Branch: "main", Path: "info.json"}
	s.PipelineTrigger = subscription.PipelineTrigger{ID: 1, PathVariable: "v"}
	return s
}

func source(t *testing.T, repos map[string][2]string) subscription.StaticSource {
	t.Helper()
	src := subscription.StaticSource{}
	for name, base := range repos {
		tree, info := repoWith(base[0], base[1], recorded)
		src[subscription.RepoKey("o", name, "main")] = tree
		src[subscription.RepoKey("o", name+"-info", "main")] = info
	}
	return src
}

func TestCheckerSharesLookupsAcrossSubscriptions(t *testing.T) {
	t.Parallel()
	src := source(t, map[string][2]string{"a": {"alpine:3.20", "alpine"}, "b": {"alpine:3.20", "alpine"}, "c": {"debian:12", "debian"}})
	static, err := registry.NewStatic(map[string]digest.Digest{"alpine:3.20": current, "debian:12": recorded})
	require.NoError(t, err)
	counting := registry.NewCounting(static)
	var mu sync.Mutex
	var progress []int
	checker := &check.Checker{Manifests: src, Resolver: counting, LoadRecords: depgraph.LoadImageInfoRecords,
		Progress: func(done, total int, r *check.SubscriptionResult) {
			mu.Lock()
			defer mu.Unlock()
			progress = append(progress, done)
			assert.Equal(t, 3, total)
		}}
	results := checker.Check(context.Background(), []subscription.Subscription{sub("a", ""), sub("b", ""), sub("c", "")})
	require.Len(t, results, 3)
	assert.Equal(t, []string{"x"}, results[0].Paths())
	assert.Equal(t, []string{"x"}, results[1].Paths())
	assert.Equal(t, check.StatusUpToDate, results[2].Status())
	assert.Equal(t, 1, counting.DigestCalls("alpine:3.20"), "one lookup per reference for the whole run")
	assert.Equal(t, 1, counting.DigestCalls("debian:12"))
	assert.Equal(t, []int{1, 2, 3}, progress)
	assert.Equal(t, []check.Lookup{{Ref: "alpine:3.20", Digest: current}}, results[0].Lookups)
}

func TestCheckerOSTypeGate(t *testing.T) {
	t.Parallel()
	src := source(t, map[string][2]string{"a": {"alpine:3.20", "alpine"}, "w": {"nanoserver:1", "nanoserver"}})
	static, err := registry.NewStatic(map[string]digest.Digest{"alpine:3.20": recorded, "nanoserver:1": recorded})
	require.NoError(t, err)
	checker := &check.Checker{Manifests: src, Resolver: static, LoadRecords: depgraph.LoadImageInfoRecords, OSType: "linux"}
	results := checker.Check(context.Background(), []subscription.Subscription{sub("a", "linux"), sub("w", "windows")})
	assert.Equal(t, check.StatusUpToDate, results[0].Status())
	assert.Equal(t, check.StatusSkipped, results[1].Status())
	assert.Nil(t, results[1].Graph, "a skipped subscription is not even loaded")

	checker.OSType = "*"
	results = checker.Check(context.Background(), []subscription.Subscription{sub("w", "windows")})
	assert.Equal(t, check.StatusUpToDate, results[0].Status(), "--os-type '*' lets every subscription through")
}

func TestCheckerFailures(t *testing.T) {
	t.Parallel()
	src := source(t, map[string][2]string{"ok": {"alpine:3.20", "alpine"}, "gone": {"nothere:1", "nothere"}})
	static, err := registry.NewStatic(map[string]digest.Digest{"alpine:3.20": current})
	require.NoError(t, err)
	checker := &check.Checker{Manifests: src, Resolver: static, LoadRecords: depgraph.LoadImageInfoRecords,
		Filter: manifest.Filter{OSType: "linux"}}
	missingRepo := sub("nope", "")
	badInfo := sub("ok", "")
	badInfo.ImageInfo.Path = "missing.json"
	results := checker.Check(context.Background(), []subscription.Subscription{sub("ok", ""), sub("gone", ""), missingRepo, badInfo})

	assert.Equal(t, check.StatusStale, results[0].Status())

	gone := results[1]
	assert.Equal(t, check.StatusFailed, gone.Status(), "a failed lookup is never up to date")
	assert.ErrorContains(t, gone.Err, "x: base nothere:1: ")
	require.Len(t, gone.Stale.Checks, 1)
	assert.False(t, gone.Stale.Checks[0].Stale)
	assert.Error(t, gone.Lookups[0].Err)

	assert.Equal(t, check.StatusFailed, results[2].Status())
	assert.ErrorContains(t, results[2].Err, "repository o/nope branch main")
	assert.ErrorContains(t, results[3].Err, "image-info o/ok-info/main/missing.json")

	noLoader := &check.Checker{Manifests: src, Resolver: static}
	r := noLoader.CheckOne(context.Background(), sub("ok", ""))
	assert.ErrorContains(t, r.Err, "no image-info loader")
	noResolver := &check.Checker{Manifests: src, LoadRecords: depgraph.LoadImageInfoRecords}
	r = noResolver.CheckOne(context.Background(), sub("ok", ""))
	assert.ErrorContains(t, r.Err, "no registry resolver")
	assert.Equal(t, check.StatusFailed, r.Status())
}

func TestCheckerLookupLifetime(t *testing.T) {
	t.Parallel()
	src := source(t, map[string][2]string{"a": {"alpine:3.20", "alpine"}})
	static, err := registry.NewStatic(map[string]digest.Digest{"alpine:3.20": recorded})
	require.NoError(t, err)
	ctx := context.Background()
	subs := []subscription.Subscription{sub("a", "")}

	// With a Resolver, every call is a run of its own and sees a tag that moved.
	checker := &check.Checker{Manifests: src, Resolver: static, LoadRecords: depgraph.LoadImageInfoRecords}
	assert.Equal(t, check.StatusUpToDate, checker.Check(ctx, subs)[0].Status())
	require.NoError(t, static.Set("alpine:3.20", current))
	assert.Equal(t, check.StatusStale, checker.Check(ctx, subs)[0].Status())

	// With a Cache, calls share its digests until it is reset.
	require.NoError(t, static.Set("alpine:3.20", recorded))
	counting := registry.NewCounting(static)
	cached := &check.Checker{Manifests: src, Cache: registry.NewCache(counting), LoadRecords: depgraph.LoadImageInfoRecords}
	assert.Equal(t, check.StatusUpToDate, cached.CheckOne(ctx, subs[0]).Status())
	require.NoError(t, static.Set("alpine:3.20", current))
	assert.Equal(t, check.StatusUpToDate, cached.CheckOne(ctx, subs[0]).Status(), "the cache still holds the old digest")
	assert.Equal(t, 1, counting.DigestCalls("alpine:3.20"))
	cached.Cache.Reset()
	assert.Equal(t, check.StatusStale, cached.CheckOne(ctx, subs[0]).Status())
	assert.Equal(t, 2, counting.DigestCalls("alpine:3.20"))
}

func TestCheckerWithSources(t *testing.T) {
	t.Parallel()
	old := source(t, map[string][2]string{"a": {"alpine:3.20", "alpine"}})
	fresh := source(t, map[string][2]string{"a": {"debian:12", "debian"}})
	static, err := registry.NewStatic(map[string]digest.Digest{"alpine:3.20": recorded, "debian:12": current})
	require.NoError(t, err)
	checker := &check.Checker{Manifests: old, Resolver: static, LoadRecords: depgraph.LoadImageInfoRecords, OSType: "linux"}
	other := checker.WithSources(fresh, nil)
	assert.Equal(t, "linux", other.OSType, "everything but the sources is kept")
	assert.Equal(t, check.StatusUpToDate, checker.CheckOne(context.Background(), sub("a", "")).Status(), "the original is untouched")
	r := other.CheckOne(context.Background(), sub("a", ""))
	assert.Equal(t, check.StatusStale, r.Status())
	assert.Equal(t, []check.Lookup{{Ref: "debian:12", Digest: current}}, r.Lookups)
}

func TestCheckerSkipsAndLoadGraph(t *testing.T) {
	t.Parallel()
	checker := &check.Checker{Manifests: source(t, map[string][2]string{"a": {"alpine:3.20", "alpine"}}), OSType: "lin*"}
	assert.False(t, checker.Skips(sub("a", "linux")))
	assert.False(t, checker.Skips(sub("a", "")), "a subscription without an OS type is never skipped")
	assert.True(t, checker.Skips(sub("a", "windows")))
	assert.False(t, (&check.Checker{}).Skips(sub("a", "windows")), "a checker without an OS type skips nothing")

	m, g, err := checker.LoadGraph(context.Background(), sub("a", ""))
	require.NoError(t, err)
	assert.Equal(t, "team/x", m.Repos[0].Name)
	require.Len(t, g.Nodes, 1)
	assert.Equal(t, "alpine:3.20", g.Nodes[0].Final.Image)
	_, _, err = checker.LoadGraph(context.Background(), sub("nope", ""))
	assert.ErrorContains(t, err, "repository o/nope branch main")
}
