package reliability_test

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	baseflow "github.com/baseflow/baseflow"
	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/dispatchtest"
	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/subscription"
)

// TestHostileInputThroughCheck feeds malformed and hostile files to a whole check, one file
// at a time, and asserts an error that names the file and the place in it, and no panic. No
// registry is needed: each case fails before a lookup or needs none.
func TestHostileInputThroughCheck(t *testing.T) {
	t.Parallel()
	good := []platformSpec{
		from("a", "mcr.microsoft.com/dotnet/runtime-deps:8.0", "mcr.microsoft.com/dotnet/runtime-deps@sha256:"+zeros),
		from("b", "alpine:3.20", "alpine@sha256:"+zeros),
	}
	tests := []struct {
		name string
		// edit changes the application (app) or versions repository.
		edit    func(app, versions fstest.MapFS)
		vars    map[string]string
		want    []string
		wantErr error
	}{
		{
			name: "manifest: truncated JSON",
			edit: func(app, _ fstest.MapFS) { app["manifest.json"] = file(`{"repos": [{"name": "acme/app",`) },
			want: []string{"acme/app@main: manifest manifest.json: line 1, column 32: unexpected end of JSON input"},
		},
		{
			name: "manifest: invalid JSON",
			edit: func(app, _ fstest.MapFS) {
				app["manifest.json"] = file("{\n  \"repos\": [\n    {\"name\": \"x\",, }\n  ]\n}")
			},
			want: []string{"manifest manifest.json: line 3, column 18: invalid character ','"},
		},
		{
			name: "manifest: number where a string is expected",
			edit: func(app, _ fstest.MapFS) { app["manifest.json"] = file(`{"repos": [{"name": 5, "images": []}]}`) },
			want: []string{"manifest manifest.json: line 1, column 21: field repos.name: cannot use JSON number as string"},
		},
		{
			name: "manifest: object where a list is expected",
			edit: func(app, _ fstest.MapFS) { app["manifest.json"] = file(`{"repos": {"name": "acme/app"}}`) },
			want: []string{"manifest manifest.json: line 1, column 11: field repos: cannot use JSON object as []manifest.RepoModel"},
		},
		{
			name: "manifest: variables that refer to each other",
			edit: func(app, _ fstest.MapFS) {
				app["manifest.json"] = file(`{"variables": {"a": "$(b)", "b": "$(a)"},` + strings.TrimPrefix(string(app["manifest.json"].Data), "{"))
			},
			want: []string{`manifest manifest.json: variables."a": $(b): refers to a variable declared later`},
		},
		{
			name: "manifest: a tag names an undefined variable",
			edit: func(app, _ fstest.MapFS) {
				app["manifest.json"] = file(strings.Replace(string(app["manifest.json"].Data), `"tags":{"a":{}}`, `"tags":{"$(nope)":{}}`, 1))
			},
			want: []string{`manifest manifest.json: repos[0](acme/app).images[0].platforms[0].tags: $(nope): no value was found for the variable`},
		},
		{
			name: "manifest: an absolute Dockerfile path",
			edit: func(app, _ fstest.MapFS) {
				app["manifest.json"] = file(strings.Replace(string(app["manifest.json"].Data), `"dockerfile":"src/a"`, `"dockerfile":"/etc"`, 1))
			},
			want:    []string{`manifest manifest.json: repos[0](acme/app).images[0].platforms[0]: dockerfile "/etc": "/etc" is absolute`},
			wantErr: manifest.ErrPathEscapes,
		},
		{
			name: "manifest: a Dockerfile path with ..",
			edit: func(app, _ fstest.MapFS) {
				app["manifest.json"] = file(strings.Replace(string(app["manifest.json"].Data), `"dockerfile":"src/b"`, `"dockerfile":"src/../../b"`, 1))
			},
			want:    []string{`manifest manifest.json: repos[0](acme/app).images[0].platforms[1]: dockerfile "src/../../b": "src/../../b" has a '..' segment`},
			wantErr: manifest.ErrPathEscapes,
		},
		{
			name: "Dockerfile: FROM with an unresolvable ARG",
			edit: func(app, _ fstest.MapFS) { app["src/b/Dockerfile"] = file("ARG TAG=3.20\n\nFROM $REPO:$TAG\n") },
			want: []string{"manifest manifest.json: src/b/Dockerfile:3: FROM $REPO:$TAG: variable REPO is not set"},
		},
		{
			name: "Dockerfile: FROM through an ARG default that is unresolvable",
			edit: func(app, _ fstest.MapFS) {
				app["src/a/Dockerfile"] = file("ARG IMAGE=${REGISTRY}/runtime:8.0\nFROM $IMAGE\n")
			},
			want: []string{"src/a/Dockerfile:2: FROM $IMAGE: variable REGISTRY is not set (used by ARG IMAGE)"},
		},
		{
			name: "Dockerfile: not text",
			edit: func(app, _ fstest.MapFS) { app["src/a/Dockerfile"] = file("FROM alpine\nRUN \x00\xff\n") },
			want: []string{"src/a/Dockerfile:2: not UTF-8 text"},
		},
		{
			name: "image-info: truncated JSON",
			edit: func(_, versions fstest.MapFS) {
				data := versions["image-info.json"].Data
				versions["image-info.json"] = file(string(data[:len(data)/2]))
			},
			want: []string{"image-info acme/versions/main/image-info.json: image-info.json:", "unexpected end of JSON input"},
		},
		{
			name: "image-info: invalid JSON",
			edit: func(_, versions fstest.MapFS) {
				versions["image-info.json"] = file("{\"schemaVersion\": \"2.0\",\n \"repos\": [}")
			},
			want: []string{"image-info acme/versions/main/image-info.json: image-info.json:2:"},
		},
		{
			name: "image-info: number where a string is expected",
			edit: func(_, versions fstest.MapFS) {
				versions["image-info.json"] = file(`{"schemaVersion": "2.0", "repos": [{"repo": 1}]}`)
			},
			want: []string{"image-info.json:1:45: field repos[0].repo: must be a string, not a number"},
		},
		{
			name: "image-info: unknown schema version",
			edit: func(_, versions fstest.MapFS) {
				versions["image-info.json"] = file(`{"schemaVersion": "3.0", "repos": []}`)
			},
			want: []string{"image-info acme/versions/main/image-info.json: image-info.json:1:19", "3.0"},
		},
		{
			name: "image-info: no schema version",
			edit: func(_, versions fstest.MapFS) {
				versions["image-info.json"] = file(`{"repos": []}`)
			},
			want: []string{"image-info acme/versions/main/image-info.json: image-info.json:1:1", "schemaVersion"},
		},
		{
			name: "image-info: a list where an object is expected",
			edit: func(_, versions fstest.MapFS) {
				versions["image-info.json"] = file(`[{"schemaVersion": "2.0"}]`)
			},
			want: []string{"image-info.json:1:1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, versions := appFiles(good...)
			tt.edit(app, versions)
			src := newMemSource().add("acme", "app", "main", app).add("acme", "versions", "main", versions)
			r := newChecker(src, noRegistry(t)).CheckOne(t.Context(), appSubscription)
			require.Error(t, r.Err)
			t.Log(r.Err)
			for _, w := range tt.want {
				assert.Contains(t, r.Err.Error(), w)
			}
			if tt.wantErr != nil {
				assert.ErrorIs(t, r.Err, tt.wantErr)
			}
			assert.Equal(t, check.StatusFailed, r.Status())
			assert.Empty(t, r.Paths())
		})
	}
}

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

// endlessFS is fsys with one more file, name, of size bytes of filler, whose reads are counted.
type endlessFS struct {
	fstest.MapFS
	name string
	size int64
	read atomic.Int64
}

func (e *endlessFS) Open(name string) (fs.File, error) {
	if name != e.name {
		return e.MapFS.Open(name)
	}
	return &endlessFile{fs: e}, nil
}

func (e *endlessFS) Stat(name string) (fs.FileInfo, error) {
	if name != e.name {
		return fs.Stat(e.MapFS, name)
	}
	return endlessInfo{e}, nil
}

type endlessFile struct {
	fs  *endlessFS
	off int64
}

func (f *endlessFile) Read(p []byte) (int, error) {
	if f.off >= f.fs.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), f.fs.size-f.off))
	const filler = "# padding padding padding padding padding padding padding padding\n"
	for i := range n {
		p[i] = filler[(f.off+int64(i))%int64(len(filler))]
	}
	f.off += int64(n)
	f.fs.read.Add(int64(n))
	return n, nil
}

func (f *endlessFile) Stat() (fs.FileInfo, error) { return endlessInfo{f.fs}, nil }
func (f *endlessFile) Close() error               { return nil }

type endlessInfo struct{ fs *endlessFS }

func (i endlessInfo) Name() string       { return filepath.Base(i.fs.name) }
func (i endlessInfo) Size() int64        { return i.fs.size }
func (i endlessInfo) Mode() fs.FileMode  { return 0o644 }
func (i endlessInfo) ModTime() time.Time { return time.Time{} }
func (i endlessInfo) IsDir() bool        { return false }
func (i endlessInfo) Sys() any           { return nil }

// TestOversizeFilesAreNotReadWhole checks that a 50 MB manifest and a 10 MB Dockerfile are
// refused by their size limits after reading no more than the limit and one byte.
func TestOversizeFilesAreNotReadWhole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		file  string
		size  int64
		limit int64
		want  string
	}{
		{name: "50 MB manifest", file: "manifest.json", size: 50 << 20, limit: manifest.DefaultMaxFileSize,
			want: "acme/app@main: manifest manifest.json: file is larger than the 16777216 byte limit"},
		{name: "10 MB Dockerfile", file: "src/b/Dockerfile", size: 10 << 20, limit: dockerfile.DefaultMaxSize,
			want: "manifest manifest.json: src/b/Dockerfile: dockerfile too large: more than 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, versions := appFiles(from("a", "alpine:3.20", ""), from("b", "alpine:3.20", ""))
			delete(app, tt.file)
			big := &endlessFS{MapFS: app, name: tt.file, size: tt.size}
			src := newMemSource().add("acme", "app", "main", big).add("acme", "versions", "main", versions)
			r := newChecker(src, noRegistry(t)).CheckOne(t.Context(), appSubscription)
			require.Error(t, r.Err)
			assert.Contains(t, r.Err.Error(), tt.want)
			assert.LessOrEqual(t, big.read.Load(), tt.limit+1, "read no more than the limit and one byte")
			assert.Greater(t, big.read.Load(), tt.limit)
			assert.Equal(t, check.StatusFailed, r.Status())
		})
	}
}

// TestUnparseableReferencesFailAtParse checks final bases that are not image references:
// the Dockerfile is refused where it is parsed, as docker build refuses it, naming the file,
// the line and the reference; the subscription fails and no request names the reference.
func TestUnparseableReferencesFailAtParse(t *testing.T) {
	t.Parallel()
	for _, ref := range []string{"UPPER/Case:tag", "a:b:c", "alpine@sha256:abc", "::", "-x", "registry.example/a//b:1"} {
		t.Run(ref, func(t *testing.T) {
			t.Parallel()
			reg := registrytest.New()
			t.Cleanup(reg.Close)
			good, err := reg.PushImage("library/good", "1", linuxAMD64)
			require.NoError(t, err)
			src := appSource(
				from("a", ref, "x@sha256:"+zeros),
				from("b", reg.Ref("library/good", "1"), reg.Host()+"/library/good@"+good.String()))
			c := newRemoteClient(t)
			r := newChecker(src, c).CheckOne(t.Context(), appSubscription)
			require.Error(t, r.Err)
			t.Log(r.Err)
			assert.Contains(t, r.Err.Error(), "src/a/Dockerfile:1: FROM "+ref+": \""+ref+"\" is not an image reference (")
			var de *dockerfile.Error
			require.ErrorAs(t, r.Err, &de)
			assert.Equal(t, 1, de.Line)
			assert.Nil(t, r.Stale, "no platform is decided on a manifest with a broken Dockerfile")
			assert.Equal(t, check.StatusFailed, r.Status())
			for _, req := range reg.Requests() {
				// Lookups may start while Dockerfiles are still parsed; never for the bad one.
				assert.Contains(t, req.Path, "library/good", "no request for the unparseable reference")
			}
		})
	}
}

// TestUnsafeDockerfilePathIsNotQueued checks that a stale Dockerfile path with a quote (ASCII,
// or one of U+2018–U+201B, which PowerShell also ends a single-quoted string on), which would
// break out of the pipeline's quoted arguments, stops the plan instead of being queued.
func TestUnsafeDockerfilePathIsNotQueued(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"a'b", "a\"b", "a`b", "a\nb", "a'; id #",
		"a\u2018b", "a\u2019; id #", "a\u201ab", "a\u201bb"} { // PowerShell's look-alike quotes
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			// Nothing recorded: both platforms are stale once alpine:3.20 is looked up.
			src := appSource(from(dir, "alpine:3.20", ""), from("b", "alpine:3.20", ""))
			moved, err := registry.NewStatic(map[string]digest.Digest{"alpine:3.20": digest.FromString("alpine")})
			require.NoError(t, err)
			rec := dispatchtest.NewRecorder()
			out, err := baseflow.Check(t.Context(), baseflow.Config{
				Subscriptions: []subscription.Subscription{appSubscription},
				Checker:       newChecker(src, moved),
				Dispatcher:    &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: rec}},
			})
			require.Error(t, err)
			var pe *dispatch.PathError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "src/"+dir, pe.Path)
			assert.Equal(t, appSubscription.ID(), pe.SubscriptionID)
			require.NotNil(t, out)
			assert.Equal(t, []string{"src/" + dir, "src/b"}, out.Results[0].Paths(), "the check itself found both stale")
			assert.Empty(t, rec.Queued(), "nothing is queued")
			assert.Empty(t, rec.Calls())
		})
	}
}

// TestSubscriptionsFileWithQuotesOrNewlines checks that a subscriptions file whose paths hold
// quotes or newlines is refused whole, naming the file, the entry and the field.
func TestSubscriptionsFileWithQuotesOrNewlines(t *testing.T) {
	t.Parallel()
	entry := `{"manifest": {"owner": "acme", "repo": "app", "branch": "main", "path": %s},
  "imageInfo": {"owner": "acme", "repo": "versions", "branch": "main", "path": %s},
  "pipelineTrigger": {"id": 7, "pathVariable": %s}}`
	tests := []struct {
		name, manifest, info, variable, want string
	}{
		{"quote in the manifest path", `"manifest'.json"`, `"i.json"`, `"v"`, `[1].manifest.path: "manifest'.json": character U+0027 (') at position 9 is not allowed; use letters, digits, spaces and ._-/+@,=~`},
		{"look-alike quote in the manifest path", "\"m\u2018.json\"", `"i.json"`, `"v"`, "[1].manifest.path: \"m\u2018.json\": character U+2018 (\u2018) at position 2 is not allowed; use letters, digits, spaces and ._-/+@,=~"},
		{"double quote in the image-info path", `"m.json"`, `"i\".json"`, `"v"`, `[1].imageInfo.path: "i\".json": character U+0022 (") at position 2 is not allowed; use letters, digits, spaces and ._-/+@,=~`},
		{"newline in the image-info path", `"m.json"`, `"i\n--path x.json"`, `"v"`, `[1].imageInfo.path: "i\n--path x.json": character U+000A at position 2 is not allowed; use letters, digits, spaces and ._-/+@,=~`},
		{"backtick in the path variable", `"m.json"`, `"i.json"`, "\"v`id`\"", "[1].pipelineTrigger.pathVariable: \"v`id`\": character U+0060 (`) at position 2 is not allowed; use letters, digits, spaces and ._-/+@,=~"},
		{"path leaving the repository", `"../m.json"`, `"i.json"`, `"v"`, `[1].manifest.path: "../m.json" must be a relative path inside the repository`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "subscriptions.json")
			good := strings.ReplaceAll(fmt.Sprintf(entry, `"manifest.json"`, `"image-info.json"`, `"v"`), "acme", "good")
			require.NoError(t, os.WriteFile(path, []byte("["+good+",\n"+fmt.Sprintf(entry, tt.manifest, tt.info, tt.variable)+"]"), 0o644))
			subs, err := subscription.Load(path)
			require.Error(t, err)
			assert.Nil(t, subs)
			assert.Equal(t, path+": "+tt.want, err.Error())
		})
	}
}

// TestMalformedSubscriptionsFile runs the get-stale-images command on subscriptions files that
// are not valid JSON or have values of the wrong type: it exits with status 1 before any
// work, naming the file, the line and the column.
func TestMalformedSubscriptionsFile(t *testing.T) {
	t.Parallel()
	bin := command(t, "get-stale-images")
	tests := []struct {
		name, content, want string
	}{
		{"truncated", "[\n  {\"manifest\": {\"owner\": \"acme\"", ":2:32: unexpected end of JSON input"},
		{"invalid JSON", "[\n  {\"manifest\": }\n]", ":2:16: invalid character '}' looking for beginning of value"},
		{"number where a string is expected", `[{"manifest": {"owner": 5}}]`, ":1:25: field manifest.owner: cannot use JSON number as string"},
		{"string where a number is expected", `[{"pipelineTrigger": {"id": "7"}}]`, ":1:31: field pipelineTrigger.id: cannot use JSON string as int"},
		{"object instead of a list", `{"manifest": {}}`, ":1:1: cannot use JSON object as []subscription.Subscription"},
		{"null", `null`, ": expected a JSON array of subscriptions, got null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "subscriptions.json")
			require.NoError(t, os.WriteFile(path, []byte(tt.content), 0o644))
			code, outputs := run(t, bin, nil, nil, "--subscriptions", path, "--repo-url", "file:///nonexistent/{owner}/{repo}")
			assert.Equal(t, 1, code)
			assert.Empty(t, outputs["stdout"])
			assert.Contains(t, outputs["stderr"], path+tt.want)
		})
	}
}

// TestSymlinksLeavingTheRepository checks, through the git source on a real repository, that
// Dockerfiles and image-info reached through symbolic links that point outside the
// repository are refused, naming the manifest and the platform.
func TestSymlinksLeavingTheRepository(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(outside, "d"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(outside, "d", "Dockerfile"), []byte("FROM secret:outside\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(outside, "image-info.json"), []byte(`{"schemaVersion": "2.0"}`), 0o644))

	tests := []struct {
		name   string
		link   func(t *testing.T, repo string)
		sub    func(s subscription.Subscription) subscription.Subscription
		want   []string
		escape bool
	}{
		{
			name: "directory link to an absolute path",
			link: func(t *testing.T, repo string) {
				require.NoError(t, os.RemoveAll(filepath.Join(repo, "src", "a")))
				require.NoError(t, os.Symlink(filepath.Join(outside, "d"), filepath.Join(repo, "src", "a")))
			},
			want:   []string{"manifest manifest.json: repos[0](acme/app).images[0].platforms[0]: dockerfile \"src/a\": src/a is a symbolic link to an absolute path"},
			escape: true,
		},
		{
			name: "Dockerfile link up and out",
			link: func(t *testing.T, repo string) {
				target, err := filepath.Rel(filepath.Join(repo, "src", "b"), filepath.Join(outside, "d", "Dockerfile"))
				require.NoError(t, err)
				require.NoError(t, os.Remove(filepath.Join(repo, "src", "b", "Dockerfile")))
				require.NoError(t, os.Symlink(target, filepath.Join(repo, "src", "b", "Dockerfile")))
			},
			want:   []string{"manifest manifest.json: repos[0](acme/app).images[0].platforms[1]: dockerfile \"src/b\": src/b/Dockerfile is a symbolic link to ../"},
			escape: true,
		},
		{
			name: "image-info link to an absolute path",
			link: func(t *testing.T, repo string) {
				require.NoError(t, os.Symlink(filepath.Join(outside, "image-info.json"), filepath.Join(repo, "info-link.json")))
			},
			sub: func(s subscription.Subscription) subscription.Subscription {
				s.ImageInfo = subscription.GitFile{Owner: "acme", Repo: "app", Branch: "main", Path: "info-link.json"}
				return s
			},
			want: []string{"image-info acme/app/main/info-link.json: "},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, _ := appFiles(from("a", "alpine:3.20", ""), from("b", "alpine:3.20", ""))
			base := t.TempDir()
			repo := filepath.Join(base, "acme", "app")
			writeRepo(t, repo, app)
			tt.link(t, repo)
			commit(t, repo)
			src := newGitSource(t, "file://"+filepath.ToSlash(base)+"/{owner}/{repo}")
			sub := appSubscription
			if tt.sub != nil {
				sub = tt.sub(sub)
			}
			r := newChecker(src, noRegistry(t)).CheckOne(t.Context(), sub)
			require.Error(t, r.Err)
			t.Log(r.Err)
			for _, w := range tt.want {
				assert.Contains(t, r.Err.Error(), w)
			}
			assert.Equal(t, tt.escape, errors.Is(r.Err, manifest.ErrPathEscapes), "%v", r.Err)
			assert.NotContains(t, r.Err.Error(), "secret:outside")
			assert.Equal(t, check.StatusFailed, r.Status())
		})
	}
}
