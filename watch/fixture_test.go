package watch_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/dispatchtest"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/watch"
)

const (
	alpineV1 = digest.Digest("sha256:a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1")
	alpineV2 = digest.Digest("sha256:a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2")
	debianV1 = digest.Digest("sha256:d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1")
	golangV1 = digest.Digest("sha256:901a901a901a901a901a901a901a901a901a901a901a901a901a901a901a901a")

	secret = "s3cr3t-webhook-value"
)

// Two subscriptions:
//
//	octo/images: src/app  FROM golang:1.24 AS build … FROM alpine:3.20   (golang only in a builder stage)
//	             src/tool FROM debian:bookworm
//	octo/other:  src/base FROM debian:bookworm
var (
	imagesManifest = `{"registry": "registry.example.com", "repos": [{"name": "app", "images": [
	  {"platforms": [{"dockerfile": "src/app", "os": "linux", "osVersion": "alpine3.20", "architecture": "amd64", "tags": {"1.0": {}}}]},
	  {"platforms": [{"dockerfile": "src/tool", "os": "linux", "osVersion": "bookworm", "architecture": "amd64", "tags": {"tool": {}}}]}]}]}`
	otherManifest = `{"registry": "registry.example.com", "repos": [{"name": "other", "images": [
	  {"platforms": [{"dockerfile": "src/base", "os": "linux", "osVersion": "bookworm", "architecture": "amd64", "tags": {"base": {}}}]}]}]}`
	subscriptionsJSON = `[
	  {"manifest": {"owner": "octo", "repo": "images", "branch": "main", "path": "manifest.json"},
	   "imageInfo": {"owner": "octo", "repo": "images", "branch": "image-info", "path": "image-info.json"},
	   "pipelineTrigger": {"workflow": "build.yml", "pathVariable": "paths"}},
	  {"manifest": {"owner": "octo", "repo": "other", "branch": "main", "path": "manifest.json"},
	   "imageInfo": {"owner": "octo", "repo": "other", "branch": "image-info", "path": "image-info.json"},
	   "pipelineTrigger": {"workflow": "build.yml", "pathVariable": "paths"}}]`
)

const (
	imagesID = "octo/images/main/manifest.json"
	otherID  = "octo/other/main/manifest.json"
)

// imageInfo records one platform per entry: its repo, and per platform the Dockerfile
// directory, osVersion and baseImageDigest.
func imageInfo(repo string, platforms ...[3]string) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"schemaVersion": "2.0", "repos": [{"repo": %q, "images": [`, repo)
	for i, p := range platforms {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"platforms": [{"dockerfile": "%s/Dockerfile", "simpleTags": ["x"], "digest": "registry.example.com/%s@sha256:0000", "baseImageDigest": %q, "osType": "Linux", "osVersion": %q, "architecture": "amd64", "commitUrl": "https://example.com/commit"}]}`,
			p[0], repo, p[2], p[1])
	}
	b.WriteString("]}]}")
	return b.String()
}

// memSource is an in-memory subscription.Source whose files may change between passes.
type memSource struct {
	mu    sync.Mutex
	trees map[string]fstest.MapFS // "owner/repo@branch"
	// fail, when set, makes every call fail.
	fail error
}

func (s *memSource) set(owner, repo, branch string, files map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.trees == nil {
		s.trees = map[string]fstest.MapFS{}
	}
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	s.trees[owner+"/"+repo+"@"+branch] = fsys
}

func (s *memSource) Tree(_ context.Context, owner, repo, branch string) (fs.FS, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	t, ok := s.trees[owner+"/"+repo+"@"+branch]
	if !ok {
		return nil, fmt.Errorf("%s/%s@%s: %w", owner, repo, branch, fs.ErrNotExist)
	}
	return t, nil
}

func (s *memSource) ReadFile(ctx context.Context, owner, repo, branch, path string) ([]byte, error) {
	t, err := s.Tree(ctx, owner, repo, branch)
	if err != nil {
		return nil, err
	}
	return fs.ReadFile(t, path)
}

func (s *memSource) Close() error { return nil }

// gatedResolver blocks lookups of one reference until released, and can fail them.
type gatedResolver struct {
	registry.Resolver
	mu      sync.Mutex
	gate    chan struct{} // nil: no gate
	entered chan struct{} // receives one value per lookup that reached the gate
	fails   int           // lookups still to fail
	// failOnly, when set, restricts the failures to references ending with it: a check looks
	// bases up as their Dockerfiles are parsed, in no fixed order.
	failOnly string
}

func (g *gatedResolver) Digest(ctx context.Context, ref string) (digest.Digest, error) {
	g.mu.Lock()
	gate, entered := g.gate, g.entered
	failing := g.fails > 0 && (g.failOnly == "" || strings.HasSuffix(ref, g.failOnly))
	if failing {
		g.fails--
	}
	g.mu.Unlock()
	if gate != nil {
		entered <- struct{}{}
		select {
		case <-gate:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	if failing {
		return "", &registry.Error{Ref: ref, Op: "lookup", Kind: registry.Unavailable, Err: errors.New("registry unavailable")}
	}
	return g.Resolver.Digest(ctx, ref)
}

// fixture is two subscriptions in memory, an in-memory registry, and a recording backend.
type fixture struct {
	source   *memSource
	static   *registry.Static
	resolver *gatedResolver
	subs     []subscription.Subscription
	checker  *check.Checker
	rec      *dispatchtest.Recorder
	disp     *dispatch.Dispatcher
	logs     *syncBuffer
}

func newFixture(t *testing.T, cacheOpts ...registry.CacheOption) *fixture {
	t.Helper()
	f := &fixture{source: &memSource{}, rec: dispatchtest.NewRecorder(), logs: &syncBuffer{}}
	var err error
	f.static, err = registry.NewStatic(map[string]digest.Digest{
		"alpine:3.20": alpineV1, "debian:bookworm": debianV1, "golang:1.24": golangV1,
	})
	require.NoError(t, err)
	f.resolver = &gatedResolver{Resolver: f.static}
	f.source.set("octo", "images", "main", map[string]string{
		"manifest.json":       imagesManifest,
		"src/app/Dockerfile":  "FROM golang:1.24 AS build\nRUN go build -o /app .\nFROM alpine:3.20\nCOPY --from=build /app /app\n",
		"src/tool/Dockerfile": "FROM debian:bookworm\n",
	})
	f.source.set("octo", "images", "image-info", map[string]string{
		"image-info.json": imageInfo("app", [3]string{"src/app", "alpine3.20", "alpine@" + string(alpineV1)}, [3]string{"src/tool", "bookworm", "debian@" + string(debianV1)}),
	})
	f.source.set("octo", "other", "main", map[string]string{
		"manifest.json":       otherManifest,
		"src/base/Dockerfile": "FROM debian:bookworm\n",
	})
	f.source.set("octo", "other", "image-info", map[string]string{
		"image-info.json": imageInfo("other", [3]string{"src/base", "bookworm", "debian@" + string(debianV1)}),
	})
	f.subs, err = subscription.Parse("subscriptions.json", []byte(subscriptionsJSON))
	require.NoError(t, err)
	f.checker = &check.Checker{
		Manifests:   f.source,
		Cache:       registry.NewCache(f.resolver, cacheOpts...),
		LoadRecords: depgraph.LoadImageInfoRecords,
	}
	f.disp = &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.GitHubActions: f.rec, subscription.AzureDevOps: f.rec}}
	return f
}

// config is the fixture's watcher configuration: no full checks, no refresh, a short
// debounce, the shared secret.
func (f *fixture) config() watch.Config {
	return watch.Config{
		Subscriptions: f.subs,
		Checker:       f.checker,
		Dispatcher:    f.disp,
		Secret:        secret,
		Debounce:      30 * time.Millisecond,
		Interval:      -1,
		Refresh:       -1,
		RetryDelay:    20 * time.Millisecond,
		Logger:        slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

// start creates a watcher and runs it until the test ends, returning once it is ready.
func start(t *testing.T, cfg watch.Config) *watch.Watcher {
	t.Helper()
	w, err := watch.New(cfg)
	require.NoError(t, err)
	runWatcher(t, w)
	return w
}

func runWatcher(t *testing.T, w *watch.Watcher) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	select {
	case <-w.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("the watcher did not become ready")
	}
}

// eventually polls cond until it holds, failing the test after a deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// push is a tag push event of a distribution registry.
func push(host, repo, tag string, d digest.Digest) watch.Event {
	return watch.Event{Format: watch.Distribution, Action: "push", Host: host, Repository: repo, Tag: tag, Digest: string(d)}
}

// runs collects the watcher's runs.
type runs struct {
	mu   sync.Mutex
	list []watch.Run
}

func (r *runs) add(run watch.Run) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, run)
}

func (r *runs) get() []watch.Run {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]watch.Run(nil), r.list...)
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
