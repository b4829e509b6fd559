package main

import (
	"bytes"
	"context"
	"encoding/json"

	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/internal/cli/clitest"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
)

var (
	amd64 = registry.Platform{OS: "linux", Architecture: "amd64"}
	arm64 = registry.Platform{OS: "linux", Architecture: "arm64"}
)

type world struct {
	dir  string
	srv  *registrytest.Server
	base registrytest.Index
	reg  *remote.Client
}

// newWorld writes a manifest of one image for amd64 and arm64 on the index host/os:1, and
// starts a registry holding that index.
func newWorld(t *testing.T) *world {
	t.Helper()
	srv := registrytest.New()
	t.Cleanup(srv.Close)
	w := &world{dir: t.TempDir(), srv: srv}
	var err error
	w.base, err = srv.PushIndex("os", "1", ocispec.MediaTypeImageIndex, amd64, arm64)
	require.NoError(t, err)
	w.reg, err = remote.New(remote.WithDockerConfig(t.TempDir()), remote.WithBackoff(time.Millisecond))
	require.NoError(t, err)
	files := map[string]string{
		"manifest.json": (`{"registry": "images.example.com", "repos": [{"name": "demo/runtime", "images": [{"productVersion": "1.0", "platforms": [
		  {"os": "linux", "osVersion": "scratch", "architecture": "amd64", "dockerfile": "src/amd64", "tags": {"1.0-amd64": {}}},
		  {"os": "linux", "osVersion": "scratch", "architecture": "arm64", "dockerfile": "src/arm64", "tags": {"1.0-arm64": {}}}]}]}]}`),
		"src/amd64/Dockerfile": "FROM " + srv.Host() + "/os:1\nCOPY x /x\n",
		"src/arm64/Dockerfile": "FROM " + srv.Host() + "/os:1\nCOPY x /x\n",
	}
	for name, content := range files {
		p := filepath.Join(w.dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return w
}

// push pushes the image of one platform, under --registry-override's host, as buildah does.
func (w *world) push(t *testing.T, tag string, p registry.Platform, annotated bool) digest.Digest {
	t.Helper()
	img := registrytest.BuiltImage{Platform: p, Created: time.Date(2026, 8, 10, 16, 57, 8, 0, time.UTC)}
	if annotated {
		img.Annotations = map[string]string{registry.AnnotationBaseName: w.srv.Host() + "/os:1", registry.AnnotationBaseDigest: w.base.PlatformDigest(p).String()}
	}
	desc, err := registrytest.PushBuiltImage(context.Background(), w.srv.Target("demo/runtime"), img, tag)
	require.NoError(t, err)
	return desc.Digest
}

func (w *world) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	all := append([]string{"--manifest", filepath.Join(w.dir, "manifest.json"), "--registry-override", w.srv.Host()}, args...)
	code := run(context.Background(), all, &stdout, &stderr, w.reg)
	return code, stdout.String(), stderr.String()
}

func TestRecord(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	amd := w.push(t, "1.0-amd64", amd64, true)
	out := filepath.Join(w.dir, "jobs", "amd64", "image-info.json")
	code, _, stderr := w.run(t, "--architecture", "amd64", "--commit-url", "https://github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567/", "--output", out)
	require.Equal(t, 0, code, stderr)
	// The base lives in the override registry, so it is named by the manifest's registry, as
	// the check under the same override names it.
	assert.Contains(t, stderr, "recorded demo/runtime:1.0-amd64 (src/amd64): "+amd.String()+" on images.example.com/os@"+w.base.Digest.String()+" (annotation)")
	assert.Contains(t, stderr, "wrote 1 platforms to "+out)

	data, err := os.ReadFile(out)
	require.NoError(t, err)
	doc, err := imageinfo.Parse(out, data)
	require.NoError(t, err)
	p := doc.Repos[0].Images[0].Platforms[0]
	// Recorded where the image is published (the manifest's registry), not where it was read.
	assert.Equal(t, "images.example.com/demo/runtime@"+amd.String(), p.Digest)
	assert.Equal(t, "images.example.com/os@"+w.base.Digest.String(), *p.BaseImageDigest)
	assert.Equal(t, "src/amd64/Dockerfile", p.Dockerfile)
	assert.Equal(t, "https://github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567/src/amd64/Dockerfile", p.CommitURL)
	assert.Equal(t, "2026-08-10T16:57:08Z", p.Created)
	assert.Equal(t, string(imageinfo.Marshal(doc)), string(data), "written as ImageBuilder writes it")
}

// TestRecordFailureWritesNothing: a platform that cannot be recorded names itself and what
// is missing, and the output file keeps its content.
func TestRecordFailureWritesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.push(t, "1.0-amd64", amd64, false)
	out := filepath.Join(w.dir, "image-info.json")
	require.NoError(t, os.WriteFile(out, []byte("before\n"), 0o644))
	code, _, stderr := w.run(t, "--output", out)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "record-image-info: platform demo/runtime:1.0-amd64 (src/amd64): no base digest for FROM "+w.srv.Host()+"/os:1")
	assert.Contains(t, stderr, "--base-digest "+w.srv.Host()+"/os:1=DIGEST")
	assert.Contains(t, stderr, "record-image-info: platform demo/runtime:1.0-arm64 (src/arm64): image "+w.srv.Host()+"/demo/runtime:1.0-arm64: ")
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "before\n", string(data))

	// --base-digest supplies what the image does not say.
	code, _, stderr = w.run(t, "--architecture", "amd64", "--base-digest", w.srv.Host()+"/os:1="+w.base.PlatformDigest(amd64).String(), "--output", out)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "on images.example.com/os@"+w.base.Digest.String()+" (flag)")
}

func TestPin(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	code, stdout, stderr := w.run(t, "--pin")
	require.Equal(t, 0, code, stderr)
	h, d := w.srv.Host(), w.base.Digest.String()
	flags := "--build-context " + h + "/os:1=docker-image://" + h + "/os@" + d +
		" --annotation org.opencontainers.image.base.name=" + h + "/os:1 --annotation org.opencontainers.image.base.digest=" + d
	assert.Equal(t, "demo/runtime:1.0-amd64 (src/amd64)\t"+flags+"\ndemo/runtime:1.0-arm64 (src/arm64)\t"+flags+"\n", stdout)
}

func TestValidate(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	info := filepath.Join(w.dir, "image-info.json")
	require.NoError(t, os.WriteFile(info, []byte(`{"schemaVersion": "2.0", "repos": [{"repo": "demo/runtime", "images": [{"productVersion": "1.0", "platforms": [
	  {"dockerfile": "src/amd64/Dockerfile", "simpleTags": ["1.0-amd64"], "baseImageDigest": "os@sha256:aa", "osType": "Linux", "osVersion": "scratch", "architecture": "amd64"},
	  {"dockerfile": "src/arm64", "simpleTags": ["1.0-arm64"], "baseImageDigest": "os@sha256:aa", "osType": "linux", "osVersion": "scratch", "architecture": "arm64"}]}]}]}`), 0o644))
	code, stdout, stderr := w.run(t, "--validate", info)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, `unbound entry: repo demo/runtime, src/arm64 (arm64, linux, scratch), productVersion 1.0: matches no platform of the manifest
no entry: platform demo/runtime:1.0-arm64 (src/arm64) (src/arm64/Dockerfile, arm64, scratch): the check will rebuild it
  did you mean the entry demo/runtime src/arm64? it has dockerfile "src/arm64" (want "src/arm64/Dockerfile"), osType "linux" (want "Linux")
`, stdout)
	assert.Contains(t, stderr, "1 entries unbound, 1 of 2 platforms without an entry")
	code, _, _ = w.run(t, "--validate", info, "--strict")
	assert.Equal(t, 1, code)
	code, _, _ = w.run(t, "--validate", info, "--strict", "--architecture", "amd64")
	assert.Equal(t, 1, code, "the unbound entry still counts")
}

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "--manifest is required"},
		{[]string{"--manifest", "m.json"}, "one of --output, --pin or --validate is required"},
		{[]string{"--manifest", "m.json", "--pin", "--output", "x"}, "do not go together"},
		{[]string{"--manifest", "m.json", "--output", "x", "--strict"}, "--strict needs --validate"},
		{[]string{"--manifest", "m.json", "--output", "x", "--base-digest", "alpine"}, `--base-digest "alpine": want REF=DIGEST`},
		{[]string{"--manifest", "m.json", "--output", "x", "--base-digest", "alpine=sha256:12"}, `--base-digest "alpine=sha256:12": invalid checksum digest length`},
		{[]string{"--manifest", "m.json", "--output", "x", "--base-digest", "alpine=alpine@latest"}, `--base-digest "alpine=alpine@latest": invalid checksum digest format`},
		{[]string{"--manifest", "m.json", "--output", "x", "--mirror", "docker.io"}, `--mirror "docker.io": want REGISTRY=TARGET`},
		{[]string{"--manifest", "m.json", "--output", "x", "extra"}, `unexpected argument "extra"`},
	} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, 2, run(context.Background(), tc.args, &stdout, &stderr, nil), "%v", tc.args)
		assert.Contains(t, stderr.String(), tc.want)
		assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
	}
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"--help"}, &stdout, &stderr, nil))
	for _, flag := range []string{"--manifest", "--var", "--registry-override", "--os-type", "--architecture", "--os-version", "--path",
		"--commit-url", "--base-digest", "--output", "--pin", "--validate", "--strict", "--plain-http", "--mirror", "--base-override-regex", "--timeout"} {
		assert.Contains(t, stdout.String(), "  "+flag+" ", flag)
	}
	assert.True(t, strings.HasPrefix(stdout.String(), "Usage: record-image-info --manifest FILE [flags] --output FILE\n"))
}

func TestCommandLineConventions(t *testing.T) {
	t.Parallel()
	clitest.Conventions(t, "record-image-info", func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr, nil)
		return code, stdout.String(), stderr.String()
	})
}

// TestTimeout: a registry too slow for --timeout stops the record, and nothing is written.
func TestTimeout(t *testing.T) {
	t.Parallel()
	srv := registrytest.New(registrytest.WithLatency(200 * time.Millisecond))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "src"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(`{"repos": [{"name": "demo/x", "images": [{"platforms": [
	  {"os": "linux", "osVersion": "v", "dockerfile": "src", "tags": {"1": {}}}]}]}]}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "src", "Dockerfile"), []byte("FROM "+srv.Host()+"/os:1\n"), 0o644))
	reg, err := remote.New(remote.WithDockerConfig(t.TempDir()))
	require.NoError(t, err)
	out := filepath.Join(dir, "image-info.json")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--manifest", filepath.Join(dir, "manifest.json"), "--registry-override", srv.Host(),
		"--timeout", "50ms", "--output", out}, &stdout, &stderr, reg)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "--timeout")
	assert.NoFileExists(t, out)
}

// TestOutputIsTheManifest: --output naming the manifest (by any path) is a usage error,
// and the manifest is left as it was.
func TestOutputIsTheManifest(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.push(t, "1.0-amd64", amd64, true)
	m := filepath.Join(w.dir, "manifest.json")
	before, err := os.ReadFile(m)
	require.NoError(t, err)
	require.NoError(t, os.Symlink(m, filepath.Join(w.dir, "link.json")))
	for _, out := range []string{m, filepath.Join(w.dir, "link.json"), filepath.Join(w.dir, "src", "..", "manifest.json")} {
		code, _, stderr := w.run(t, "--architecture", "amd64", "--output", out)
		assert.Equal(t, 2, code, stderr)
		assert.Contains(t, stderr, "--output "+out+" is the manifest")
		after, err := os.ReadFile(m)
		require.NoError(t, err)
		assert.Equal(t, string(before), string(after))
	}
}

// TestLogFormatJSON: with --log-format json every line on stderr is a JSON record: what was
// recorded, a validation's summary, and failures of each mode.
func TestLogFormatJSON(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.push(t, "1.0-amd64", amd64, true)
	info := filepath.Join(w.dir, "info.json")
	require.NoError(t, os.WriteFile(info, []byte(`{"schemaVersion": "2.0", "repos": []}`), 0o644))
	for _, args := range [][]string{
		{"--architecture", "amd64", "--output", filepath.Join(w.dir, "out.json")},
		{"--output", filepath.Join(w.dir, "out.json")},
		{"--validate", info},
		{"--validate", filepath.Join(w.dir, "missing.json")},
		{"--pin"},
	} {
		if args[0] == "--pin" {
			require.NoError(t, w.srv.Delete("os", w.base.Digest)) // the base cannot be pinned
		}
		_, _, stderr := w.run(t, append([]string{"--log-format", "json"}, args...)...)
		require.NotEmpty(t, stderr, args)
		for line := range strings.Lines(stderr) {
			assert.True(t, json.Valid([]byte(line)), "%v: every stderr line is JSON: %s", args, line)
		}
	}
}
