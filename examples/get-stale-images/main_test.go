package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/internal/cli/clitest"
	"github.com/baseflow/baseflow/internal/fixture"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/subscription/gitsource/gittest"
)

var linux = []registry.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64", Variant: "v8"}}

// appFiles is a manifest with a base image on alpine:3.20 and an app built on it, for two
// architectures; the app has a builder stage on golang, which is never checked.
var appFiles = map[string]string{
	"manifest.json": `{"registry": "images.example.com", "repos": [
	  {"id": "base", "name": "team/base", "images": [{"productVersion": "1.0", "platforms": [
	    {"dockerfile": "src/base/amd64", "os": "linux", "osVersion": "alpine3.20", "tags": {"1.0-amd64": {}}},
	    {"dockerfile": "src/base/arm64", "os": "linux", "osVersion": "alpine3.20", "architecture": "arm64", "variant": "v8", "tags": {"1.0-arm64": {}}}]}]},
	  {"id": "app", "name": "team/app", "images": [{"productVersion": "1.0", "platforms": [
	    {"dockerfile": "src/app/amd64", "os": "linux", "osVersion": "alpine3.20", "buildArgs": {"REPO": "$(Repo:base)"}, "tags": {"1.0-amd64": {}}},
	    {"dockerfile": "src/app/arm64", "os": "linux", "osVersion": "alpine3.20", "architecture": "arm64", "variant": "v8", "buildArgs": {"REPO": "$(Repo:base)"}, "tags": {"1.0-arm64": {}}}]}]}]}`,
	"src/base/amd64/Dockerfile": "FROM alpine:3.20\n",
	"src/base/arm64/Dockerfile": "FROM alpine:3.20\n",
	"src/app/amd64/Dockerfile":  "ARG REPO\nFROM golang:1.23 AS build\nFROM $REPO:1.0-amd64\nCOPY --from=build /app /app\n",
	"src/app/arm64/Dockerfile":  "ARG REPO\nFROM golang:1.23 AS build\nFROM $REPO:1.0-arm64\nCOPY --from=build /app /app\n",
}

// oneImage is a manifest with a single platform on base.
func oneImage(base string) map[string]string {
	return map[string]string{
		"manifest.json": `{"repos": [{"name": "team/tool", "images": [{"platforms": [
		  {"dockerfile": "src/tool", "os": "linux", "osVersion": "bookworm", "tags": {"latest": {}}}]}]}]}`,
		"src/tool/Dockerfile": "FROM " + base + "\n",
	}
}

type world struct {
	dir     string
	reg     *registrytest.Server
	repoURL string
	subs    []subscription.Subscription
}

// newWorld starts a registry holding alpine:3.20 and debian:12, and makes git repositories
// contoso/<name> for each manifest, with their image-info files in contoso/versions
// recording today's digests, and one subscription per manifest, in the order given.
func newWorld(t *testing.T, reg *registrytest.Server, manifests ...struct {
	name  string
	files map[string]string
}) *world {
	t.Helper()
	w := &world{dir: t.TempDir(), reg: reg}
	w.repoURL = "file://" + filepath.ToSlash(filepath.Join(w.dir, "git")) + "/{owner}/{repo}"
	infos := map[string]string{}
	for _, m := range manifests {
		files := fixture.Files(m.files)
		info, err := fixture.ImageInfo(files, "manifest.json", manifest.Options{}, reg.DigestOf)
		require.NoError(t, err)
		infos["info/"+m.name+".json"] = string(info)
		gittest.Init(t, filepath.Join(w.dir, "git", "contoso", m.name)).SetBranch("main", m.files)
		w.subs = append(w.subs, subscription.Subscription{
			Manifest:        subscription.ManifestFile{Owner: "contoso", Repo: m.name, Branch: "main", Path: "manifest.json"},
			ImageInfo:       subscription.GitFile{Owner: "contoso", Repo: "versions", Branch: "main", Path: "info/" + m.name + ".json"},
			PipelineTrigger: subscription.PipelineTrigger{ID: 7, PathVariable: "imageBuilder.pathArgs"},
		})
	}
	gittest.Init(t, filepath.Join(w.dir, "git", "contoso", "versions")).SetBranch("main", infos)
	return w
}

func (w *world) subscribe(t *testing.T, subs ...subscription.Subscription) string {
	t.Helper()
	data, err := json.Marshal(append(w.subs, subs...))
	require.NoError(t, err)
	file := filepath.Join(w.dir, "subscriptions.json")
	require.NoError(t, os.WriteFile(file, data, 0o644))
	return file
}

func (w *world) run(t *testing.T, resolver registry.Resolver, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	all := append([]string{"--repo-url", w.repoURL, "--mirror", "docker.io=" + w.reg.Host()}, args...)
	code := run(context.Background(), all, &stdout, &stderr, func(k string) string { return env[k] }, resolver)
	return code, stdout.String(), stderr.String()
}

func pushBases(t *testing.T, reg *registrytest.Server) {
	t.Helper()
	_, err := reg.PushIndex("library/alpine", "3.20", ocispec.MediaTypeImageIndex, linux...)
	require.NoError(t, err)
	_, err = reg.PushIndex("library/debian", "12", registry.MediaTypeDockerManifestList, linux...)
	require.NoError(t, err)
	_, err = reg.PushImage("library/golang", "1.23", linux[0])
	require.NoError(t, err)
}

type named = struct {
	name  string
	files map[string]string
}

func TestStaleImagesEndToEnd(t *testing.T) {
	t.Parallel()
	reg := registrytest.New()
	defer reg.Close()
	pushBases(t, reg)
	w := newWorld(t, reg, named{"app", appFiles}, named{"tool", oneImage("debian:12")})
	subs := w.subscribe(t)

	code, stdout, stderr := w.run(t, nil, nil, "--subscriptions", subs)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "[]\n", stdout, "everything is at the recorded digests")
	assert.Contains(t, stderr, "[2/2] ")
	assert.Contains(t, stderr, "contoso/app/main/manifest.json: 1 bases, 0 stale")

	_, err := reg.MoveTag("library/alpine", "3.20")
	require.NoError(t, err)
	reg.ResetRequests()
	report := filepath.Join(w.dir, "report.json")
	code, stdout, stderr = w.run(t, nil, nil, "--subscriptions", subs, "--report", report, "--explain")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, `[{"SubscriptionId":"contoso/app/main/manifest.json","ImagePaths":["src/base/amd64","src/app/amd64","src/base/arm64","src/app/arm64"]}]`+"\n", stdout)

	// One manifest request per distinct base (alpine:3.20 and debian:12; never golang, which
	// only a builder stage uses), all HEAD; and for the base that moved, a GET of its recorded
	// and of its current index, by digest, to compare platforms.
	assert.Equal(t, 2, reg.CountRequests(func(r registrytest.Request) bool { return r.IsManifest() && r.Method == http.MethodHead }))
	assert.Equal(t, 2, reg.CountRequests(func(r registrytest.Request) bool {
		return r.Method == http.MethodGet && r.IsManifest() && strings.Contains(r.Path, "/manifests/sha256:")
	}))
	assert.Equal(t, 2, reg.CountRequests(func(r registrytest.Request) bool { return r.Method == http.MethodGet }))

	var rep check.Report
	data, err := os.ReadFile(report)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &rep))
	require.Len(t, rep.Subscriptions, 2)
	app := rep.Subscriptions[0]
	assert.Equal(t, check.StatusStale, app.Status)
	assert.Equal(t, 2, app.Candidates)
	require.Len(t, app.Stale, 4)
	assert.Equal(t, "base-changed", string(app.Stale[0].Reason.Kind))
	assert.Equal(t, "alpine:3.20", app.Stale[0].Reason.Base)
	assert.Equal(t, "depends-on", string(app.Stale[1].Reason.Kind))
	assert.Equal(t, []string{"src/base/amd64", "src/app/amd64"}, app.Stale[1].Reason.Via)
	assert.Equal(t, [][]string{{"src/base/amd64", "src/base/arm64"}, {"src/app/amd64", "src/app/arm64"}}, app.Waves)
	moved, err := reg.Digest("library/alpine", "3.20")
	require.NoError(t, err)
	assert.Equal(t, []check.BaseReport{{Reference: "alpine:3.20", Digest: moved.String(), Platforms: 2}}, app.Bases)
	assert.Equal(t, check.StatusUpToDate, rep.Subscriptions[1].Status)
	assert.Equal(t, 2, rep.Registry.Heads)
	assert.Equal(t, 2, rep.Registry.Gets, "the moved base's two indexes")
	assert.Contains(t, stderr, "base moved: alpine:3.20")
	assert.Contains(t, stderr, "src/app/arm64    built on src/base/arm64")
}

func TestFailureIsolation(t *testing.T) {
	t.Parallel()
	// flaky:1 answers 500 for ever; the client gives up after one retry.
	reg := registrytest.New(registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/library/flaky/") {
				http.Error(w, "boom", http.StatusInternalServerError)
				return
			}
			next.ServeHTTP(w, r)
		})
	}))
	defer reg.Close()
	pushBases(t, reg)
	_, err := reg.PushImage("library/flaky", "1", linux[0])
	require.NoError(t, err)
	w := newWorld(t, reg, named{"broken", oneImage("flaky:1")}, named{"app", appFiles})
	missing := subscription.Subscription{
		Manifest:        subscription.ManifestFile{Owner: "contoso", Repo: "missing", Branch: "main", Path: "manifest.json"},
		ImageInfo:       subscription.GitFile{Owner: "contoso", Repo: "versions", Branch: "main", Path: "info/missing.json"},
		PipelineTrigger: subscription.PipelineTrigger{ID: 9, PathVariable: "imageBuilder.pathArgs"},
	}
	subs := w.subscribe(t, missing)
	_, err = reg.MoveTag("library/alpine", "3.20")
	require.NoError(t, err)

	client, err := remote.New(remote.WithMaxRetries(1), remote.WithBackoff(time.Millisecond))
	require.NoError(t, err)
	code, stdout, stderr := w.run(t, client, nil, "--subscriptions", subs)
	assert.Equal(t, 1, code)
	assert.Equal(t, `[{"SubscriptionId":"contoso/app/main/manifest.json","ImagePaths":["src/base/amd64","src/app/amd64","src/base/arm64","src/app/arm64"]}]`+"\n", stdout,
		"the healthy subscription's paths are written; the failed ones have none")
	assert.Contains(t, stderr, "get-stale-images: base flaky:1 (1 platform not checked, in contoso/broken/main/manifest.json): registry: HEAD "+reg.Host()+"/library/flaky:1: unavailable (500)\n")
	assert.Contains(t, stderr, "contoso/broken/main/manifest.json: 1 bases (1 lookup failed, 1 platform not checked), 0 stale\n")
	assert.Contains(t, stderr, "(500)")
	assert.Contains(t, stderr, "get-stale-images: contoso/missing/main/manifest.json: repository contoso/missing branch main: ")
	assert.Contains(t, stderr, "get-stale-images: 2 of 3 subscriptions failed: 1 base could not be looked up, 1 platform not checked\n")
}

// TestFailuresGroupedByBase: a base that cannot be looked up is named once, with the
// platforms and subscriptions it leaves unchecked, whatever the number of platforms (two
// here share one Dockerfile) and subscriptions using it.
func TestFailuresGroupedByBase(t *testing.T) {
	t.Parallel()
	// After the image-info files are recorded, gone and missing answer 404.
	var removed atomic.Bool
	reg := registrytest.New(registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if removed.Load() && (strings.Contains(r.URL.Path, "/library/gone/") || strings.Contains(r.URL.Path, "/library/missing/")) {
				http.Error(w, `{"errors":[{"code":"MANIFEST_UNKNOWN"}]}`, http.StatusNotFound)
				return
			}
			next.ServeHTTP(w, r)
		})
	}))
	defer reg.Close()
	pushBases(t, reg)
	shared := map[string]string{
		"manifest.json": `{"repos": [{"name": "team/tool", "images": [{"platforms": [
		  {"dockerfile": "src/tool", "os": "linux", "osVersion": "bookworm", "tags": {"amd64": {}}},
		  {"dockerfile": "src/tool", "os": "linux", "osVersion": "bookworm", "architecture": "arm64", "tags": {"arm64": {}}},
		  {"dockerfile": "src/other", "os": "linux", "osVersion": "bookworm", "tags": {"other": {}}}]}]}]}`,
		"src/tool/Dockerfile":  "FROM gone:1\n",
		"src/other/Dockerfile": "FROM missing:2\n",
	}
	_, err := reg.PushImage("library/gone", "1", linux[0])
	require.NoError(t, err)
	_, err = reg.PushImage("library/missing", "2", linux[0])
	require.NoError(t, err)
	w := newWorld(t, reg, named{"one", shared}, named{"two", shared}, named{"app", appFiles})
	subs := w.subscribe(t)
	removed.Store(true)

	code, stdout, stderr := w.run(t, nil, nil, "--subscriptions", subs, "--explain")
	assert.Equal(t, 1, code)
	assert.Equal(t, `[]`+"\n", stdout)
	var summary []string
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "get-stale-images: ") {
			summary = append(summary, line)
		}
	}
	assert.Equal(t, []string{
		"get-stale-images: base gone:1 (4 platforms not checked, in 2 subscriptions): registry: HEAD " + reg.Host() + "/library/gone:1: not found (404)",
		"get-stale-images: base missing:2 (2 platforms not checked, in 2 subscriptions): registry: HEAD " + reg.Host() + "/library/missing:2: not found (404)",
		"get-stale-images: 2 of 3 subscriptions failed: 2 bases could not be looked up, 6 platforms not checked",
	}, summary)
	assert.Contains(t, stderr, "contoso/one/main/manifest.json: 2 bases (2 lookups failed, 3 platforms not checked), 0 stale\n")
	assert.Contains(t, stderr, "\n  lookup failed: missing:2 (1 platform not checked): ")
	assert.Contains(t, stderr, "\n  lookup failed: gone:1 (2 platforms not checked): registry: HEAD "+reg.Host()+"/library/gone:1: not found (404)\n")
	assert.NotContains(t, stderr, "registry: registry:")
	assert.Equal(t, 2, strings.Count(stderr, "lookup failed: gone:1"), "once per subscription in --explain")
}

func TestOutputFormats(t *testing.T) {
	t.Parallel()
	reg := registrytest.New()
	defer reg.Close()
	pushBases(t, reg)
	w := newWorld(t, reg, named{"app", appFiles})
	subs := w.subscribe(t)
	_, err := reg.MoveTag("library/alpine", "3.20")
	require.NoError(t, err)
	want := `[{"SubscriptionId":"contoso/app/main/manifest.json","ImagePaths":["src/base/amd64","src/app/amd64","src/base/arm64","src/app/arm64"]}]`

	code, stdout, stderr := w.run(t, nil, nil, "--subscriptions", subs, "--format", "azure-pipelines")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "##vso[task.setvariable variable=staleImagePaths;isoutput=true]"+strings.ReplaceAll(want, `"`, `\"`)+"\n", stdout)

	out, summary := filepath.Join(w.dir, "gh-output"), filepath.Join(w.dir, "gh-summary")
	require.NoError(t, os.WriteFile(out, []byte("earlier=1\n"), 0o644))
	code, _, stderr = w.run(t, nil, map[string]string{"GITHUB_OUTPUT": out, "GITHUB_STEP_SUMMARY": summary},
		"--subscriptions", subs, "--format", "github-actions", "--variable", "stale")
	require.Equal(t, 0, code, stderr)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "earlier=1\nstale="+want+"\n", string(data), "appended, not replaced")
	data, err = os.ReadFile(summary)
	require.NoError(t, err)
	assert.Contains(t, string(data), "| contoso/app/main/manifest.json | `src/app/arm64` | built on src/base/arm64")

	// Refused before the check runs: nothing on stdout, no progress.
	code, stdout, stderr = w.run(t, nil, nil, "--subscriptions", subs, "--format", "github-actions")
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "get-stale-images: --format github-actions: GITHUB_OUTPUT is not set (run inside a GitHub Actions step, or choose --format json); see get-stale-images --help\n", stderr)

	code, stdout, stderr = w.run(t, nil, nil, "--subscriptions", subs, "--output", "-")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, want+"\n", stdout, "--output - is stdout")

	file := filepath.Join(w.dir, "out.json")
	code, stdout, stderr = w.run(t, nil, nil, "--subscriptions", subs, "--output", file, "--shard", "1/1")
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stdout)
	data, err = os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, want+"\n", string(data))
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "--subscriptions (or --manifest and --image-info) is required"},
		{[]string{"--manifest", "m.json"}, "--manifest and --image-info go together"},
		{[]string{"--subscriptions", "x", "--manifest", "m.json", "--image-info", "i.json"}, "do not go together"},
		{[]string{"--manifest", "m.json", "--image-info", "i.json", "--shard", "1/2"}, "--shard goes with --subscriptions"},
		{[]string{"--subscriptions", "x", "--format", "yaml"}, `--format "yaml"`},
		{[]string{"--subscriptions", "x", "--shard", "3/2"}, `--shard: shard "3/2"`},
		{[]string{"--subscriptions", "x", "--mirror", "docker.io"}, `--mirror "docker.io": want REGISTRY=TARGET`},
		{[]string{"--subscriptions", "x", "--base-override-regex", "("}, "--base-override-regex"},
		{[]string{"--subscriptions", "x", "--image-info-source", "svn"}, `--image-info-source "svn"`},
		{[]string{"--nope"}, "unknown flag --nope"},
		{[]string{"--subscriptions", "x", "staleImagePaths", "extra"}, `unexpected argument "extra" (the only argument is the output VARIABLE)`},
		{[]string{"--subscriptions", "x", "--source-repo-prefix", "mirror/"}, "unknown flag --source-repo-prefix: baseflow looks bases up through mirrors: pass --mirror"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, &stdout, &stderr, func(string) string { return "" }, nil)
		assert.Equal(t, 2, code, "%v", tc.args)
		assert.Contains(t, stderr.String(), tc.want)
	}
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"--help"}, &stdout, &stderr, os.Getenv, nil))
	for _, flag := range []string{"--subscriptions", "--repo-url", "--image-info-source", "--github-api-url", "--os-type", "--architecture",
		"--os-version", "--path", "--registry-override", "--base-override-regex", "--base-override-sub", "--mirror", "--plain-http",
		"--concurrency", "--lookup-concurrency", "--cache-dir", "--shard", "--format", "--variable", "--output", "--report", "--explain"} {
		assert.Contains(t, stdout.String(), "  "+flag+" ")
	}
}

// TestOutputOntoInput: --output or --report naming the working copy's manifest or
// image-info is a usage error, and both files are left as they were.
func TestOutputOntoInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m, info := filepath.Join(dir, "manifest.json"), filepath.Join(dir, "image-info.json")
	require.NoError(t, os.WriteFile(m, []byte("manifest"), 0o644))
	require.NoError(t, os.WriteFile(info, []byte("image-info"), 0o644))
	for _, tc := range []struct{ flag, file, want string }{
		{"--output", m, "--output " + m + " is the --manifest file"},
		{"--report", filepath.Join(dir, ".", "image-info.json"), "is the --image-info file"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"--manifest", m, "--image-info", info, tc.flag, tc.file}, &stdout, &stderr, func(string) string { return "" }, nil)
		assert.Equal(t, 2, code, stderr.String())
		assert.Contains(t, stderr.String(), tc.want)
	}
	for file, want := range map[string]string{m: "manifest", info: "image-info"} {
		got, err := os.ReadFile(file)
		require.NoError(t, err)
		assert.Equal(t, want, string(got))
	}
}

// TestAgainstDistribution runs the check against Debian's docker-registry (the CNCF
// distribution registry), whose content negotiation is the real one.
func TestAgainstDistribution(t *testing.T) {
	t.Parallel()
	dist := registrytest.StartDistribution(t, registrytest.DistributionOptions{})
	target, err := dist.Target("library/alpine")
	require.NoError(t, err)
	idx, err := registrytest.PushRandomIndex(context.Background(), target, "3.20", registry.MediaTypeDockerManifestList, linux...)
	require.NoError(t, err)

	// The manifests' image-info is recorded from the in-process registry; only the check
	// itself talks to docker-registry.
	reg := registrytest.New()
	defer reg.Close()
	pushBases(t, reg)
	w := newWorld(t, reg, named{"app", appFiles})
	subs := w.subscribe(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--subscriptions", subs, "--repo-url", w.repoURL, "--mirror", "docker.io=" + dist.Host, "--report", filepath.Join(w.dir, "r.json")},
		&stdout, &stderr, func(string) string { return "" }, nil)
	require.Equal(t, 0, code, stderr.String())
	// The registry's alpine differs from the recorded one: all four paths are stale.
	assert.Equal(t, `[{"SubscriptionId":"contoso/app/main/manifest.json","ImagePaths":["src/base/amd64","src/app/amd64","src/base/arm64","src/app/arm64"]}]`+"\n", stdout.String())
	data, err := os.ReadFile(filepath.Join(w.dir, "r.json"))
	require.NoError(t, err)
	var rep check.Report
	require.NoError(t, json.Unmarshal(data, &rep))
	assert.Equal(t, idx.Digest.String(), rep.Subscriptions[0].Bases[0].Digest, "the manifest list's own digest, not a child's")
	assert.Equal(t, 1, rep.Registry.Heads)
	assert.Equal(t, 2, rep.Registry.Gets, "the recorded index (not in this registry: the base counts as moved) and the current one")
}

// TestWorkingCopy checks a manifest and image-info on disk, without git or subscriptions:
// the manifest path as given is the SubscriptionId, and an entry that misses its platform
// by the letter case of osType is named in --explain, --report and the step summary.
func TestWorkingCopy(t *testing.T) {
	t.Parallel()
	reg := registrytest.New()
	defer reg.Close()
	pushBases(t, reg)
	dir := t.TempDir()
	files := fixture.Files(appFiles)
	for name, content := range appFiles {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	info, err := fixture.ImageInfo(files, "manifest.json", manifest.Options{}, reg.DigestOf)
	require.NoError(t, err)
	infoFile := filepath.Join(dir, "image-info.json")
	require.NoError(t, os.WriteFile(infoFile, info, 0o644))
	manifestFile := filepath.Join(dir, "manifest.json")
	args := []string{"--manifest", manifestFile, "--image-info", infoFile, "--mirror", "docker.io=" + reg.Host()}

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr, os.Getenv, nil)
	require.Equal(t, 0, code, stderr.String())
	assert.Equal(t, "[]\n", stdout.String())
	assert.Contains(t, stderr.String(), "[1/1] "+manifestFile+": 1 bases, 0 stale")

	// An uncommitted edit of the image-info file: the amd64 base's osType in lower case.
	edited := regexp.MustCompile(`("dockerfile": "src/base/amd64/Dockerfile",[^}]*?)"osType": "Linux"`).ReplaceAllString(string(info), `$1"osType": "linux"`)
	require.NotEqual(t, string(info), edited)
	require.NoError(t, os.WriteFile(infoFile, []byte(edited), 0o644))
	report, summary, output := filepath.Join(dir, "report.json"), filepath.Join(dir, "summary.md"), filepath.Join(dir, "output")
	env := map[string]string{"GITHUB_STEP_SUMMARY": summary, "GITHUB_OUTPUT": output}
	stdout.Reset()
	stderr.Reset()
	code = run(context.Background(), append(args, "--explain", "--report", report, "--format", "github-actions"), &stdout, &stderr, func(k string) string { return env[k] }, nil)
	require.Equal(t, 0, code, stderr.String())
	const miss = `the entry team/base src/base/amd64/Dockerfile (amd64, linux, alpine3.20) with osType "linux" (want "Linux")`
	assert.Contains(t, stderr.String(), "src/base/amd64   not in image-info; did you mean "+miss+"?")
	data, err := os.ReadFile(report)
	require.NoError(t, err)
	var rep check.Report
	require.NoError(t, json.Unmarshal(data, &rep))
	require.Len(t, rep.Subscriptions, 1)
	assert.Equal(t, manifestFile, rep.Subscriptions[0].ID)
	assert.Equal(t, miss, rep.Subscriptions[0].Stale[0].Reason.NearMiss)
	md, err := os.ReadFile(summary)
	require.NoError(t, err)
	assert.Contains(t, string(md), "image-info has no entry for this image; did you mean "+miss+"?")
}

func TestCommandLineConventions(t *testing.T) {
	t.Parallel()
	clitest.Conventions(t, "get-stale-images", func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr, func(string) string { return "" }, nil)
		return code, stdout.String(), stderr.String()
	})
}

// TestImageBuilderCommandLine runs the check with ImageBuilder's getStaleImages spelling: the
// output variable as the first argument, --subscriptions-path.
func TestImageBuilderCommandLine(t *testing.T) {
	t.Parallel()
	reg := registrytest.New()
	defer reg.Close()
	pushBases(t, reg)
	w := newWorld(t, reg, named{"app", appFiles})
	subs := w.subscribe(t)
	code, stdout, stderr := w.run(t, nil, nil, "staleImagePaths", "--subscriptions-path", subs, "--os-type", "*", "--architecture", "*")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "##vso[task.setvariable variable=staleImagePaths;isoutput=true][]\n", stdout)

	code, stdout, stderr = w.run(t, nil, nil, "myPaths", "--subscriptions-path", subs, "--format", "json")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "[]\n", stdout, "an explicit --format wins over the argument's azure-pipelines")
}

// TestLogFormatJSON: with --log-format json every line of stderr is a JSON record: the log,
// the progress, --explain and the failures.
func TestLogFormatJSON(t *testing.T) {
	t.Parallel()
	reg := registrytest.New()
	defer reg.Close()
	pushBases(t, reg)
	w := newWorld(t, reg, named{"app", appFiles})
	missing := subscription.Subscription{
		Manifest:        subscription.ManifestFile{Owner: "contoso", Repo: "missing", Branch: "main", Path: "manifest.json"},
		ImageInfo:       subscription.GitFile{Owner: "contoso", Repo: "versions", Branch: "main", Path: "info/missing.json"},
		PipelineTrigger: subscription.PipelineTrigger{ID: 9, PathVariable: "imageBuilder.pathArgs"},
	}
	subs := w.subscribe(t, missing)
	code, stdout, stderr := w.run(t, nil, nil, "--subscriptions", subs, "--log-format", "json", "--explain", "--verbose")
	assert.Equal(t, 1, code)
	assert.Equal(t, "[]\n", stdout)
	levels := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		var rec struct{ Level, Msg string }
		require.NoError(t, json.Unmarshal([]byte(line), &rec), "not JSON: %s", line)
		levels[rec.Level] = append(levels[rec.Level], rec.Msg)
	}
	progress := false
	for _, msg := range levels["INFO"] {
		// The subscriptions finish in either order.
		progress = progress || regexp.MustCompile(`^\[[12]/2\] contoso/app/main/manifest.json: 1 bases, 0 stale$`).MatchString(msg)
	}
	assert.True(t, progress, "progress, one record per subscription: %q", levels["INFO"])
	explained := false
	for _, msg := range levels["INFO"] {
		explained = explained || strings.HasPrefix(msg, "contoso/missing/main/manifest.json: failed (0 candidate platforms")
	}
	assert.True(t, explained, "--explain, one record per line: %q", levels["INFO"])
	assert.Contains(t, levels["ERROR"], "get-stale-images: 1 of 2 subscriptions failed")
	assert.NotEmpty(t, levels["DEBUG"], "the log itself")

	// A usage error found after the flags are read, too.
	code, _, stderr = w.run(t, nil, nil, "--subscriptions", subs, "--log-format", "json", "--format", "github-actions")
	assert.Equal(t, 2, code)
	var rec struct{ Level, Msg string }
	require.NoError(t, json.Unmarshal([]byte(stderr), &rec), stderr)
	assert.Equal(t, "ERROR", rec.Level)
	assert.True(t, strings.HasPrefix(rec.Msg, "get-stale-images: --format github-actions: GITHUB_OUTPUT is not set"), rec.Msg)
}

// TestRespelledBase: with --base-override-regex pointing debian:12 at another repository
// holding the same image, nothing moved; --explain says the repository's spelling differs
// from the recorded one, not that the base moved.
func TestRespelledBase(t *testing.T) {
	t.Parallel()
	reg := registrytest.New()
	defer reg.Close()
	pushBases(t, reg)
	w := newWorld(t, reg, named{"tool", oneImage("debian:12")})
	subs := w.subscribe(t)
	code, stdout, stderr := w.run(t, nil, nil, "--subscriptions", subs, "--explain",
		"--base-override-regex", `^debian:12$`, "--base-override-sub", reg.Host()+"/library/debian:12")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, `[{"SubscriptionId":"contoso/tool/main/manifest.json","ImagePaths":["src/tool"]}]`+"\n", stdout,
		"stale, as in ImageBuilder: the recorded string differs")
	assert.Contains(t, stderr, "\n  base respelled, same digest: "+reg.Host()+"/library/debian:12  image-info records debian, the check compares "+reg.Host()+"/library/debian\n")
	assert.Contains(t, stderr, "src/tool   base "+reg.Host()+"/library/debian:12 respelled (same digest)")
	assert.NotContains(t, stderr, "base moved:")
}
