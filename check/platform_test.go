package check_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
	"github.com/baseflow/baseflow/subscription"
)

var (
	amd64 = registry.Platform{OS: "linux", Architecture: "amd64"}
	arm64 = registry.Platform{OS: "linux", Architecture: "arm64"}
)

// twoPlatforms is a subscription of an image built for linux/amd64 and linux/arm64 FROM base,
// whose image-info records baseRepo@recordedDigest for both.
func twoPlatforms(base, baseRepo, recordedDigest string) subscription.StaticSource {
	platform := func(arch string) string {
		return `{"dockerfile": "x/` + arch + `", "os": "linux", "osVersion": "noble", "architecture": "` + arch + `", "tags": {"1-` + arch + `": {}}}`
	}
	info := func(arch string) string {
		return `{"dockerfile": "x/` + arch + `/Dockerfile", "simpleTags": ["1-` + arch + `"], "digest": "team/x@sha256:aa", "baseImageDigest": "` +
			baseRepo + `@` + recordedDigest + `", "osType": "Linux", "osVersion": "noble", "architecture": "` + arch + `", "commitUrl": ""}`
	}
	return subscription.StaticSource{
		subscription.RepoKey("o", "x", "main"): fstest.MapFS{
			"manifest.json":      {Data: []byte(`{"repos": [{"name": "team/x", "images": [{"platforms": [` + platform("amd64") + `, ` + platform("arm64") + `]}]}]}`)},
			"x/amd64/Dockerfile": {Data: []byte("FROM " + base + "\n")},
			"x/arm64/Dockerfile": {Data: []byte("FROM " + base + "\n")},
		},
		subscription.RepoKey("o", "x-info", "main"): fstest.MapFS{
			"info.json": {Data: []byte(`{"schemaVersion": "2.0", "repos": [{"repo": "team/x", "images": [{"platforms": [` + info("amd64") + `, ` + info("arm64") + `]}]}]}`)},
		},
	}
}

func newRemote(t *testing.T) *remote.Client {
	t.Helper()
	c, err := remote.New(remote.WithDockerConfig(t.TempDir()))
	require.NoError(t, err)
	return c
}

func gets(srv *registrytest.Server) int {
	return srv.CountRequests(func(r registrytest.Request) bool { return r.Method == "GET" && r.IsManifest() })
}

// debianIndex serves library/debian:12 as a linux/amd64 and linux/arm64 index and returns the
// server, that index and a subscription whose image-info records it; with moveArm64 the tag
// then moves to an index whose linux/arm64 image changed.
func debianIndex(t *testing.T, moveArm64 bool, opts ...registrytest.Option) (*registrytest.Server, registrytest.Index, subscription.StaticSource) {
	t.Helper()
	srv := registrytest.New(opts...)
	t.Cleanup(srv.Close)
	recordedIdx, err := srv.PushIndex("library/debian", "12", ocispec.MediaTypeImageIndex, amd64, arm64)
	require.NoError(t, err)
	if moveArm64 {
		_, err = srv.MovePlatform("library/debian", "12", arm64)
		require.NoError(t, err)
	}
	return srv, recordedIdx, twoPlatforms(srv.Ref("library/debian", "12"), srv.Host()+"/library/debian", recordedIdx.Digest.String())
}

func TestPlatformAwareStaleness(t *testing.T) {
	t.Parallel()
	srv, recordedIdx, src := debianIndex(t, true)
	base := srv.Ref("library/debian", "12")

	for _, aware := range []bool{false, true} {
		t.Run(fmt.Sprint("aware=", aware), func(t *testing.T) {
			srv.ResetRequests()
			checker := &check.Checker{Manifests: src, Resolver: newRemote(t), LoadRecords: depgraph.LoadImageInfoRecords, PlatformAware: aware}
			r := checker.CheckOne(context.Background(), sub("x", ""))
			require.NoError(t, r.Err)
			if aware {
				assert.Equal(t, []string{"x/arm64"}, r.Paths(), "linux/amd64 did not move")
			} else {
				assert.Equal(t, []string{"x/amd64", "x/arm64"}, r.Paths(), "as ImageBuilder: the index moved")
			}
			assert.Equal(t, []check.UnchangedPlatform{{Path: "x/amd64", Base: base, Platform: "linux/amd64",
				Manifest: recordedIdx.PlatformDigest(amd64).String()}}, r.Unchanged)
			assert.Equal(t, 1, r.Saved)
			assert.Equal(t, 2, gets(srv), "the recorded and the current index, each once, for the moved base only")

			var text strings.Builder
			require.NoError(t, check.NewReport([]*check.SubscriptionResult{r}, nil).WriteText(&text))
			assert.Contains(t, text.String(), "x/amd64   base "+base+": index moved, linux/amd64 unchanged")
			if aware {
				assert.Contains(t, text.String(), "not rebuilt:")
				assert.Contains(t, text.String(), "platform-aware staleness saved 1 rebuilds")
			} else {
				assert.Contains(t, text.String(), "rebuilt anyway:")
				assert.Contains(t, text.String(), "platform-aware staleness would save 1 rebuilds")
			}
		})
	}
}

func TestPlatformAwareRecordedIndexGone(t *testing.T) {
	t.Parallel()
	srv, recordedIdx, src := debianIndex(t, true)
	require.NoError(t, srv.Delete("library/debian", recordedIdx.Digest))
	checker := &check.Checker{Manifests: src, Resolver: newRemote(t), LoadRecords: depgraph.LoadImageInfoRecords, PlatformAware: true}
	r := checker.CheckOne(context.Background(), sub("x", ""))
	require.NoError(t, r.Err)
	assert.Equal(t, []string{"x/amd64", "x/arm64"}, r.Paths(), "the recorded index is gone: stale, the safe answer")
	assert.Empty(t, r.Unchanged)
}

// TestHeadForOnePlatformFailsTheLookup: a proxy answers the tag's HEAD with the linux/amd64
// manifest's digest. Every check would read the base as moved; instead the lookup fails,
// saying why.
func TestHeadForOnePlatformFailsTheLookup(t *testing.T) {
	t.Parallel()
	srv, _, src := debianIndex(t, false, registrytest.WithHeadForPlatform(amd64, ocispec.MediaTypeImageManifest))
	checker := &check.Checker{Manifests: src, Resolver: newRemote(t), LoadRecords: depgraph.LoadImageInfoRecords}
	r := checker.CheckOne(context.Background(), sub("x", ""))
	assert.Equal(t, check.StatusFailed, r.Status(), "not a moved base")
	assert.Empty(t, r.Paths())
	assert.ErrorContains(t, r.Err, "x/amd64: base "+srv.Ref("library/debian", "12")+": ")
	assert.ErrorContains(t, r.Err, "answered with one platform's manifest")
	assert.Equal(t, registry.InvalidResponse, registry.KindOf(r.Err))
}

func TestPinnedBases(t *testing.T) {
	t.Parallel()
	srv := registrytest.New()
	t.Cleanup(srv.Close)
	pinned, err := srv.PushIndex("library/alpine", "3.20", ocispec.MediaTypeImageIndex, amd64, arm64)
	require.NoError(t, err)
	base := srv.Ref("library/alpine", "3.20") + "@" + pinned.Digest.String()
	// image-info records a pinned base as depgraph spells it: the reference up to the "@".
	src := twoPlatforms(base, srv.Ref("library/alpine", "3.20"), pinned.Digest.String())

	for _, checkPinned := range []bool{false, true} {
		t.Run(fmt.Sprint("check-pinned=", checkPinned), func(t *testing.T) {
			moved, err := srv.MoveTag("library/alpine", "3.20")
			require.NoError(t, err)
			srv.ResetRequests()
			checker := &check.Checker{Manifests: src, Resolver: newRemote(t), LoadRecords: depgraph.LoadImageInfoRecords, CheckPinned: checkPinned}
			r := checker.CheckOne(context.Background(), sub("x", ""))
			require.NoError(t, r.Err)
			assert.Empty(t, r.Paths(), "a pinned base never reads as stale")
			want := check.PinnedBase{Reference: base, Pin: pinned.Digest.String()}
			if checkPinned {
				want.Tag = srv.Ref("library/alpine", "3.20")
				want.TagDigest, want.Moved = moved.String(), true
			}
			assert.Equal(t, []check.PinnedBase{want}, r.Pinned)
			if !checkPinned {
				assert.Empty(t, srv.Requests(), "the pin is the digest: no request")
			}
			var text strings.Builder
			require.NoError(t, check.NewReport([]*check.SubscriptionResult{r}, nil).WriteText(&text))
			assert.Contains(t, text.String(), "pinned: "+base)
			if checkPinned {
				assert.Contains(t, text.String(), "(tag now "+moved.String()+": moved away from the pin)")
			}
		})
	}
}

// TestPlatformAwareWindowsReleases: the base's index lists windows/amd64 once per Windows
// release (os.version). The platform compared is the one the manifest's osVersion names
// (nanoserver-ltsc2022 → 10.0.20348), never the first windows/amd64 entry.
func TestPlatformAwareWindowsReleases(t *testing.T) {
	t.Parallel()
	ltsc2019 := registry.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.17763.6414"}
	ltsc2022 := registry.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348.2762"}
	srv := registrytest.New()
	t.Cleanup(srv.Close)
	recordedIdx, err := srv.PushIndex("windows/nanoserver", "multi", registry.MediaTypeDockerManifestList, ltsc2019, ltsc2022)
	require.NoError(t, err)
	_, err = srv.MovePlatform("windows/nanoserver", "multi", ltsc2019)
	require.NoError(t, err)
	base := srv.Ref("windows/nanoserver", "multi")
	src := subscription.StaticSource{
		subscription.RepoKey("o", "x", "main"): fstest.MapFS{
			"manifest.json": {Data: []byte(`{"repos": [{"name": "team/x", "images": [{"platforms": [
			  {"dockerfile": "x/ltsc2019", "os": "windows", "osVersion": "nanoserver-1809", "tags": {"1809": {}}},
			  {"dockerfile": "x/ltsc2022", "os": "windows", "osVersion": "nanoserver-ltsc2022", "tags": {"ltsc2022": {}}}]}]}]}`)},
			"x/ltsc2019/Dockerfile": {Data: []byte("FROM " + base + "\n")},
			"x/ltsc2022/Dockerfile": {Data: []byte("FROM " + base + "\n")},
		},
		subscription.RepoKey("o", "x-info", "main"): fstest.MapFS{
			"info.json": {Data: []byte(`{"schemaVersion": "2.0", "repos": [{"repo": "team/x", "images": [{"platforms": [
			  {"dockerfile": "x/ltsc2019/Dockerfile", "simpleTags": ["1809"], "digest": "team/x@sha256:aa", "baseImageDigest": "` + srv.Host() + `/windows/nanoserver@` + recordedIdx.Digest.String() + `",
			   "osType": "Windows", "osVersion": "nanoserver-1809", "architecture": "amd64", "commitUrl": ""},
			  {"dockerfile": "x/ltsc2022/Dockerfile", "simpleTags": ["ltsc2022"], "digest": "team/x@sha256:bb", "baseImageDigest": "` + srv.Host() + `/windows/nanoserver@` + recordedIdx.Digest.String() + `",
			   "osType": "Windows", "osVersion": "nanoserver-ltsc2022", "architecture": "amd64", "commitUrl": ""}]}]}]}`)},
		},
	}
	checker := &check.Checker{Manifests: src, Resolver: newRemote(t), LoadRecords: depgraph.LoadImageInfoRecords, PlatformAware: true}
	r := checker.CheckOne(context.Background(), sub("x", ""))
	require.NoError(t, r.Err)
	assert.Equal(t, []string{"x/ltsc2019"}, r.Paths(), "only the ltsc2019 image moved")
	require.Len(t, r.Unchanged, 1)
	assert.Equal(t, "x/ltsc2022", r.Unchanged[0].Path)
	assert.Equal(t, "windows/amd64 (os.version 10.0.20348)", r.Unchanged[0].Platform)
	assert.Equal(t, recordedIdx.PlatformDigest(registry.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348"}).String(), r.Unchanged[0].Manifest)
}

// TestPinnedToPlatformManifest: a base pinned to one platform's manifest (the digest a
// single-platform pull reports) has not moved away from its pin while the tag's index still
// holds that manifest, however the index's digest moves.
func TestPinnedToPlatformManifest(t *testing.T) {
	t.Parallel()
	srv := registrytest.New()
	t.Cleanup(srv.Close)
	idx, err := srv.PushIndex("library/alpine", "3.20", ocispec.MediaTypeImageIndex, amd64, arm64)
	require.NoError(t, err)
	pin := idx.PlatformDigest(amd64).String()
	base := srv.Ref("library/alpine", "3.20") + "@" + pin
	src := twoPlatforms(base, srv.Ref("library/alpine", "3.20"), pin)
	run := func() check.PinnedBase {
		t.Helper()
		checker := &check.Checker{Manifests: src, Resolver: newRemote(t), LoadRecords: depgraph.LoadImageInfoRecords, CheckPinned: true}
		r := checker.CheckOne(context.Background(), sub("x", ""))
		require.NoError(t, r.Err)
		require.Len(t, r.Pinned, 1)
		return r.Pinned[0]
	}

	p := run()
	assert.Equal(t, idx.Digest.String(), p.TagDigest)
	assert.False(t, p.Moved, "the tag's index holds the pinned manifest")

	_, err = registrytest.MoveRandomPlatform(context.Background(), srv.Target("library/alpine"), "3.20", arm64)
	require.NoError(t, err)
	assert.False(t, run().Moved, "another platform was rebuilt")

	_, err = registrytest.MoveRandomPlatform(context.Background(), srv.Target("library/alpine"), "3.20", amd64)
	require.NoError(t, err)
	assert.True(t, run().Moved, "the pinned platform was rebuilt")
}

// TestComparisonFailureStillRebuilds: the registry fails the GET of the recorded index (a
// Docker Hub 429 or a 5xx, say) after the tag's HEAD showed it moved. The comparison cannot
// tell whether the platform changed, so the moved base is stale, the safe answer, with or
// without PlatformAware: a failed comparison never blocks a rebuild that ImageBuilder makes.
func TestComparisonFailureStillRebuilds(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		for _, aware := range []bool{false, true} {
			t.Run(fmt.Sprint(status, " aware=", aware), func(t *testing.T) {
				t.Parallel()
				var recorded atomic.Value
				recorded.Store("")
				failRecorded := func(next http.Handler) http.Handler {
					return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						if d := recorded.Load().(string); r.Method == http.MethodGet && d != "" && strings.HasSuffix(r.URL.Path, "/manifests/"+d) {
							http.Error(w, "slow down", status)
							return
						}
						next.ServeHTTP(w, r)
					})
				}
				_, recordedIdx, src := debianIndex(t, true, registrytest.WithMiddleware(failRecorded))
				recorded.Store(recordedIdx.Digest.String())
				client, err := remote.New(remote.WithDockerConfig(t.TempDir()), remote.WithMaxRetries(0))
				require.NoError(t, err)
				checker := &check.Checker{Manifests: src, Resolver: client, LoadRecords: depgraph.LoadImageInfoRecords, PlatformAware: aware}
				r := checker.CheckOne(context.Background(), sub("x", ""))
				require.NoError(t, r.Err)
				assert.Equal(t, check.StatusStale, r.Status())
				assert.Equal(t, []string{"x/amd64", "x/arm64"}, r.Paths(), "the base moved; the failed comparison cannot save a rebuild")
				assert.Empty(t, r.Unchanged)
			})
		}
	}
}
