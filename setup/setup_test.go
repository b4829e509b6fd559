package setup_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/internal/fixture"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
	"github.com/baseflow/baseflow/setup"
	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/subscription/gitsource"
)

const (
	recorded = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	moved    = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

// repos lays out, as git repositories under dir/<owner>/<repo>, one manifest repository per
// name (one linux platform "x" on alpine:3.20) and an image-info repository recording alpine
// at recorded. It writes the subscriptions file and returns its path and the --repo-url.
func repos(t *testing.T, names ...string) (subsFile, repoURL string) {
	t.Helper()
	dir := t.TempDir()
	var subs []subscription.Subscription
	for _, name := range names {
		require.NoError(t, fixture.GitRepo(filepath.Join(dir, "o", name), fixture.Files(map[string]string{
			"manifest.json": `{"repos": [{"name": "team/x", "images": [{"platforms": [
			  {"dockerfile": "x", "os": "linux", "osVersion": "v", "tags": {"1": {}}}]}]}]}`,
			"x/Dockerfile": "FROM alpine:3.20\n",
		})))
		require.NoError(t, fixture.GitRepo(filepath.Join(dir, "o", name+"-info"), fixture.Files(map[string]string{
			"info.json": `{"schemaVersion": "2.0", "repos": [{"repo": "team/x", "images": [{"platforms": [
			  {"dockerfile": "x/Dockerfile", "simpleTags": ["1"], "digest": "team/x@sha256:aa", "baseImageDigest": "alpine@` + recorded + `",
			   "osType": "Linux", "osVersion": "v", "architecture": "amd64", "commitUrl": ""}]}]}]}`,
		})))
		s := subscription.Subscription{}
		s.Manifest = subscription.ManifestFile{Owner: "o", Repo: name, Branch: "main", Path: "manifest.json"}
		s.ImageInfo = subscription.GitFile{Owner: "o", Repo: name + "-info", Branch: "main", Path: "info.json"}
		s.PipelineTrigger = subscription.PipelineTrigger{ID: 7, PathVariable: "v"}
		subs = append(subs, s)
	}
	data, err := json.Marshal(subs)
	require.NoError(t, err)
	subsFile = filepath.Join(dir, "subscriptions.json")
	require.NoError(t, os.WriteFile(subsFile, data, 0o644))
	return subsFile, "file://" + filepath.ToSlash(dir) + "/{owner}/{repo}"
}

func TestNewCheckBuildsARealCheck(t *testing.T) {
	t.Parallel()
	subsFile, repoURL := repos(t, "a")
	// alpine is only known at its mirror: the lookup must go through Mirrors.
	static, err := registry.NewStatic(map[string]digest.Digest{"mirror.example/hub/library/alpine:3.20": moved})
	require.NoError(t, err)
	override, err := depgraph.NewBaseOverride(`^nothing$`, "x")
	require.NoError(t, err)

	c, err := setup.NewCheck(setup.CheckSettings{
		SubscriptionsFile: subsFile,
		Sources:           setup.SourceSettings{RepoURL: repoURL},
		Registry:          setup.RegistrySettings{Resolver: static, Mirrors: registry.Mirrors{"docker.io": "mirror.example/hub"}, Concurrency: 2},
		OSType:            "linux",
		Architecture:      "amd64",
		OSVersions:        []string{"v*"},
		Paths:             []string{"x*"},
		RegistryOverride:  "mcr.example",
		BaseOverride:      override,
	})
	require.NoError(t, err)
	defer func() { assert.NoError(t, c.Close()) }()

	assert.Nil(t, c.Registry, "a given resolver replaces the network client")
	assert.Nil(t, c.RegistryReport())
	assert.Equal(t, "linux", c.Checker.OSType)
	assert.Equal(t, "amd64", c.Checker.Filter.Architecture)
	assert.Equal(t, []string{"v*"}, c.Checker.Filter.OSVersions)
	assert.Equal(t, []string{"x*"}, c.Checker.Filter.Paths)
	assert.Equal(t, "mcr.example", c.Checker.RegistryOverride)
	assert.Same(t, override, c.Checker.BaseOverride)

	results := c.Checker.Check(context.Background(), c.Subscriptions)
	require.Len(t, results, 1)
	r := results[0]
	require.NoError(t, r.Err)
	assert.Equal(t, check.StatusStale, r.Status())
	assert.Equal(t, []string{"x"}, r.Paths())
	assert.Equal(t, []check.Lookup{{Ref: "alpine:3.20", Digest: moved}}, r.Lookups)
}

func TestNewCheckShards(t *testing.T) {
	t.Parallel()
	names := []string{"a", "b", "c", "d", "e"}
	subsFile, repoURL := repos(t, names...)
	var all []string
	for i := 1; i <= 2; i++ {
		c, err := setup.NewCheck(setup.CheckSettings{SubscriptionsFile: subsFile, Shard: setup.Shard{Index: i, Count: 2},
			Sources: setup.SourceSettings{RepoURL: repoURL}, Registry: setup.RegistrySettings{Resolver: registry.NewCache(nil)}})
		require.NoError(t, err)
		for _, s := range c.Subscriptions {
			assert.Equal(t, i, subscription.ShardOf(s.ID(), 2))
			all = append(all, s.Manifest.Repo)
		}
		require.NoError(t, c.Close())
	}
	slices.Sort(all)
	assert.Equal(t, names, all, "the shards together hold every subscription once")
}

func TestNewCheckErrors(t *testing.T) {
	t.Parallel()
	subsFile, _ := repos(t, "a")
	for name, tt := range map[string]struct {
		settings setup.CheckSettings
		want     string
	}{
		"no file":      {setup.CheckSettings{}, "SubscriptionsFile is required"},
		"missing file": {setup.CheckSettings{SubscriptionsFile: "/nonexistent/subs.json"}, "/nonexistent/subs.json"},
		"bad shard":    {setup.CheckSettings{SubscriptionsFile: subsFile, Shard: setup.Shard{Index: 3, Count: 2}}, "shard 3/2"},
		"bad source":   {setup.CheckSettings{SubscriptionsFile: subsFile, Sources: setup.SourceSettings{ImageInfo: "svn"}}, `image-info source "svn"`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := setup.NewCheck(tt.settings)
			assert.Nil(t, c)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestNewCheckWithNetworkClient(t *testing.T) {
	t.Parallel()
	subsFile, repoURL := repos(t, "a")
	c, err := setup.NewCheck(setup.CheckSettings{SubscriptionsFile: subsFile, Sources: setup.SourceSettings{RepoURL: repoURL, ImageInfo: setup.ImageInfoGitHub,
		GitHubAPIURL: "http://127.0.0.1:1", Getenv: func(string) string { return "" }}})
	require.NoError(t, err)
	defer c.Close()
	require.NotNil(t, c.Registry)
	assert.Equal(t, &check.RegistryReport{}, c.RegistryReport(), "nothing asked yet")
	assert.NotSame(t, c.Checker.Manifests, c.Checker.ImageInfo, "image-info is read through the API")
}

func TestOpenSourcesSharesGit(t *testing.T) {
	t.Parallel()
	m, info, err := setup.OpenSources(setup.SourceSettings{})
	require.NoError(t, err)
	assert.Same(t, m, info)
	require.NoError(t, m.Close())
}

func TestNewResolverUsesTheDockerConfig(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(registrytest.WithTokenAuth("robot", "s3cret"))
	defer reg.Close()
	pushed, err := reg.PushImage("team/base", "1", registry.Platform{OS: "linux", Architecture: "amd64"})
	require.NoError(t, err)

	withCreds := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte("robot:s3cret"))
	require.NoError(t, os.WriteFile(filepath.Join(withCreds, "config.json"), []byte(`{"auths": {"`+reg.Host()+`": {"auth": "`+auth+`"}}}`), 0o600))
	cache, client, err := setup.NewResolver(setup.RegistrySettings{DockerConfig: withCreds, Mirrors: registry.Mirrors{"example.invalid": reg.Host()}})
	require.NoError(t, err)
	require.NotNil(t, client)
	d, err := cache.Digest(context.Background(), "example.invalid/team/base:1")
	require.NoError(t, err, "looked up at the mirror, with the config's credentials")
	assert.Equal(t, pushed, d)
	assert.Equal(t, 1, reg.CountRequests(func(r registrytest.Request) bool { return r.IsToken() }))

	empty := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(empty, "config.json"), []byte(`{}`), 0o600))
	cache, _, err = setup.NewResolver(setup.RegistrySettings{DockerConfig: empty})
	require.NoError(t, err)
	_, err = cache.Digest(context.Background(), reg.Ref("team/base", "1"))
	var rerr *registry.Error
	require.ErrorAs(t, err, &rerr, "no credentials: refused")
	assert.Equal(t, registry.Unauthorized, rerr.Kind)
}

func TestNewCheckParseCacheAcrossRuns(t *testing.T) {
	t.Parallel()
	subsFile, repoURL := repos(t, "a", "b")
	static, err := registry.NewStatic(map[string]digest.Digest{"alpine:3.20": moved})
	require.NoError(t, err)
	cacheDir := filepath.Join(t.TempDir(), "cache")
	for run := range 2 {
		c, err := setup.NewCheck(setup.CheckSettings{
			SubscriptionsFile: subsFile,
			Sources:           setup.SourceSettings{RepoURL: repoURL},
			Registry:          setup.RegistrySettings{Resolver: static},
			Concurrency:       3,
			CacheDir:          cacheDir,
		})
		require.NoError(t, err)
		assert.Equal(t, 3, c.Checker.Concurrency)
		require.NotNil(t, c.Checker.ParseCache)
		for _, r := range c.Checker.Check(context.Background(), c.Subscriptions) {
			require.NoError(t, r.Err)
			assert.Equal(t, []string{"x"}, r.Paths())
		}
		st := c.Checker.ParseCache.Stats()
		require.NoError(t, c.Close())
		// Both subscriptions have the same Dockerfile: one parse in the first run, answered
		// from memory for the second subscription; none in the second run.
		if run == 0 {
			assert.Equal(t, dockerfile.CacheStats{Hits: 1, Misses: 1}, st)
		} else {
			assert.Equal(t, dockerfile.CacheStats{Hits: 1, StoreHits: 1}, st)
		}
	}

	_, err = setup.NewCheck(setup.CheckSettings{SubscriptionsFile: subsFile, CacheDir: subsFile + "/sub",
		Registry: setup.RegistrySettings{Resolver: static}})
	assert.ErrorContains(t, err, "setup: cache directory")
}

func TestPassSourcesSeeNewCommitsWithoutCloningAgain(t *testing.T) {
	t.Parallel()
	subsFile, repoURL := repos(t, "a")
	dir := strings.TrimSuffix(strings.TrimPrefix(repoURL, "file://"), "/{owner}/{repo}")
	static, err := registry.NewStatic(nil)
	require.NoError(t, err)
	c, err := setup.NewCheck(setup.CheckSettings{SubscriptionsFile: subsFile, Sources: setup.SourceSettings{RepoURL: repoURL},
		Registry: setup.RegistrySettings{Resolver: static}})
	require.NoError(t, err)
	defer func() { assert.NoError(t, c.Close()) }()
	open := c.PassSources()
	ctx := context.Background()

	for i, want := range []string{"FROM alpine:3.20\n", "FROM alpine:3.21\n"} {
		if i == 1 {
			repo := filepath.Join(dir, "o", "a")
			require.NoError(t, os.WriteFile(filepath.Join(repo, "x", "Dockerfile"), []byte(want), 0o644))
			require.NoError(t, fixture.GitRepo(repo, fixture.Files(nil)), "commit the change")
		}
		m, info, err := open()
		require.NoError(t, err)
		assert.Equal(t, m, info, "image-info from git: one source")
		_, ok := m.(subscription.Prefetcher)
		assert.True(t, ok, "announcements still reach the git source")
		data, err := m.ReadFile(ctx, "o", "a", "main", "x/Dockerfile")
		require.NoError(t, err)
		assert.Equal(t, want, string(data), "pass %d sees the branch's tip", i)
		require.NoError(t, m.Close())
	}
	git, ok := c.Checker.Manifests.(*gitsource.Source)
	require.True(t, ok)
	assert.Equal(t, gitsource.Stats{Processes: 4, Fetches: 2}, git.Stats(), "a clone, then a fetch into it, and a reader after each")
}

// TestRegistryReportNamesChallengesAndWarnings: a registry whose proxy strips
// Docker-Content-Digest costs a GET per lookup; the report says so once for the registry,
// with the 401 challenges met.
func TestRegistryReportNamesChallengesAndWarnings(t *testing.T) {
	t.Parallel()
	srv := registrytest.New(registrytest.WithoutDigestHeader(), registrytest.WithAnonymousPull())
	t.Cleanup(srv.Close)
	for _, repo := range []string{"a", "b"} {
		_, err := srv.PushImage(repo, "1", registry.Platform{OS: "linux", Architecture: "amd64"})
		require.NoError(t, err)
	}
	client, err := remote.New(remote.WithDockerConfig(t.TempDir()))
	require.NoError(t, err)
	for _, repo := range []string{"a", "b"} {
		_, err := client.Digest(context.Background(), srv.Ref(repo, "1"))
		require.NoError(t, err)
	}
	rep := setup.RegistryReport(client.Stats())
	assert.Equal(t, 1, rep.Challenges)
	assert.Equal(t, 2, rep.Gets)
	require.Len(t, rep.Warnings, 1)
	assert.Equal(t, "registry "+srv.Host()+" sends no Docker-Content-Digest header: looked up with GET (2 lookups; a GET is a pull on Docker Hub)", rep.Warnings[0])

	var text strings.Builder
	require.NoError(t, check.NewReport(nil, rep).WriteText(&text))
	assert.Contains(t, text.String(), "1 401 challenges")
	assert.Contains(t, text.String(), "  warning: registry "+srv.Host()+" sends no Docker-Content-Digest header")
}
