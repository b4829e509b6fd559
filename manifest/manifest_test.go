package manifest_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/manifest"
)

func dotnetDocker(t testing.TB) *manifest.Manifest {
	t.Helper()
	m, err := manifest.Load(os.DirFS("../testdata/dotnet-docker"), "manifest.json", manifest.Options{})
	require.NoError(t, err)
	return m
}

func TestLoadDotnetDockerFixture(t *testing.T) {
	t.Parallel()
	m := dotnetDocker(t)

	assert.Equal(t, "mcr.microsoft.com", m.Registry)
	var names []string
	images, sharedImages, platformTags, sharedTags := 0, 0, 0, 0
	for _, r := range m.Repos {
		names = append(names, r.Name)
		images += len(r.Images)
		for _, img := range r.Images {
			if len(img.SharedTags) > 0 {
				sharedImages++
			}
			sharedTags += len(img.SharedTags)
			for _, p := range img.Platforms {
				platformTags += len(p.Tags)
			}
		}
	}
	assert.Equal(t, []string{"dotnet/runtime-deps", "dotnet/runtime", "dotnet/aspnet", "dotnet/sdk",
		"dotnet/monitor/base", "dotnet/monitor", "dotnet/aspire-dashboard"}, names)
	assert.Equal(t, 262, images)
	assert.Equal(t, 208, sharedImages)
	assert.Len(t, m.Platforms(), 601)
	assert.Equal(t, 1342, platformTags)
	assert.Equal(t, 520, sharedTags)
	// 229 variables from manifest.versions.json plus the manifest's own 4.
	assert.Len(t, m.Variables, 233)

	byOS, byArch := map[string]int{}, map[string]int{}
	for i, p := range m.Platforms() {
		assert.Equal(t, i, p.Index)
		byOS[p.OS]++
		byArch[p.Architecture]++
		// Every dotnet-docker platform names a directory holding a Dockerfile.
		assert.Equal(t, p.Dockerfile+"/Dockerfile", p.DockerfilePath)
		assert.NotContains(t, strings.Join(manifest.TagNames(p.Tags), " "), "$(")
	}
	assert.Equal(t, map[string]int{"linux": 547, "windows": 54}, byOS)
	assert.Equal(t, map[string]int{"amd64": 262, "arm64": 208, "arm": 131}, byArch)

	// A platform resolved end to end.
	p := m.PlatformByTag("mcr.microsoft.com/dotnet/runtime:8.0.30-bookworm-slim-arm32v7")
	require.NotNil(t, p)
	assert.Equal(t, "src/runtime/8.0/bookworm-slim/arm32v7", p.Dockerfile)
	assert.Equal(t, "arm", p.Architecture)
	assert.Equal(t, "arm32", p.ArchitectureDisplay())
	assert.Equal(t, "Linux", p.OSType())
	assert.Equal(t, "v7", p.Variant)
	assert.Equal(t, "8.0.30", p.Image.ProductVersion)
	repo, ok := p.BuildArgs.Get("REPO")
	require.True(t, ok)
	assert.Equal(t, "mcr.microsoft.com/dotnet/runtime-deps", repo)
	assert.Equal(t, m.RepoByName("dotnet/runtime-deps"), m.InternalRepo(repo+":8.0.30-bookworm-slim-arm32v7"))
	assert.Nil(t, m.InternalRepo("arm32v7/debian:bookworm-slim"))
}

func TestLoadDockerToolsFixture(t *testing.T) {
	t.Parallel()
	fsys := os.DirFS("../testdata/docker-tools")

	_, err := manifest.Load(fsys, "src/manifest.json", manifest.Options{})
	require.Error(t, err, "docker-tools needs the subscription variable UniqueId")
	assert.Contains(t, err.Error(), "src/manifest.json")
	assert.Contains(t, err.Error(), "$(UniqueId)")
	assert.Contains(t, err.Error(), "sharedTags")

	m, err := manifest.Load(fsys, "src/manifest.json", manifest.Options{Variables: map[string]string{"UniqueId": ""}})
	require.NoError(t, err)
	require.Len(t, m.Platforms(), 5)
	assert.Equal(t, "src", m.Dir)
	win := m.Platforms()[2]
	assert.Equal(t, "Dockerfile.windows", win.Dockerfile)
	assert.Equal(t, "Dockerfile.windows", win.DockerfilePath, "a dockerfile value naming a file is used as is")
	assert.Equal(t, "src/Dockerfile.windows", win.FilePath)
	assert.Equal(t, []string{"windowsservercore-ltsc2016-amd64", "windowsservercore-ltsc2016-amd64-"}, manifest.TagNames(win.Tags))
	assert.Equal(t, []string{"latest", ""}, manifest.TagNames(m.Platforms()[0].Image.SharedTags))
}

// mapFS builds a filesystem from path → content; every platform in the tests uses a
// directory holding a Dockerfile unless a test says otherwise.
func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, content := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(content)}
	}
	return fsys
}

const oneRepo = `{
  "registry": "mcr.microsoft.com",
  "includes": ["inc.json"],
  "variables": {"a": "x"},
  "repos": [
    {"id": "r1", "name": "team/r1", "images": [
      {"productVersion": "1.0", "platforms": [
        {"dockerfile": "src/a", "os": "linux", "osVersion": "noble", "tags": {"t1": {}}}]}]}
  ]
}`

func TestIncludes(t *testing.T) {
	t.Parallel()
	t.Run("variables merged and repos consolidated by name", func(t *testing.T) {
		fsys := mapFS(map[string]string{
			"manifest.json": oneRepo,
			"inc.json": `{"variables": {"b": "$(a)y"}, "includes": ["never.json"], "repos": [
			  {"name": "team/r1", "images": [{"platforms": [{"dockerfile": "src/b", "os": "linux", "osVersion": "noble", "tags": {"t2": {}}}]}]},
			  {"name": "team/r2", "images": [{"platforms": [{"dockerfile": "src/c", "os": "linux", "osVersion": "noble", "tags": {"t3": {}}}]}]}]}`,
			"src/a/Dockerfile": "FROM alpine", "src/b/Dockerfile": "FROM alpine", "src/c/Dockerfile": "FROM alpine",
		})
		m, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
		require.NoError(t, err, "the include's own includes are ignored, so never.json is not read")
		assert.Equal(t, []string{"a", "b"}, m.Variables.Keys())
		b, _ := m.Variables.Get("b")
		assert.Equal(t, "xy", b)
		require.Len(t, m.Repos, 2)
		assert.Equal(t, "team/r1", m.Repos[0].Name)
		assert.Equal(t, "r1", m.Repos[0].ID, "id keeps the first non-empty value")
		assert.Len(t, m.Repos[0].Images, 2, "images of both files are concatenated")
		assert.Equal(t, "team/r2", m.Repos[1].ID, "id defaults to the name")
		assert.Equal(t, []string{"src/a", "src/b", "src/c"}, dockerfiles(m.Platforms()))
	})
	t.Run("duplicate variable", func(t *testing.T) {
		fsys := mapFS(map[string]string{"manifest.json": oneRepo, "inc.json": `{"variables": {"a": "again"}}`, "src/a/Dockerfile": "FROM alpine"})
		_, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
		require.Error(t, err)
		assert.Contains(t, err.Error(), `inc.json`)
		assert.Contains(t, err.Error(), `variable "a" is already defined`)
	})
	t.Run("missing include", func(t *testing.T) {
		fsys := mapFS(map[string]string{"manifest.json": oneRepo, "src/a/Dockerfile": "FROM alpine"})
		_, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
		require.Error(t, err)
		assert.Contains(t, err.Error(), `manifest manifest.json: includes[0]: include "inc.json" not found`)
	})
	t.Run("include outside the manifest directory", func(t *testing.T) {
		fsys := mapFS(map[string]string{"manifest.json": strings.Replace(oneRepo, `"inc.json"`, `"../inc.json"`, 1), "src/a/Dockerfile": "FROM alpine"})
		_, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
		require.ErrorIs(t, err, manifest.ErrPathEscapes)
	})
}

func dockerfiles(ps []*manifest.Platform) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Dockerfile)
	}
	return out
}

// variablesManifest wraps a variables object and a tag into a one-platform manifest.
func variablesManifest(vars, tag string) string {
	return `{"registry": "reg.io", "variables": ` + vars + `, "repos": [{"id": "base", "name": "team/base", "images": [{"platforms": [
	  {"dockerfile": "d", "os": "linux", "osVersion": "v", "tags": {"` + tag + `": {}}}]}]}]}`
}

func TestVariables(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		vars      string
		tag       string
		opts      manifest.Options
		want      string // the resolved tag
		wantErr   string
		wantInErr []string
	}{
		{name: "nested, earlier only", vars: `{"test": "abc", "test2": "$(test)", "test3": "$(test2)"}`, tag: "$(test3)", want: "abc"},
		{name: "names with | : . - and space", vars: `{"dotnet|8.0|fixed-tag": "8.0.1", "a.b-c d": "x"}`, tag: "$(dotnet|8.0|fixed-tag)-$(a.b-c d)", want: "8.0.1-x"},
		{name: "numbers become text", vars: `{"libicu|noble": 74, "flag": true}`, tag: "$(libicu|noble)-$(flag)", want: "74-true"},
		{name: "unterminated and empty references stay text", vars: `{"a": "1"}`, tag: "$(a$()x$(a", want: "$(a$()x$(a"},
		{name: "single pass", vars: `{"open": "$(", "b": "$(open)c)"}`, tag: "$(b)", want: "$(c)"},
		{name: "override replaces and is substituted", vars: `{"a": "1", "b": "$(a)"}`, tag: "$(b)", opts: manifest.Options{Variables: map[string]string{"a": "2"}}, want: "2"},
		{name: "caller-only variable is added", vars: `{}`, tag: "x$(UniqueId)", opts: manifest.Options{Variables: map[string]string{"UniqueId": "-123"}}, want: "x-123"},
		{name: "caller-only variable may use manifest ones", vars: `{"a": "1"}`, tag: "$(extra)", opts: manifest.Options{Variables: map[string]string{"extra": "$(a)!"}}, want: "1!"},
		{name: "Repo built-in", vars: `{}`, tag: "$(Repo:base)", want: "reg.io/team/base"},
		{name: "Repo built-in under registry override", vars: `{}`, tag: "$(Repo:base)", opts: manifest.Options{RegistryOverride: "acr.io"}, want: "acr.io/team/base"},
		{name: "reference to a later variable", vars: `{"a": "$(b)", "b": "1"}`, tag: "t", wantErr: `variables."a": $(b): refers to a variable declared later`},
		{name: "loop", vars: `{"a": "$(b)", "b": "$(a)"}`, tag: "t", wantErr: `variables."a": $(b): refers to a variable declared later`},
		{name: "undefined", vars: `{"a": "$(nope)"}`, tag: "t", wantErr: `variables."a": $(nope): no value was found for the variable`},
		{name: "undefined in a tag", vars: `{}`, tag: "$(nope)", wantInErr: []string{`repos[0](team/base).images[0].platforms[0].tags`, `$(nope)`}},
		{name: "unknown repo id", vars: `{}`, tag: "$(Repo:other)", wantErr: `no repo with id "other"`},
		{name: "other built-in types have no value", vars: `{}`, tag: "$(McrTagsYmlRepo:x)", wantErr: `built-in variable type "McrTagsYmlRepo" has no value here`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fsys := mapFS(map[string]string{"manifest.json": variablesManifest(tc.vars, tc.tag), "d/Dockerfile": "FROM alpine"})
			m, err := manifest.Load(fsys, "manifest.json", tc.opts)
			if tc.wantErr != "" || tc.wantInErr != nil {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				for _, s := range tc.wantInErr {
					assert.Contains(t, err.Error(), s)
				}
				var ve *manifest.VariableError
				assert.ErrorAs(t, err, &ve)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, m.Platforms()[0].Tags[0].Name)
		})
	}
}

func TestSubstitutionScope(t *testing.T) {
	t.Parallel()
	// Substituted: tags, productVersion, buildArgs, customBuildLegGroups dependencies,
	// syndication. Not substituted: dockerfile, osVersion, registry, repo name.
	fsys := mapFS(map[string]string{
		"manifest.json": `{"registry": "$(v)", "variables": {"v": "X"}, "repos": [{"name": "n$(v)", "images": [{
		  "productVersion": "$(v)1", "sharedTags": {"s$(v)": {"syndication": {"repo": "r$(v)", "destinationTags": ["d$(v)"]}}},
		  "platforms": [{"dockerfile": "d$(v)", "os": "linux", "osVersion": "o$(v)", "buildArgs": {"A": "a$(v)"},
		    "customBuildLegGroups": [{"name": "g", "type": "Integral", "dependencies": ["dep$(v)"]}],
		    "tags": {"t$(v)": {}}}]}]}]}`,
		"d$(v)/Dockerfile": "FROM alpine",
	})
	m, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
	require.NoError(t, err)
	p := m.Platforms()[0]
	assert.Equal(t, "$(v)", m.Registry)
	assert.Equal(t, "n$(v)", p.Repo().Name)
	assert.Equal(t, "$(v)/n$(v)", p.Repo().QualifiedName)
	assert.Equal(t, "X1", p.Image.ProductVersion)
	assert.Equal(t, "sX", p.Image.SharedTags[0].Name)
	assert.Equal(t, &manifest.SyndicationModel{Repo: "rX", DestinationTags: []string{"dX"}}, p.Image.SharedTags[0].Syndication)
	assert.Equal(t, "r$(v)", p.Image.Model.SharedTags[0].Value.Syndication.Repo, "the model keeps the value as written")
	assert.Equal(t, "d$(v)", p.Dockerfile)
	assert.Equal(t, "o$(v)", p.OSVersion)
	assert.Equal(t, manifest.Ordered[string]{{Key: "A", Value: "aX"}}, p.BuildArgs)
	assert.Equal(t, []string{"depX"}, p.CustomBuildLegGroups[0].Dependencies)
	assert.Equal(t, []string{"tX"}, manifest.TagNames(p.Tags))
}

func platformManifest(platform string) string {
	return `{"repos": [{"name": "team/r", "images": [{"platforms": [` + platform + `]}]}]}`
}

func TestDockerfileResolution(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"sub/dir/Dockerfile":         "FROM alpine",
		"sub/path/Dockerfile.custom": "FROM alpine",
		"sub/empty/README":           "no Dockerfile here",
	}
	tests := []struct {
		dockerfile string
		wantRel    string
		wantFile   string
		wantErr    string
		escapes    bool
	}{
		{dockerfile: "dir", wantRel: "dir/Dockerfile", wantFile: "sub/dir/Dockerfile"},
		{dockerfile: "dir/", wantRel: "dir/Dockerfile", wantFile: "sub/dir/Dockerfile"},
		{dockerfile: `dir\Dockerfile`, wantRel: "dir/Dockerfile", wantFile: "sub/dir/Dockerfile"},
		{dockerfile: "path/Dockerfile.custom", wantRel: "path/Dockerfile.custom", wantFile: "sub/path/Dockerfile.custom"},
		{dockerfile: "empty", wantErr: "no such file or directory with a Dockerfile"},
		{dockerfile: "missing", wantErr: "no such file or directory with a Dockerfile"},
		{dockerfile: "/etc/passwd", escapes: true},
		{dockerfile: `C:\x`, escapes: true},
		{dockerfile: "../sub/dir", escapes: true},
		{dockerfile: "dir/../../x", escapes: true},
	}
	for _, tc := range tests {
		t.Run(tc.dockerfile, func(t *testing.T) {
			t.Parallel()
			fs := mapFS(files)
			fs["sub/manifest.json"] = &fstest.MapFile{Data: []byte(platformManifest(
				`{"dockerfile": ` + jsonString(tc.dockerfile) + `, "os": "linux", "osVersion": "v", "tags": {"t": {}}}`))}
			m, err := manifest.Load(fs, "sub/manifest.json", manifest.Options{})
			switch {
			case tc.escapes:
				require.ErrorIs(t, err, manifest.ErrPathEscapes)
				assert.Contains(t, err.Error(), "manifest sub/manifest.json: repos[0](team/r).images[0].platforms[0]: dockerfile")
			case tc.wantErr != "":
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Contains(t, err.Error(), "repos[0](team/r).images[0].platforms[0]")
			default:
				require.NoError(t, err)
				assert.Equal(t, tc.wantRel, m.Platforms()[0].DockerfilePath)
				assert.Equal(t, tc.wantFile, m.Platforms()[0].FilePath)
			}
		})
	}
}

func jsonString(s string) string {
	return `"` + strings.ReplaceAll(s, `\`, `\\`) + `"`
}

func TestDockerfileSymlinks(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	outside := t.TempDir()
	write := func(p, content string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	write(filepath.Join(outside, "Dockerfile"), "FROM secret")
	write(filepath.Join(root, "real", "Dockerfile"), "FROM alpine")
	require.NoError(t, os.Symlink(outside, filepath.Join(root, "out-dir")))
	require.NoError(t, os.Symlink(filepath.Join(outside, "Dockerfile"), filepath.Join(root, "out-abs")))
	require.NoError(t, os.Symlink("../../"+filepath.Base(outside), filepath.Join(root, "out-rel")))
	require.NoError(t, os.Symlink("real", filepath.Join(root, "in-dir")))

	tests := []struct {
		dockerfile string
		escapes    bool
	}{
		{"in-dir", false},
		{"out-dir", true},
		{"out-abs", true},
		{"out-rel", true},
	}
	for _, tc := range tests {
		t.Run(tc.dockerfile, func(t *testing.T) {
			fsys := os.DirFS(root)
			require.NoError(t, os.WriteFile(filepath.Join(root, tc.dockerfile+".json"), []byte(platformManifest(
				`{"dockerfile": "`+tc.dockerfile+`", "os": "linux", "osVersion": "v", "tags": {"t": {}}}`)), 0o644))
			m, err := manifest.Load(fsys, tc.dockerfile+".json", manifest.Options{})
			if tc.escapes {
				require.ErrorIs(t, err, manifest.ErrPathEscapes)
				assert.Contains(t, err.Error(), "symbolic link")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "in-dir/Dockerfile", m.Platforms()[0].DockerfilePath)
			assert.Equal(t, "real/Dockerfile", m.Platforms()[0].FilePath)
		})
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	plat := func(fields string) string {
		return platformManifest(`{"dockerfile": "d", "osVersion": "v", "tags": {"t": {}}` + fields + `}`)
	}
	tests := []struct {
		name    string
		content string
		opts    manifest.Options
		want    []string
	}{
		{name: "syntax error", content: "{\n  \"repos\": [\n    {\"name\": \"x\",, }\n  ]\n}", want: []string{"manifest manifest.json: line 3, column 18", "invalid character ','"}},
		{name: "truncated", content: `{"repos": [`, want: []string{"manifest manifest.json: line 1, column 12", "unexpected end of JSON input"}},
		{name: "wrong type", content: "{\"repos\": [{\"name\": 5}]}", want: []string{"manifest manifest.json: line 1, column 21", "field repos.name", "cannot use JSON number as string"}},
		{name: "trailing data", content: `{"repos": []} {}`, want: []string{"unexpected data after the manifest object"}},
		{name: "no repos", content: `{"repos": []}`, want: []string{"repos: the manifest has no repos"}},
		{name: "repo without name", content: `{"repos": [{"images": []}]}`, want: []string{"repos[0]: name: required"}},
		{name: "repo without images", content: `{"repos": [{"name": "r"}]}`, want: []string{"repos[0](r): images: required"}},
		{name: "missing os", content: plat(``), want: []string{"repos[0](team/r).images[0].platforms[0]: os: required"}},
		{name: "bad os", content: plat(`, "os": "plan9"`), want: []string{`os: "plan9" is not linux or windows`}},
		{name: "bad architecture", content: plat(`, "os": "linux", "architecture": "s390x"`), want: []string{`architecture: "s390x" is not amd64, arm64 or arm`}},
		{name: "duplicate object key", content: plat(`, "os": "linux", "buildArgs": {"A": "1", "A": "2"}`), want: []string{`key "A" appears twice`}},
		{name: "tag defined twice in a repo", content: `{"repos": [{"name": "r", "images": [
			{"sharedTags": {"t": {}}, "platforms": [{"dockerfile": "d", "os": "linux", "osVersion": "v", "tags": {"t": {}}}]}]}]}`,
			want: []string{`repos[0](r).images[0].platforms[0].tags: tag "t" is defined twice in the repo (also at repos[0](r).images[0].sharedTags)`}},
		{name: "too large", content: plat(`, "os": "linux"`), opts: manifest.Options{MaxFileSize: 10}, want: []string{"larger than the 10 byte limit"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fsys := mapFS(map[string]string{"manifest.json": tc.content, "d/Dockerfile": "FROM alpine"})
			_, err := manifest.Load(fsys, "manifest.json", tc.opts)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			var me *manifest.Error
			assert.ErrorAs(t, err, &me)
		})
	}
	t.Run("missing manifest", func(t *testing.T) {
		_, err := manifest.Load(mapFS(nil), "manifest.json", manifest.Options{})
		assert.ErrorIs(t, err, fs.ErrNotExist)
	})
}

func TestArchitectureAndOSAreCaseInsensitive(t *testing.T) {
	t.Parallel()
	fsys := mapFS(map[string]string{"manifest.json": platformManifest(`{"dockerfile": "d", "os": "Windows", "architecture": "ARM64", "osVersion": "v", "tags": {"t": {}}}`), "d/Dockerfile": "FROM x"})
	m, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
	require.NoError(t, err)
	p := m.Platforms()[0]
	assert.Equal(t, "windows", p.OS)
	assert.Equal(t, "Windows", p.OSType())
	assert.Equal(t, "arm64", p.Architecture)
	assert.Equal(t, "team/r", p.Repo().QualifiedName, "no registry: the qualified name is the bare name")
}

func TestLoadErrorsWrapUnderlyingCause(t *testing.T) {
	t.Parallel()
	_, err := manifest.Load(mapFS(map[string]string{"manifest.json": "{"}), "manifest.json", manifest.Options{})
	var me *manifest.Error
	require.True(t, errors.As(err, &me))
	assert.Equal(t, "manifest.json", me.File)
}

// TestByteOrderMark checks that a manifest and an include that begin with a UTF-8 byte order
// mark load as they do without it (ImageBuilder reads them with File.ReadAllText), and that
// error positions count from after the mark.
func TestByteOrderMark(t *testing.T) {
	t.Parallel()
	const bom = "\xef\xbb\xbf"
	inc := `{"variables": {"b": "$(a)y"}}`
	plain, err := manifest.Load(mapFS(map[string]string{"manifest.json": oneRepo, "inc.json": inc, "src/a/Dockerfile": "FROM alpine"}), "manifest.json", manifest.Options{})
	require.NoError(t, err)
	withBOM, err := manifest.Load(mapFS(map[string]string{"manifest.json": bom + oneRepo, "inc.json": bom + inc, "src/a/Dockerfile": "FROM alpine"}), "manifest.json", manifest.Options{})
	require.NoError(t, err)
	assert.Equal(t, plain, withBOM)
	b, _ := withBOM.Variables.Get("b")
	assert.Equal(t, "xy", b)

	_, err = manifest.Load(mapFS(map[string]string{"manifest.json": bom + `{"repos": [`}), "manifest.json", manifest.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "manifest manifest.json: line 1, column 12: unexpected end of JSON input")
}

func TestIsRepoTag(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		ref, repo string
		want      bool
	}{
		{"mcr.microsoft.com/dotnet/runtime:8.0", "mcr.microsoft.com/dotnet/runtime", true},
		{"mcr.microsoft.com/dotnet/runtime-deps:8.0", "mcr.microsoft.com/dotnet/runtime", false},
		{"mcr.microsoft.com/dotnet/runtime@sha256:00", "mcr.microsoft.com/dotnet/runtime", false},
		{"mcr.microsoft.com/dotnet/runtime", "mcr.microsoft.com/dotnet/runtime", false},
		{"mcr.microsoft.com/dotnet/runtime:", "mcr.microsoft.com/dotnet/runtime", true},
		{"dotnet/runtime:8.0", "mcr.microsoft.com/dotnet/runtime", false},
		{"MCR.microsoft.com/dotnet/runtime:8.0", "mcr.microsoft.com/dotnet/runtime", false},
	} {
		assert.Equal(t, tt.want, manifest.IsRepoTag(tt.ref, tt.repo), tt.ref)
	}
}
