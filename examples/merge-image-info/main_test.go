package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/imageinfo/imageinfotest"
	"github.com/baseflow/baseflow/internal/cli/clitest"
)

const (
	realInfo     = "../../testdata/dotnet-docker/image-info.dotnet-dotnet-docker-main.json"
	realManifest = "../../testdata/dotnet-docker/manifest.json"
)

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	require.NoError(t, err)
	return data
}

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(name), 0o755))
	require.NoError(t, os.WriteFile(name, data, 0o644))
}

// writeJobFiles splits the real image-info by platform into n per-job files under dir, as n
// build jobs would write them (platform i to job i%n), each in its own directory.
func writeJobFiles(t *testing.T, dir string, n int, edit func(*imageinfo.Platform)) {
	t.Helper()
	whole, err := imageinfo.Parse(realInfo, readFile(t, realInfo))
	require.NoError(t, err)
	parts := imageinfotest.Split(whole, n, nil)
	for _, part := range parts {
		for _, r := range part.Repos {
			for _, img := range r.Images {
				for _, p := range img.Platforms {
					edit(p)
				}
			}
		}
	}
	for k, p := range parts {
		writeFile(t, filepath.Join(dir, fmt.Sprintf("build-job-%02d-image-info-1", k), "image-info.json"), imageinfo.Marshal(p))
	}
}

func TestBuildTimeMergeOfJobFiles(t *testing.T) {
	t.Parallel()
	for _, withManifest := range []bool{true, false} {
		t.Run(fmt.Sprintf("manifest=%v", withManifest), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			src := filepath.Join(dir, "image-infos")
			writeJobFiles(t, src, 16, func(*imageinfo.Platform) {})
			dest := filepath.Join(src, "output", "image-info.json")
			args := []string{src, dest}
			if withManifest {
				args = append([]string{"--manifest", realManifest}, args...)
			}
			code, stdout, stderr := runCmd(t, args...)
			require.Equal(t, 0, code, stderr)
			assert.Empty(t, stdout)
			assert.Equal(t, string(readFile(t, realInfo)), string(readFile(t, dest)))
			assert.Contains(t, stderr, "merged "+filepath.Join(src, "build-job-00-image-info-1", "image-info.json")+" (")
			assert.Contains(t, stderr, "wrote "+dest+": 7 repos, 261 images, 599 platforms (build merge of 16 files)\n")
		})
	}
}

func TestPublishTimeMerge(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "image-infos")

	// The published file still has an image the manifest dropped (aspire-dashboard 13.4.2) and
	// a repo it no longer has.
	published, err := imageinfo.Parse(realInfo, readFile(t, realInfo))
	require.NoError(t, err)
	stale, err := imageinfo.Parse("stale.json", []byte(`{"schemaVersion": "2.0", "repos": [
	  {"repo": "dotnet/aspire-dashboard", "images": [{"productVersion": "13.4.2", "manifest": {"sharedTags": ["13.4"]}, "platforms": [
	    {"dockerfile": "src/aspire-dashboard/amd64/Dockerfile", "simpleTags": ["13.4.2-amd64"], "digest": "old", "osType": "Linux", "osVersion": "azurelinux3.0-distroless", "architecture": "amd64", "commitUrl": ""}]}]},
	  {"repo": "dotnet/nightly/gone"}]}`))
	require.NoError(t, err)
	published.Repos[0] = stale.Repos[0]
	published.Repos = append(published.Repos, stale.Repos[1])
	initial := filepath.Join(src, "full-image-info-orig.json")
	writeFile(t, initial, imageinfo.Marshal(published))

	// The build rebuilt one platform with new tags, a new digest and a new commit.
	const commit = "cccccccccccccccccccccccccccccccccccccccc"
	build := `{"schemaVersion": "2.0", "repos": [{"repo": "dotnet/runtime", "images": [{"productVersion": "8.0.31", "platforms": [{
	  "dockerfile": "src/runtime/8.0/bookworm-slim/arm32v7/Dockerfile", "simpleTags": ["8.0.31-bookworm-slim-arm32v7", "8.0-bookworm-slim-arm32v7"],
	  "digest": "mcr.microsoft.com/dotnet/runtime@sha256:new", "baseImageDigest": "mcr.microsoft.com/dotnet/runtime-deps@sha256:new",
	  "osType": "Linux", "osVersion": "bookworm-slim", "architecture": "arm32",
	  "commitUrl": "https://github.com/dotnet/dotnet-docker/blob/` + commit + `/src/runtime/8.0/bookworm-slim/arm32v7/Dockerfile"}]}]}]}`
	writeFile(t, filepath.Join(src, "image-info.json"), []byte(build))

	const override = "dddddddddddddddddddddddddddddddddddddddd"
	dest := filepath.Join(src, "full-image-info-new.json")
	code, _, stderr := runCmd(t, "--manifest", realManifest, "--publish", "--initial", initial, "--commit-override", override, src, dest)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "removed out-of-date content from "+initial+": 1 repos, 1 images, 0 platforms\n")
	assert.Contains(t, stderr, "commit override: rewrote the commitUrl of 1 platforms\n")
	assert.Contains(t, stderr, "(publish merge of 1 files)")

	got, err := imageinfo.Parse(dest, readFile(t, dest))
	require.NoError(t, err)
	assert.Equal(t, imageinfo.Counts{Repos: 7, Images: 261, Platforms: 599}, got.Count())
	assert.Equal(t, "dotnet/aspire-dashboard", got.Repos[0].Repo)
	assert.Empty(t, got.Repos[0].Images)

	// Exactly the rebuilt platform changed: its tags replaced, its commit overridden. (Its
	// image took the new product version, which moves it after the 8.0.30 images.)
	before := platformsByIdentity(t, readFile(t, realInfo))
	after := platformsByIdentity(t, readFile(t, dest))
	require.Len(t, after, len(before))
	var changed []string
	for k, p := range after {
		if before[k] != p {
			changed = append(changed, k)
		}
	}
	require.Equal(t, []string{"dotnet/runtime src/runtime/8.0/bookworm-slim/arm32v7/Dockerfile arm32 bookworm-slim"}, changed)
	var p *imageinfo.Platform
	require.Equal(t, "dotnet/runtime", got.Repos[4].Repo)
	for _, img := range got.Repos[4].Images {
		for _, q := range img.Platforms {
			if q.Digest == "mcr.microsoft.com/dotnet/runtime@sha256:new" {
				p = q
				assert.Equal(t, "8.0.31", *img.ProductVersion)
			}
		}
	}
	require.NotNil(t, p)
	assert.Equal(t, []string{"8.0-bookworm-slim-arm32v7", "8.0.31-bookworm-slim-arm32v7"}, p.SimpleTags)
	assert.Empty(t, p.Layers, "layers are replaced")
	assert.Equal(t, "https://github.com/dotnet/dotnet-docker/blob/"+override+"/src/runtime/8.0/bookworm-slim/arm32v7/Dockerfile", p.CommitURL)
	// The initial file is an input, not an output: it is unchanged.
	assert.Equal(t, imageinfo.Marshal(published), readFile(t, initial))
}

// platformsByIdentity maps "repo dockerfile architecture osVersion" to each platform as written.
func platformsByIdentity(t *testing.T, data []byte) map[string]string {
	t.Helper()
	d, err := imageinfo.Parse("in.json", data)
	require.NoError(t, err)
	out := map[string]string{}
	for _, r := range d.Repos {
		for _, img := range r.Images {
			for _, p := range img.Platforms {
				one := &imageinfo.Document{Repos: []*imageinfo.Repo{{Repo: r.Repo, Images: []*imageinfo.Image{{Platforms: []*imageinfo.Platform{p}}}}}}
				out[strings.Join([]string{r.Repo, p.Dockerfile, p.Architecture, p.OSVersion}, " ")] = string(imageinfo.Marshal(one))
			}
		}
	}
	return out
}

func TestTrimUnchanged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "image-info.json")
	writeJobFiles(t, dir, 1, func(p *imageinfo.Platform) { p.IsUnchanged = !strings.Contains(p.Dockerfile, "/runtime/") })
	require.NoError(t, os.Rename(filepath.Join(dir, "build-job-00-image-info-1", "image-info.json"), file))

	code, _, stderr := runCmd(t, "--trim-unchanged", file)
	require.Equal(t, 0, code, stderr)
	out := readFile(t, file)
	assert.False(t, bytes.HasSuffix(out, []byte("\n")), "no trailing newline, as ImageBuilder writes")
	d, err := imageinfo.Parse(file, out)
	require.NoError(t, err)
	require.Len(t, d.Repos, 1)
	assert.Equal(t, "dotnet/runtime", d.Repos[0].Repo)
	for _, img := range d.Repos[0].Images {
		for _, p := range img.Platforms {
			assert.False(t, p.IsUnchanged)
		}
	}
	assert.Regexp(t, `^trimmed .*image-info.json: removed \d+ unchanged platforms, \d+ images, 6 repos; 1 repos, \d+ images, \d+ platforms left\n$`, stderr)

	// A missing file is a warning, as in ImageBuilder.
	code, _, stderr = runCmd(t, "--trim-unchanged", filepath.Join(dir, "missing.json"))
	assert.Equal(t, 0, code)
	assert.Contains(t, stderr, "warning: image-info file "+filepath.Join(dir, "missing.json")+" not found")
}

func TestErrors(t *testing.T) {
	t.Parallel()
	valid := readFile(t, "../../testdata/docker-tools/image-info.dotnet-docker-tools-main-imagebuilder.json")
	unmatched := `{"schemaVersion": "2.0", "repos": [{"repo": "dotnet/runtime", "images": [{"productVersion": "8.0.30", "platforms": [
  {"dockerfile": "src/runtime/8.0/nowhere/amd64/Dockerfile", "simpleTags": ["x"], "digest": "", "osType": "Linux", "osVersion": "nowhere", "architecture": "amd64", "commitUrl": ""}]}]}]}`
	tests := []struct {
		name  string
		files map[string]string // under the source directory
		args  func(src string) []string
		code  int
		want  string // in stderr
	}{
		{"missing source directory", nil, func(src string) []string { return []string{filepath.Join(src, "nope"), "dest.json"} }, 1, "source directory " + "SRC/nope does not exist"},
		{"no JSON files", map[string]string{"image-info.txt": string(valid)}, nil, 1, "no *.json files under SRC"},
		{"invalid JSON", map[string]string{"a.json": string(valid), "b/bad.json": "{\n  \"schemaVersion\": \"2.0\",\n  \"repos\": [\n    {\"repo\": }\n"}, nil, 1, "SRC/b/bad.json:4:14: field repos[0].repo: invalid character '}'"},
		{"not image-info", map[string]string{"a.json": `{"name": "x"}`}, nil, 1, "SRC/a.json:1:1: schemaVersion is missing: not an image-info document"},
		{"platform not in the manifest", map[string]string{"job/image-info.json": unmatched}, func(src string) []string {
			return []string{"--manifest", realManifest, src, filepath.Join(src, "out.json")}
		}, 1, `SRC/job/image-info.json: repo dotnet/runtime: no manifest platform matches platform src/runtime/8.0/nowhere/amd64/Dockerfile (amd64, Linux, nowhere, product version "8.0.30", with tags)`},
		{"invalid SHA", map[string]string{"a.json": string(valid)}, func(src string) []string {
			return []string{"--initial", filepath.Join(src, "a.json"), "--commit-override", "main", src, filepath.Join(src, "out.json")}
		}, 1, `commit override "main": not a valid commit SHA`},
		{"commit override without initial", map[string]string{"a.json": string(valid)}, func(src string) []string {
			return []string{"--commit-override", "dddddddddddddddddddddddddddddddddddddddd", src, filepath.Join(src, "out.json")}
		}, 2, "--commit-override needs --initial"},
		{"initial not among the files", map[string]string{"a.json": string(valid)}, func(src string) []string {
			return []string{"--initial", "../../testdata/docker-tools/image-info.dotnet-docker-tools-main-imagebuilder.json", src, filepath.Join(src, "out.json")}
		}, 1, "--initial ../../testdata/docker-tools/image-info.dotnet-docker-tools-main-imagebuilder.json is not one of the *.json files under SRC"},
		{"missing initial", map[string]string{"a.json": string(valid)}, func(src string) []string {
			return []string{"--initial", filepath.Join(src, "b.json"), src, filepath.Join(src, "out.json")}
		}, 1, "--initial: stat SRC/b.json: no such file or directory"},
		{"bad manifest", map[string]string{"a.json": string(valid)}, func(src string) []string {
			return []string{"--manifest", "../../testdata/docker-tools/src/manifest.json", src, filepath.Join(src, "out.json")}
		}, 1, "manifest ../../testdata/docker-tools/src/manifest.json: repos[0]"},
		{"one argument", nil, func(src string) []string { return []string{src} }, 2, "want SOURCE_DIR and DEST, got 1 arguments"},
		{"unknown flag", nil, func(src string) []string { return []string{"--nope", src, "x"} }, 2, "unknown flag --nope; see merge-image-info --help"},
		{"bad var", nil, func(src string) []string { return []string{"--manifest", realManifest, "--var", "NOVALUE", src, "x"} }, 2, `"NOVALUE": want NAME=VALUE`},
		{"var without manifest", nil, func(src string) []string { return []string{"--var", "A=B", src, "x"} }, 2, "--var and --registry-override need --manifest"},
		{"override with credentials", nil, func(src string) []string {
			return []string{"--manifest", realManifest, "--registry-override", "bob:s3cret@acr.io", src, "x"}
		}, 2, "registry override: want a registry host with an optional path"},
		{"trim with other flags", nil, func(src string) []string { return []string{"--trim-unchanged", "x.json", "--publish"} }, 2, "--trim-unchanged FILE takes no other flag or argument"},
		{"trim of an invalid file", map[string]string{"a.json": "[]"}, func(src string) []string { return []string{"--trim-unchanged", filepath.Join(src, "a.json")} }, 1, "SRC/a.json:1:1: an image-info document must be a JSON object, not an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			src := filepath.Join(dir, "src")
			require.NoError(t, os.MkdirAll(src, 0o755))
			for name, content := range tt.files {
				writeFile(t, filepath.Join(src, name), []byte(content))
			}
			args := []string{src, filepath.Join(dir, "dest.json")}
			if tt.args != nil {
				args = tt.args(src)
			}
			code, stdout, stderr := runCmd(t, args...)
			assert.Equal(t, tt.code, code, stderr)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, strings.ReplaceAll(tt.want, "SRC", src))
			assert.NotContains(t, stderr, "s3cret")
			assert.True(t, strings.HasPrefix(stderr, "merge-image-info: "), stderr)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
		})
	}
}

func TestDestUntouchedOnError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	dest := filepath.Join(dir, "dest.json")
	old := []byte("previous content\n")
	writeFile(t, dest, old)
	writeFile(t, filepath.Join(src, "a.json"), readFile(t, realInfo))
	writeFile(t, filepath.Join(src, "z.json"), []byte(`{"schemaVersion": "2.0", "repos": [{"repo": 1}]}`))

	code, _, stderr := runCmd(t, src, dest)
	require.Equal(t, 1, code)
	assert.Contains(t, stderr, "z.json:1:45: field repos[0].repo: must be a string, not a number")
	assert.Equal(t, old, readFile(t, dest))

	// An unmatched platform in a build-time merge, and a failing publish clean-up, too.
	writeFile(t, filepath.Join(src, "z.json"), []byte(`{"schemaVersion": "2.0", "repos": [{"repo": "dotnet/runtime", "images": [{"productVersion": "8.0.30", "platforms": [
  {"dockerfile": "src/runtime/8.0/nowhere/amd64/Dockerfile", "simpleTags": ["x"], "digest": "", "osType": "Linux", "osVersion": "nowhere", "architecture": "amd64", "commitUrl": ""}]}]}]}`))
	code, _, stderr = runCmd(t, "--manifest", realManifest, src, dest)
	require.Equal(t, 1, code)
	assert.Contains(t, stderr, "no manifest platform matches platform src/runtime/8.0/nowhere/amd64/Dockerfile")
	assert.Equal(t, old, readFile(t, dest))
	// A repo the manifest does not have is kept, unbound, as ImageBuilder does; at publish
	// time, an initial file with nothing but such repos is refused.
	writeFile(t, filepath.Join(src, "z.json"), readFile(t, "../../testdata/docker-tools/image-info.dotnet-docker-tools-main-imagebuilder.json"))
	code, _, stderr = runCmd(t, "--manifest", realManifest, "--publish", "--initial", filepath.Join(src, "z.json"), src, dest)
	require.Equal(t, 1, code)
	assert.Contains(t, stderr, "removing out-of-date content would leave no repos")
	assert.Equal(t, old, readFile(t, dest))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"dest.json", "src"}, names, "no temporary file is left behind")

	// And a successful run replaces it; the repo the manifest lacks is kept, with a note.
	code, _, stderr = runCmd(t, "--manifest", realManifest, src, dest)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "note: "+filepath.Join(src, "z.json")+": repo dotnet-buildtools/image-builder is not in the manifest; its entries are not bound\n")
	assert.Contains(t, stderr, "wrote "+dest+": 8 repos, 262 images, 604 platforms (build merge of 2 files)")
}

func TestOrderAndInitialFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	doc := func(digest string) string {
		return `{"schemaVersion": "2.0", "repos": [{"repo": "r", "images": [{"productVersion": "1.0", "platforms": [
		  {"dockerfile": "d", "simpleTags": ["t"], "digest": "` + digest + `", "osType": "Linux", "osVersion": "noble", "architecture": "amd64", "commitUrl": ""}]}]}]}`
	}
	// Full-path order: "a.json" < "a/x.json" ('.' < '/'), so the file in a/ merges last and
	// its digest wins.
	writeFile(t, filepath.Join(src, "a", "x.json"), []byte(doc("from-a-x")))
	writeFile(t, filepath.Join(src, "a.json"), []byte(doc("from-a")))
	dest := filepath.Join(dir, "out", "merged.json")
	code, _, stderr := runCmd(t, src, dest)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, string(readFile(t, dest)), `"digest": "from-a-x"`)
	assert.Less(t, strings.Index(stderr, "a.json"), strings.Index(stderr, filepath.Join("a", "x.json")))

	// ImageBuilder's name for --initial.
	code, _, stderr = runCmd(t, "--initial-image-info-path", src+"/a/x.json", src, dest)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "merging into "+filepath.Join(src, "a", "x.json"))

	// With --initial (given by another path to the same file) the others merge into it.
	code, _, stderr = runCmd(t, "--initial", src+"/a/../a/x.json", src, dest)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, string(readFile(t, dest)), `"digest": "from-a"`)
	assert.Contains(t, stderr, "merging into "+filepath.Join(src, "a", "x.json"))
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"--help", "-h"} {
		code, stdout, stderr := runCmd(t, arg)
		assert.Equal(t, 0, code)
		assert.Empty(t, stderr)
		for _, want := range []string{"--manifest PATH", "--var NAME=VALUE", "--registry-override HOST", "--publish", "--initial PATH",
			"--commit-override SHA", "--trim-unchanged FILE", "Without --manifest:", "Build time", "Publish time"} {
			assert.Contains(t, stdout, want)
		}
	}
}

// TestSymlinkedDestination checks that a DEST, or a --trim-unchanged FILE, that is a symbolic
// link is written through: the file it leads to gets the result and the link stays a link.
func TestSymlinkedDestination(t *testing.T) {
	t.Parallel()
	assertLink := func(t *testing.T, link, target string) {
		t.Helper()
		st, err := os.Lstat(link)
		require.NoError(t, err)
		assert.NotZero(t, st.Mode()&os.ModeSymlink, "%s is still a symbolic link", link)
		resolved, err := filepath.EvalSymlinks(link)
		require.NoError(t, err)
		wantResolved, err := filepath.EvalSymlinks(target)
		require.NoError(t, err)
		assert.Equal(t, wantResolved, resolved)
	}
	t.Run("merge DEST", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		src := filepath.Join(dir, "image-infos")
		writeJobFiles(t, src, 4, func(*imageinfo.Platform) {})
		target := filepath.Join(t.TempDir(), "versions", "image-info.json")
		writeFile(t, target, []byte(`{"schemaVersion": "2.0", "repos": []}`))
		dest := filepath.Join(dir, "image-info.json")
		require.NoError(t, os.Symlink(target, dest))

		code, _, stderr := runCmd(t, src, dest)
		require.Equal(t, 0, code, stderr)
		assertLink(t, dest, target)
		assert.Equal(t, string(readFile(t, realInfo)), string(readFile(t, target)), "the link's target holds the merge")
	})
	t.Run("trim-unchanged FILE", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		writeJobFiles(t, dir, 1, func(p *imageinfo.Platform) { p.IsUnchanged = !strings.Contains(p.Dockerfile, "/runtime/") })
		target := filepath.Join(dir, "build-job-00-image-info-1", "image-info.json")
		link := filepath.Join(dir, "image-info.json")
		require.NoError(t, os.Symlink("build-job-00-image-info-1/image-info.json", link))

		code, _, stderr := runCmd(t, "--trim-unchanged", link)
		require.Equal(t, 0, code, stderr)
		assertLink(t, link, target)
		d, err := imageinfo.Parse(target, readFile(t, target))
		require.NoError(t, err)
		require.Len(t, d.Repos, 1, "the link's target was trimmed")
		assert.Equal(t, "dotnet/runtime", d.Repos[0].Repo)
	})
}

// TestStoppedBySignalWritesNothing checks that a merge or a trim whose context ended (what
// SIGINT and SIGTERM do) stops before writing: the file keeps its bytes and no temporary
// file is left.
func TestStoppedBySignalWritesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "image-infos")
	writeJobFiles(t, src, 4, func(*imageinfo.Platform) {})
	dest := filepath.Join(dir, "out", "image-info.json")
	writeFile(t, dest, []byte("previous"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := runContext(ctx, []string{src, dest}, &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Equal(t, "merge-image-info: stopped by a signal; "+dest+" was not written\n", stderr.String())
	assert.Equal(t, "previous", string(readFile(t, dest)))

	trimmed := filepath.Join(src, "build-job-00-image-info-1", "image-info.json")
	before := readFile(t, trimmed)
	stderr.Reset()
	code = runContext(ctx, []string{"--trim-unchanged", trimmed}, &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "stopped by a signal; "+trimmed+" was not written")
	assert.Equal(t, before, readFile(t, trimmed))
	for _, d := range []string{filepath.Dir(dest), filepath.Dir(trimmed)} {
		entries, err := os.ReadDir(d)
		require.NoError(t, err)
		for _, e := range entries {
			assert.NotContains(t, e.Name(), ".tmp-")
		}
	}
}

// TestDestIsTheManifest: a DEST that is the manifest (by any path) is a usage error, and
// the manifest is left as it was.
func TestDestIsTheManifest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	writeJobFiles(t, src, 1, func(*imageinfo.Platform) {})
	m := filepath.Join(dir, "manifest.json")
	writeFile(t, m, readFile(t, realManifest))
	require.NoError(t, os.Symlink(m, filepath.Join(dir, "link.json")))
	for _, dest := range []string{m, filepath.Join(dir, "link.json"), filepath.Join(src, "..", "manifest.json")} {
		code, _, stderr := runCmd(t, "--manifest", m, src, dest)
		assert.Equal(t, 2, code, stderr)
		assert.Contains(t, stderr, "DEST "+dest+" is the manifest")
		assert.Equal(t, readFile(t, realManifest), readFile(t, m))
	}
}

func TestCommandLineConventions(t *testing.T) {
	t.Parallel()
	clitest.Conventions(t, "merge-image-info", func(args ...string) (int, string, string) { return runCmd(t, args...) })
}
