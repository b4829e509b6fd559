package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch/dispatchtest"
	"github.com/baseflow/baseflow/internal/cli/clitest"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/subscription/gitsource/gittest"
	"github.com/baseflow/baseflow/watch"
)

const secret = "integration-webhook-secret"

func TestMain(m *testing.M) {
	// Keep the machine's git configuration out of the clones the command makes.
	os.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	os.Exit(m.Run())
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// syncBuffer is a bytes.Buffer safe for the command's concurrent writers.
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

func TestHelpListsEveryFlag(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"--help"}, &stdout, &stderr, env(nil), deps{}))
	help := stdout.String()
	var c config
	n := 0
	flags(&c).VisitAll(func(f *flag.Flag) {
		n++
		assert.Contains(t, help, "  --"+f.Name+" ", "--help lists --%s", f.Name)
	})
	// The flags of get-stale-images' check and of queue-build, with the watcher's own.
	for _, name := range []string{
		"subscriptions", "repo-url", "image-info-source", "github-api-url", "os-type", "architecture", "os-version", "path",
		"registry-override", "base-override-regex", "base-override-sub", "mirror", "plain-http", "concurrency", "lookup-concurrency", "cache-dir", "lookup-timeout", "shard",
		"platform-aware", "check-pinned", "azdo-url", "azdo-org", "azdo-project", "failure-limit", "dry-run", "notify-repo",
		"listen", "debounce", "interval", "refresh", "journal", "insecure-no-auth", "secret-in-url", "log-format", "verbose",
	} {
		assert.Contains(t, help, "  --"+name+" ", name)
	}
	assert.Equal(t, 35, n)
	assert.Contains(t, help, "BASEFLOW_WEBHOOK_SECRET")
	assert.Contains(t, help, "(default 127.0.0.1:8080)")
	assert.Contains(t, help, "(default 30s)")
	assert.Contains(t, help, "(default 4h0m0s)")
	assert.Contains(t, help, "(default 30m0s)")
	assert.Empty(t, stderr.String())
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	subs := writeSubscriptions(t)
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--subscriptions", subs}, nil, "BASEFLOW_WEBHOOK_SECRET is not set: webhooks need a shared secret (or pass --insecure-no-auth"},
		{[]string{}, map[string]string{SecretEnv: secret}, "--subscriptions is required"},
		{[]string{"--subscriptions", subs, "--debounce", "-1s"}, map[string]string{SecretEnv: secret}, "--debounce must not be negative"},
		{[]string{"--subscriptions", subs, "--interval", "-1h"}, map[string]string{SecretEnv: secret}, "--interval must not be negative"},
		{[]string{"--subscriptions", subs, "--refresh", "-1m"}, map[string]string{SecretEnv: secret}, "--refresh must not be negative"},
		{[]string{"--subscriptions", subs, "extra"}, map[string]string{SecretEnv: secret}, `unexpected argument "extra"`},
		{[]string{"--subscriptions", subs, "--mirror", "docker.io"}, map[string]string{SecretEnv: secret}, "--mirror \"docker.io\": want REGISTRY=TARGET"},
		{[]string{"--subscriptions", subs, "--listen", ""}, map[string]string{SecretEnv: secret}, "--listen is required"},
		{[]string{"--subscriptions", subs, "--nope"}, map[string]string{SecretEnv: secret}, "unknown flag --nope"},
		{[]string{"--subscriptions", subs}, map[string]string{SecretEnv: "s3cret\n"}, "BASEFLOW_WEBHOOK_SECRET is 6 bytes long (without the white space around it): use a random secret of at least 16 bytes"},
		{[]string{"--subscriptions", subs, "--insecure-no-auth"}, map[string]string{SecretEnv: " \n"}, "BASEFLOW_WEBHOOK_SECRET holds only white space"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tt.args, &stdout, &stderr, env(tt.env), deps{})
		assert.Equal(t, 2, code, tt.args)
		assert.Contains(t, stderr.String(), "watch-registry: "+tt.want, tt.args)
		assert.True(t, strings.HasSuffix(stderr.String(), "; see watch-registry --help\n"), stderr.String())
		assert.NotContains(t, stderr.String(), "s3cret", "the secret is never shown")
	}
}

func TestInsecureNoAuthStarts(t *testing.T) {
	t.Parallel()
	repos, subs, _ := writeRepos(t, "127.0.0.1:1", digest.Digest("sha256:"+strings.Repeat("0", 64)))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--subscriptions", subs, "--repo-url", repoURL(repos), "--insecure-no-auth", "--interval", "0", "--debounce", "0"},
			io.Discard, &stderr, env(nil), deps{listener: ln, backend: dispatchtest.NewRecorder()})
	}()
	addr := "http://" + ln.Addr().String()
	eventually(t, "the watcher serves", func() bool { return healthy(addr) })
	resp, err := http.Post(addr+"/webhook", "application/json", strings.NewReader(`{"events": []}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusAccepted, resp.StatusCode, "no secret needed")
	cancel()
	assert.Equal(t, 0, <-done)
	assert.Contains(t, stderr.String(), "webhooks are accepted without authentication")
	assert.Contains(t, stderr.String(), "shutting down")
}

// TestEndToEnd runs the command against an in-process registry and git repositories, with
// a recording backend: a push to the final-stage base queues one build with the expected
// paths; a push to an unrelated image queues nothing.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	reg := registrytest.New()
	t.Cleanup(reg.Close)
	base, err := reg.PushIndex("library/base", "1.0", ocispec.MediaTypeImageIndex, platforms...)
	require.NoError(t, err)
	repos, subs, _ := writeRepos(t, reg.Host(), base.Digest)

	w := startCommand(t, subs, repos)
	moved, err := reg.PushIndex("library/base", "1.0", ocispec.MediaTypeImageIndex, platforms...)
	require.NoError(t, err)
	w.post(t, notification(reg.Host(), "library/base", "1.0", moved))
	eventually(t, "a build is queued", func() bool { return len(w.rec.Queued()) > 0 })
	w.assertOneBuild(t)

	other, err := reg.PushIndex("library/other", "1.0", ocispec.MediaTypeImageIndex, platforms...)
	require.NoError(t, err)
	w.post(t, notification(reg.Host(), "library/other", "1.0", other))
	w.waitMetric(t, "baseflow_watch_events_unmatched_total 1")
	w.waitMetric(t, "baseflow_watch_events_pending 0")
	assert.Len(t, w.rec.Queued(), 1, "the unrelated push queues nothing")
	w.stop(t)
	eventually(t, "the run's line is printed", func() bool { return strings.Contains(w.stdout.String(), "queued") })
	assert.Regexp(t, `queued\s+octo/images/main/manifest.json\s+github-actions octo/images workflow build.yml\s+https://ci.invalid/runs/1`, w.stdout.String())
}

// TestDistributionIntegration is the scenario end to end with Debian's docker-registry: the
// registry's notifications reach the watcher with the shared secret as a bearer token.
func TestDistributionIntegration(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	dist := registrytest.StartDistributionNotifying(t, registrytest.NotificationEndpoint{
		Name:              "watch-registry",
		URL:               "http://" + ln.Addr().String() + "/webhook/distribution",
		Headers:           http.Header{"Authorization": {"Bearer " + secret}},
		IgnoredMediaTypes: []string{"application/octet-stream"},
	})
	ctx := context.Background()
	target, err := dist.Target("library/base")
	require.NoError(t, err)
	base, err := registrytest.PushRandomIndex(ctx, target, "1.0", ocispec.MediaTypeImageIndex, platforms...)
	require.NoError(t, err)
	repos, subs, _ := writeRepos(t, dist.Host, base.Digest)

	w := startCommandOn(t, ln, subs, repos)
	moved, err := registrytest.PushRandomIndex(ctx, target, "1.0", ocispec.MediaTypeImageIndex, platforms...)
	require.NoError(t, err)
	eventually(t, "a build is queued", func() bool { return len(w.rec.Queued()) > 0 })
	w.assertOneBuild(t)
	assert.NotEqual(t, base.Digest, moved.Digest)

	other, err := dist.Target("library/other")
	require.NoError(t, err)
	_, err = registrytest.PushRandomIndex(ctx, other, "1.0", ocispec.MediaTypeImageIndex, platforms...)
	require.NoError(t, err)
	w.waitMetric(t, "baseflow_watch_events_unmatched_total 1")
	w.waitMetric(t, "baseflow_watch_events_pending 0")
	assert.Len(t, w.rec.Queued(), 1, "the unrelated push queues nothing")
	assert.NotContains(t, w.stderr.String(), secret)
	w.stop(t)
}

var platforms = []registry.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}

// command is watch-registry running in a test.
type command struct {
	addr           string
	rec            *dispatchtest.Recorder
	stdout, stderr *syncBuffer
	journal        string
	cancel         context.CancelFunc
	done           chan int
	stopped        bool
}

func startCommand(t *testing.T, subs, repos string) *command {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return startCommandOn(t, ln, subs, repos)
}

// startCommandOn runs the command on ln with a recording backend and waits until its
// start-up full check has passed.
func startCommandOn(t *testing.T, ln net.Listener, subs, repos string) *command {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := &command{addr: "http://" + ln.Addr().String(), rec: dispatchtest.NewRecorder(), stdout: &syncBuffer{}, stderr: &syncBuffer{},
		journal: filepath.Join(t.TempDir(), "journal"), cancel: cancel, done: make(chan int, 1)}
	args := []string{"--subscriptions", subs, "--repo-url", repoURL(repos), "--debounce", "100ms", "--refresh", "0", "--journal", c.journal}
	go func() {
		// The secret as read from a file, with its final newline: senders sign without it.
		c.done <- run(ctx, args, c.stdout, c.stderr, env(map[string]string{SecretEnv: secret + "\n"}), deps{listener: ln, backend: c.rec})
	}()
	t.Cleanup(func() {
		cancel()
		if !c.stopped {
			<-c.done
		}
		if t.Failed() || testing.Verbose() {
			t.Logf("watch-registry stderr:\n%s\nstdout:\n%s", c.stderr.String(), c.stdout.String())
		}
	})
	c.waitMetric(t, `baseflow_watch_checks_total{trigger="full",result="ok"} 1`)
	require.Empty(t, c.rec.Queued(), "everything is up to date at start-up")
	return c
}

func (c *command) post(t *testing.T, body []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.addr+"/webhook", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set(watch.SignatureHeader, watch.Sign(secret, body))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
}

// waitMetric waits until /metrics has the sample line.
func (c *command) waitMetric(t *testing.T, line string) {
	t.Helper()
	eventually(t, "/metrics has "+line, func() bool {
		resp, err := http.Get(c.addr + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if sc.Text() == line {
				return true
			}
		}
		return false
	})
}

func (c *command) assertOneBuild(t *testing.T) {
	t.Helper()
	q := c.rec.Queued()
	require.Len(t, q, 1)
	assert.Equal(t, "github-actions octo/images workflow build.yml", q[0].Pipeline)
	assert.Equal(t, "main", q[0].Branch)
	assert.Equal(t, `{"paths": "--path 'src/app' --path 'src/app-extra'"}`, q[0].Parameters)
}

func (c *command) stop(t *testing.T) {
	t.Helper()
	c.cancel()
	c.stopped = true
	assert.Equal(t, 0, <-c.done)
	entries, err := os.ReadDir(c.journal)
	require.NoError(t, err)
	assert.Empty(t, entries, "every event was handled")
}

// notification is what a distribution registry sends for an index pushed by tag.
func notification(host, repo, tag string, idx registrytest.Index) []byte {
	body, _ := json.Marshal(map[string]any{"events": []any{map[string]any{
		"id": "1", "timestamp": time.Now().UTC().Format(time.RFC3339Nano), "action": "push",
		"target":  map[string]any{"mediaType": idx.MediaType, "digest": idx.Digest, "repository": repo, "tag": tag},
		"request": map[string]any{"host": host, "method": "PUT"},
	}}})
	return body
}

func healthy(addr string) bool {
	resp, err := http.Get(addr + "/healthz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func repoURL(repos string) string { return "file://" + filepath.ToSlash(repos) + "/{owner}/{repo}" }

// writeSubscriptions writes a subscriptions file naming octo/images.
func writeSubscriptions(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "subscriptions.json")
	require.NoError(t, os.WriteFile(file, []byte(`[{
	  "manifest": {"owner": "octo", "repo": "images", "branch": "main", "path": "manifest.json"},
	  "imageInfo": {"owner": "octo", "repo": "images", "branch": "image-info", "path": "image-info.json"},
	  "pipelineTrigger": {"workflow": "build.yml", "pathVariable": "paths"}}]`), 0o644))
	return file
}

// writeRepos creates the git repository octo/images: on main, a manifest whose src/app is
// built FROM host/library/builder:1.0 (a builder stage) and host/library/base:1.0, and
// src/app-extra FROM src/app's image; on image-info, the record of both with base at d.
// It returns the repositories' directory, the subscriptions file and the repository.
func writeRepos(t *testing.T, host string, d digest.Digest) (repos, subs, dir string) {
	t.Helper()
	repos = t.TempDir()
	dir = filepath.Join(repos, "octo", "images")
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
			host, d),
	})
	return repos, writeSubscriptions(t), dir
}

func TestCommandLineConventions(t *testing.T) {
	t.Parallel()
	clitest.Conventions(t, "watch-registry", func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr, env(nil), deps{})
		return code, stdout.String(), stderr.String()
	})
}
