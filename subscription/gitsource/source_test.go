package gitsource_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/internal/silentserver"
	"github.com/baseflow/baseflow/subscription/gitsource"
	"github.com/baseflow/baseflow/subscription/gitsource/gittest"
)

func TestTreeBranches(t *testing.T) {
	t.Parallel()
	repos := newTestRepos(t)
	src := newSource(t, repos)

	tests := []struct {
		branch     string
		manifest   string
		dockerfile string
		files      []string
	}{
		{
			branch:     "main",
			manifest:   `{"branch":"main"}` + "\n",
			dockerfile: "FROM alpine:3.20\n",
			files: []string{
				"build/image-info.json", "escape-abs", "escape-rel", "manifest.json",
				"src/app/Dockerfile", "src/app/link", "src/up",
			},
		},
		{
			branch:     "nightly",
			manifest:   `{"branch":"nightly"}` + "\n",
			dockerfile: "FROM alpine:3.21\n",
			files: []string{
				"build/image-info.json", "escape-abs", "escape-rel", "manifest.json", "nightly.txt",
				"src/app/Dockerfile", "src/app/link", "src/up",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.branch, func(t *testing.T) {
			t.Parallel()
			fsys, err := src.Tree(t.Context(), "acme", "app", tt.branch)
			require.NoError(t, err)

			data, err := fs.ReadFile(fsys, "manifest.json")
			require.NoError(t, err)
			assert.Equal(t, tt.manifest, string(data))

			data, err = fs.ReadFile(fsys, "src/app/Dockerfile")
			require.NoError(t, err)
			assert.Equal(t, tt.dockerfile, string(data))

			// Links inside the repository resolve.
			data, err = fs.ReadFile(fsys, "src/app/link")
			require.NoError(t, err)
			assert.Equal(t, tt.dockerfile, string(data))
			data, err = fs.ReadFile(fsys, "src/up")
			require.NoError(t, err)
			assert.Equal(t, tt.manifest, string(data))

			var files []string
			require.NoError(t, fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
				require.NoError(t, err)
				if !d.IsDir() {
					files = append(files, p)
				}
				return nil
			}))
			assert.Equal(t, tt.files, files)

			_, err = fs.Stat(fsys, ".git")
			assert.ErrorIs(t, err, fs.ErrNotExist, "the git directory is not part of the tree")
		})
	}
}

func TestTreeSymlinksStayInside(t *testing.T) {
	t.Parallel()
	repos := newTestRepos(t)
	parent := t.TempDir()
	// escape-rel points at ../../outside.txt: from <parent>/<clone>/tree that is this file.
	require.NoError(t, os.WriteFile(filepath.Join(parent, "outside.txt"), []byte("outside\n"), 0o644))
	src := newSource(t, repos, gitsource.WithTempDir(parent))

	fsys, err := src.Tree(t.Context(), "acme", "app", "main")
	require.NoError(t, err)

	for _, name := range []string{"escape-abs", "escape-rel"} {
		_, err := fsys.Open(name)
		assert.Error(t, err, name)
		_, err = fs.ReadFile(fsys, name)
		assert.Error(t, err, name)
	}

	// The link itself is visible and readable as a link.
	rl, ok := fsys.(fs.ReadLinkFS)
	require.True(t, ok, "the tree implements fs.ReadLinkFS")
	target, err := rl.ReadLink("escape-abs")
	require.NoError(t, err)
	assert.Equal(t, repos.outside, target)
	info, err := rl.Lstat("src/app/link")
	require.NoError(t, err)
	assert.Equal(t, fs.ModeSymlink, info.Mode().Type())

	_, ok = fsys.(fs.StatFS)
	assert.True(t, ok, "the tree implements fs.StatFS")
	_, ok = fsys.(fs.ReadFileFS)
	assert.True(t, ok, "the tree implements fs.ReadFileFS")
	_, ok = fsys.(fs.ReadDirFS)
	assert.True(t, ok, "the tree implements fs.ReadDirFS")
}

func TestReadFile(t *testing.T) {
	t.Parallel()
	repos := newTestRepos(t)

	tests := []struct {
		name, branch, path string
		want               string
		wantErr            error
		wantErrText        string
	}{
		{name: "root", branch: "main", path: "manifest.json", want: `{"branch":"main"}` + "\n"},
		{name: "root nightly", branch: "nightly", path: "manifest.json", want: `{"branch":"nightly"}` + "\n"},
		{name: "nested", branch: "main", path: "build/image-info.json", want: `{"schemaVersion":"2.0"}` + "\n"},
		{name: "name in another case", branch: "main", path: "build/IMAGE-INFO.JSON", want: `{"schemaVersion":"2.0"}` + "\n"},
		{name: "root name in another case", branch: "nightly", path: "Nightly.TXT", want: "only on nightly\n"},
		{name: "leading slash", branch: "main", path: "/build/image-info.json", want: `{"schemaVersion":"2.0"}` + "\n"},
		{name: "only on nightly", branch: "nightly", path: "nightly.txt", want: "only on nightly\n"},
		{name: "link inside", branch: "main", path: "src/app/link", want: "FROM alpine:3.20\n"},
		{name: "link to parent dir", branch: "nightly", path: "src/up", want: `{"branch":"nightly"}` + "\n"},
		{name: "missing", branch: "main", path: "nightly.txt", wantErr: fs.ErrNotExist},
		{name: "missing nested", branch: "main", path: "build/nope/x.json", wantErr: fs.ErrNotExist},
		{name: "under a file", branch: "main", path: "manifest.json/x", wantErr: fs.ErrNotExist},
		{name: "directory", branch: "main", path: "build", wantErrText: "is a directory"},
		{name: "absolute link out", branch: "main", path: "escape-abs", wantErrText: "outside the repository"},
		{name: "relative link out", branch: "main", path: "escape-rel", wantErrText: "outside the repository"},
		{name: "parent path", branch: "main", path: "../x", wantErr: fs.ErrInvalid},
	}
	// The same cases through a bare clone (no Tree asked for) and through a Tree clone.
	for _, viaTree := range []bool{false, true} {
		src := newSource(t, repos)
		if viaTree {
			for _, b := range []string{"main", "nightly"} {
				_, err := src.Tree(t.Context(), "acme", "app", b)
				require.NoError(t, err)
			}
		}
		for _, tt := range tests {
			name := tt.name
			if viaTree {
				name += " via tree"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				data, err := src.ReadFile(t.Context(), "acme", "app", tt.branch, tt.path)
				switch {
				case tt.wantErr != nil:
					require.ErrorIs(t, err, tt.wantErr)
					assert.NotErrorIs(t, err, gitsource.ErrBranchNotFound)
					assert.NotErrorIs(t, err, gitsource.ErrRepositoryNotFound)
				case tt.wantErrText != "":
					require.ErrorContains(t, err, tt.wantErrText)
					assert.NotErrorIs(t, err, fs.ErrNotExist)
				default:
					require.NoError(t, err)
					assert.Equal(t, tt.want, string(data))
				}
			})
		}
	}
}

func TestReadFilePartialClone(t *testing.T) {
	t.Parallel()
	repos := newTestRepos(t)
	// With filters allowed, the bare clone leaves out blobs over the size limit.
	gittest.Init(t, filepath.Join(repos.base, "acme", "app")).Git("config", "uploadpack.allowFilter", "true")
	parent := t.TempDir()
	src := newSource(t, repos, gitsource.WithTempDir(parent))

	data, err := src.ReadFile(t.Context(), "acme", "app", "nightly", "src/app/Dockerfile")
	require.NoError(t, err)
	assert.Equal(t, "FROM alpine:3.21\n", string(data))

	configs, err := filepath.Glob(filepath.Join(parent, "baseflow-git-*", "git", "config"))
	require.NoError(t, err)
	require.Len(t, configs, 1)
	config, err := os.ReadFile(configs[0])
	require.NoError(t, err)
	assert.Contains(t, string(config), "partialclonefilter = blob:limit=67108864", "files over the size limit are not fetched")
}

func TestNotFoundErrors(t *testing.T) {
	t.Parallel()
	repos := newTestRepos(t)
	src := newSource(t, repos)
	ctx := t.Context()

	tests := []struct {
		name        string
		repo        string
		branch      string
		want        error
		notWant     error
		wantMessage []string
	}{
		{
			name: "missing branch", repo: "app", branch: "release",
			want: gitsource.ErrBranchNotFound, notWant: gitsource.ErrRepositoryNotFound,
			wantMessage: []string{"branch release", "Remote branch release not found", repos.fileTemplate()[:10]},
		},
		{
			name: "missing repository", repo: "nope", branch: "main",
			want: gitsource.ErrRepositoryNotFound, notWant: gitsource.ErrBranchNotFound,
			wantMessage: []string{"acme/nope", "does not appear to be a git repository"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, treeErr := src.Tree(ctx, "acme", tt.repo, tt.branch)
			_, readErr := src.ReadFile(ctx, "acme", tt.repo, tt.branch, "manifest.json")
			for _, err := range []error{treeErr, readErr} {
				require.ErrorIs(t, err, tt.want)
				assert.ErrorIs(t, err, fs.ErrNotExist)
				assert.NotErrorIs(t, err, tt.notWant)
				var cloneErr *gitsource.CloneError
				require.ErrorAs(t, err, &cloneErr)
				assert.Equal(t, tt.branch, cloneErr.Branch)
				assert.Equal(t, "file://"+filepath.ToSlash(repos.base)+"/acme/"+tt.repo, cloneErr.URL)
				for _, m := range tt.wantMessage {
					assert.Contains(t, err.Error(), m)
				}
				assert.NotContains(t, err.Error(), "Cloning into")
			}
		})
	}
}

func TestConcurrentTreesCloneOnce(t *testing.T) {
	t.Parallel()
	repos := newTestRepos(t)
	git, count := countingGit(t)
	src := newSource(t, repos, gitsource.WithGitBinary(git))
	clones := func() int { n, _ := count(); return n }

	const n = 10
	trees := make([]fs.FS, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			trees[i], errs[i] = src.Tree(t.Context(), "acme", "app", "nightly")
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		data, err := fs.ReadFile(trees[i], "nightly.txt")
		require.NoError(t, err)
		assert.Equal(t, "only on nightly\n", string(data))
	}
	assert.Equal(t, 1, clones())

	// ReadFile on the same branch reads from the Tree clone.
	data, err := src.ReadFile(t.Context(), "acme", "app", "nightly", "manifest.json")
	require.NoError(t, err)
	assert.Equal(t, `{"branch":"nightly"}`+"\n", string(data))
	// Another branch is another clone; a failed clone is not retried.
	_, err = src.Tree(t.Context(), "acme", "app", "main")
	require.NoError(t, err)
	for range 2 {
		_, err = src.Tree(t.Context(), "acme", "app", "gone")
		require.ErrorIs(t, err, gitsource.ErrBranchNotFound)
	}
	assert.Equal(t, 3, clones())
}

func TestConcurrentReadFilesCloneOnce(t *testing.T) {
	t.Parallel()
	repos := newTestRepos(t)
	git, count := countingGit(t)
	src := newSource(t, repos, gitsource.WithGitBinary(git))

	var wg sync.WaitGroup
	for _, name := range []string{"manifest.json", "build/image-info.json", "src/app/Dockerfile", "manifest.json"} {
		wg.Go(func() {
			_, err := src.ReadFile(t.Context(), "acme", "app", "main", name)
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	fetches, runs := count()
	assert.Equal(t, 1, fetches)
	assert.Equal(t, 2, runs, "one clone and one reader for every file")
}

func TestCloseRemovesClones(t *testing.T) {
	t.Parallel()
	repos := newTestRepos(t)
	parent := t.TempDir()
	src, err := gitsource.New(
		gitsource.WithURLTemplate(repos.fileTemplate()),
		gitsource.WithTempDir(parent),
		gitsource.WithEnv(isolatedGitEnv...),
	)
	require.NoError(t, err)
	ctx := t.Context()

	fsys, err := src.Tree(ctx, "acme", "app", "main")
	require.NoError(t, err)
	_, err = src.Tree(ctx, "acme", "app", "nightly")
	require.NoError(t, err)
	_, err = src.ReadFile(ctx, "acme", "app", "nightly", "manifest.json")
	require.NoError(t, err)
	_, err = src.ReadFile(ctx, "acme", "app", "main", "missing.json")
	require.ErrorIs(t, err, fs.ErrNotExist)
	_, err = src.Tree(ctx, "acme", "missing", "main")
	require.Error(t, err)

	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "one repository for both branches: the failed clone's directory is already removed")

	require.NoError(t, src.Close())
	entries, err = os.ReadDir(parent)
	require.NoError(t, err)
	assert.Empty(t, entries)

	_, err = fs.ReadFile(fsys, "manifest.json")
	assert.Error(t, err, "a tree is not readable after Close")
	_, err = src.Tree(ctx, "acme", "app", "main")
	assert.ErrorIs(t, err, gitsource.ErrClosed)
	_, err = src.ReadFile(ctx, "acme", "app", "main", "manifest.json")
	assert.ErrorIs(t, err, gitsource.ErrClosed)
	assert.NoError(t, src.Close(), "Close twice")
}

func TestCredentialsRedacted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		template string
		secrets  []string
	}{
		{template: "https://user:s3cret@127.0.0.1:1/{owner}/{repo}.git", secrets: []string{"s3cret"}},
		{template: "https://ghp_0123456789abcdef@127.0.0.1:1/{owner}/{repo}.git", secrets: []string{"ghp_0123456789abcdef"}},
		{template: "https://x-access-token:p%40ss%2Fword@127.0.0.1:1/{owner}/{repo}.git", secrets: []string{"p%40ss%2Fword", "p@ss/word"}},
	}
	for _, tt := range tests {
		t.Run(tt.template, func(t *testing.T) {
			t.Parallel()
			src, err := gitsource.New(
				gitsource.WithURLTemplate(tt.template),
				gitsource.WithTempDir(t.TempDir()),
				gitsource.WithEnv(isolatedGitEnv...),
			)
			require.NoError(t, err)
			defer src.Close()

			_, treeErr := src.Tree(t.Context(), "acme", "app", "main")
			_, readErr := src.ReadFile(t.Context(), "acme", "app", "main", "image-info.json")
			for _, err := range []error{treeErr, readErr} {
				require.Error(t, err)
				msg := err.Error()
				for _, secret := range tt.secrets {
					assert.NotContains(t, msg, secret)
				}
				assert.Contains(t, msg, "https://***@127.0.0.1:1/acme/app.git")
				assert.Contains(t, msg, "Failed to connect to 127.0.0.1 port 1", "git's own message is kept")
				var cloneErr *gitsource.CloneError
				require.ErrorAs(t, err, &cloneErr)
				assert.NotErrorIs(t, err, fs.ErrNotExist)
			}
		})
	}
}

func TestCancelStopsClone(t *testing.T) {
	t.Parallel()
	// A server that accepts connections and never answers: git waits until it is killed.
	srv := silentserver.Start(t)

	src, err := gitsource.New(
		gitsource.WithURLTemplate("http://"+srv.Addr+"/{owner}/{repo}.git"),
		gitsource.WithTempDir(t.TempDir()),
		gitsource.WithEnv(isolatedGitEnv...),
	)
	require.NoError(t, err)
	defer src.Close()

	for attempt := range 2 {
		ctx, cancel := context.WithCancel(t.Context())
		errc := make(chan error, 1)
		go func() {
			_, err := src.Tree(ctx, "acme", "app", "main")
			errc <- err
		}()
		require.Eventually(t, func() bool { return srv.Accepted() > attempt }, 10*time.Second, 10*time.Millisecond,
			"git never connected") // git is connected and waiting for an answer
		cancel()
		err := <-errc
		require.ErrorIs(t, err, context.Canceled, "attempt %d", attempt)
		// The second attempt connecting again shows a cancelled clone is not cached.
	}
}

func TestInvalidNames(t *testing.T) {
	t.Parallel()
	src, err := gitsource.New(gitsource.WithTempDir(t.TempDir()))
	require.NoError(t, err)
	defer src.Close()
	tests := []struct{ owner, repo, branch string }{
		{"", "app", "main"},
		{"acme", "", "main"},
		{"acme", "app", ""},
		{"-acme", "app", "main"},
		{"acme", "a/b", "main"},
		{"..", "app", "main"},
		{"acme/..", "app", "main"},
		{"acme", "app", "--upload-pack=x"},
		{"acme", "app", "a\nb"},
	}
	for _, tt := range tests {
		_, err := src.Tree(t.Context(), tt.owner, tt.repo, tt.branch)
		assert.ErrorContains(t, err, "gitsource: invalid", "%q", tt)
		var cloneErr *gitsource.CloneError
		assert.False(t, errors.As(err, &cloneErr), "no clone is tried for %q", tt)
	}
	for _, p := range []string{"", ".", "..", "a/../../b", "a\nb"} {
		_, err := src.ReadFile(t.Context(), "acme", "app", "main", p)
		assert.ErrorIs(t, err, fs.ErrInvalid, "%q", p)
	}
}

func TestLocalPathTemplate(t *testing.T) {
	t.Parallel()
	repos := newTestRepos(t)
	src := newSource(t, repos, gitsource.WithURLTemplate(filepath.Join(repos.base, "{owner}", "{repo}")))
	data, err := src.ReadFile(t.Context(), "acme", "app", "nightly", "nightly.txt")
	require.NoError(t, err)
	assert.Equal(t, "only on nightly\n", string(data))
	fsys, err := src.Tree(t.Context(), "acme", "app", "main")
	require.NoError(t, err)
	data, err = fs.ReadFile(fsys, "src/app/Dockerfile")
	require.NoError(t, err)
	assert.Equal(t, "FROM alpine:3.20\n", string(data))
}

func TestNewMissingGit(t *testing.T) {
	t.Parallel()
	_, err := gitsource.New(gitsource.WithGitBinary(filepath.Join(t.TempDir(), "no-git")))
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "gitsource: "), err.Error())
}

func TestReadFileSizeLimit(t *testing.T) {
	t.Parallel()
	repos := newTestRepos(t)
	src := newSource(t, repos, gitsource.WithMaxFileSize(10))
	data, err := src.ReadFile(context.Background(), "acme", "app", "main", "src/app/Dockerfile")
	require.Error(t, err, "17 bytes is over the limit")
	assert.Nil(t, data)
	assert.Contains(t, err.Error(), "src/app/Dockerfile: 17 bytes is larger than the 10 byte limit")

	src = newSource(t, repos, gitsource.WithMaxFileSize(17))
	data, err = src.ReadFile(context.Background(), "acme", "app", "main", "src/app/Dockerfile")
	require.NoError(t, err)
	assert.Equal(t, "FROM alpine:3.20\n", string(data))
}
