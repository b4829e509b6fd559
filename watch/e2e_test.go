package watch_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/dispatchtest"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/subscription/gitsource"
	"github.com/baseflow/baseflow/subscription/gitsource/gittest"
	"github.com/baseflow/baseflow/watch"
)

// distributionNotification is the envelope a distribution registry sends for a manifest
// pushed by tag.
func distributionNotification(host, repo, tag string, idx registrytest.Index) []byte {
	body, _ := json.Marshal(map[string]any{"events": []any{map[string]any{
		"id": "e2e-" + tag, "timestamp": time.Now().UTC().Format(time.RFC3339Nano), "action": "push",
		"target": map[string]any{"mediaType": idx.MediaType, "digest": idx.Digest.String(), "repository": repo, "tag": tag,
			"url": "http://" + host + "/v2/" + repo + "/manifests/" + idx.Digest.String()},
		"request": map[string]any{"host": host, "method": "PUT", "useragent": "oras-go"},
		"actor":   map[string]any{}, "source": map[string]any{"addr": host},
	}}})
	return body
}

// TestEndToEnd runs the watcher on real git repositories and an in-process registry: a push
// to the final-stage base of a subscription queues exactly one build with the expected
// paths; pushes to a builder-stage base and to an unrelated image queue nothing.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	reg := registrytest.New()
	t.Cleanup(reg.Close)
	host := reg.Host()
	platforms := []registry.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}
	base, err := reg.PushIndex("library/base", "1.0", ocispec.MediaTypeImageIndex, platforms...)
	require.NoError(t, err)
	_, err = reg.PushIndex("library/builder", "1.0", ocispec.MediaTypeImageIndex, platforms...)
	require.NoError(t, err)

	repos := t.TempDir()
	dir := filepath.Join(repos, "octo", "images")
	gittest.Init(t, dir).SetBranch("main", map[string]string{
		"manifest.json": `{"registry": "registry.example.com", "repos": [{"name": "app", "images": [
		  {"platforms": [{"dockerfile": "src/app", "os": "linux", "osVersion": "noble", "architecture": "amd64", "tags": {"1.0": {}}}]},
		  {"platforms": [{"dockerfile": "src/app-extra", "os": "linux", "osVersion": "noble", "architecture": "amd64", "tags": {"1.0-extra": {}}}]}]}]}`,
		"src/app/Dockerfile":       fmt.Sprintf("FROM %s/library/builder:1.0 AS build\nRUN make\nFROM %s/library/base:1.0\nCOPY --from=build /out /\n", host, host),
		"src/app-extra/Dockerfile": "FROM registry.example.com/app:1.0\n",
	})
	gittest.Init(t, dir).SetBranch("image-info", map[string]string{
		"image-info.json": fmt.Sprintf(`{"schemaVersion": "2.0", "repos": [{"repo": "app", "images": [
		  {"platforms": [{"dockerfile": "src/app/Dockerfile", "simpleTags": ["1.0"], "digest": "registry.example.com/app@sha256:0001",
		    "baseImageDigest": "%s/library/base@%s", "osType": "Linux", "osVersion": "noble", "architecture": "amd64", "commitUrl": "https://example.com/c"}]},
		  {"platforms": [{"dockerfile": "src/app-extra/Dockerfile", "simpleTags": ["1.0-extra"], "digest": "registry.example.com/app@sha256:0002",
		    "baseImageDigest": "registry.example.com/app@sha256:0001", "osType": "Linux", "osVersion": "noble", "architecture": "amd64", "commitUrl": "https://example.com/c"}]}]}]}`,
			host, base.Digest),
	})
	subs, err := subscription.Parse("subscriptions.json", []byte(`[{
	  "manifest": {"owner": "octo", "repo": "images", "branch": "main", "path": "manifest.json"},
	  "imageInfo": {"owner": "octo", "repo": "images", "branch": "image-info", "path": "image-info.json"},
	  "pipelineTrigger": {"workflow": "build.yml", "pathVariable": "paths"}}]`))
	require.NoError(t, err)

	client, err := remote.New()
	require.NoError(t, err)
	rec := dispatchtest.NewRecorder()
	clones := t.TempDir()
	w, err := watch.New(watch.Config{
		Subscriptions: subs,
		Checker:       &check.Checker{Cache: registry.NewCache(client), LoadRecords: depgraph.LoadImageInfoRecords},
		Sources: func() (subscription.Source, subscription.Source, error) {
			src, err := gitsource.New(gitsource.WithURLTemplate("file://"+filepath.ToSlash(repos)+"/{owner}/{repo}"),
				gitsource.WithTempDir(clones), gitsource.WithEnv(gittest.Env...))
			return src, src, err
		},
		Dispatcher: &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.GitHubActions: rec}},
		Secret:     secret,
		Debounce:   50 * time.Millisecond,
		JournalDir: t.TempDir(),
	})
	require.NoError(t, err)
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(srv.Close)
	runWatcher(t, w)
	eventually(t, "the start-up full check", func() bool {
		return w.Stats().Checks[watch.TriggerFull] == 1 && w.Stats().FailedChecks[watch.TriggerFull] == 0
	})
	require.False(t, w.Stats().LastFullCheck.IsZero())
	require.Empty(t, rec.Queued(), "everything is up to date")

	moved, err := reg.PushIndex("library/base", "1.0", ocispec.MediaTypeImageIndex, platforms...)
	require.NoError(t, err)
	status, _ := post(t, srv, "/webhook", distributionNotification(host, "library/base", "1.0", moved), bearer(secret))
	require.Equal(t, http.StatusAccepted, status)
	eventually(t, "a build is queued", func() bool { return len(rec.Queued()) > 0 })
	queued := rec.Queued()
	require.Len(t, queued, 1)
	assert.Equal(t, "github-actions octo/images workflow build.yml", queued[0].Pipeline)
	assert.Equal(t, "main", queued[0].Branch)
	assert.Equal(t, "--path 'src/app' --path 'src/app-extra'", queued[0].Value, "the image and the one built on it")

	for _, repo := range []string{"library/builder", "library/other"} {
		idx, err := reg.PushIndex(repo, "1.0", ocispec.MediaTypeImageIndex, platforms...)
		require.NoError(t, err)
		status, _ := post(t, srv, "/webhook/distribution", distributionNotification(host, repo, "1.0", idx), bearer(secret))
		require.Equal(t, http.StatusAccepted, status)
	}
	s := w.Stats()
	assert.Equal(t, int64(2), s.Unmatched, "neither push is a final-stage base")
	eventually(t, "the event is handled", func() bool { return w.Stats().Pending == 0 && w.Stats().Checks[watch.TriggerEvent] == 1 })
	assert.Len(t, rec.Queued(), 1)
}
