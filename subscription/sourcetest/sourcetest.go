// Package sourcetest is the conformance suite every [subscription.Source] passes, in the
// spirit of gocloud's drivertest: the git source, the GitHub source and the static source run
// the same tests, so that code tested against one branches the same way on the others.
//
// [Run] asks the implementation to serve [Branches] and then checks:
//
//   - ReadFile and Tree return each branch's own content, on branch names with a slash too,
//     with regular files of the right size in directories, sorted listings, and exactly the
//     branch's files; each tree passes Go's own testing/fstest.TestFS;
//   - a missing file matches fs.ErrNotExist and neither ErrRepositoryNotFound nor
//     ErrBranchNotFound;
//   - a missing repository matches ErrRepositoryNotFound (and fs.ErrNotExist), a missing
//     branch of an existing repository ErrBranchNotFound (and fs.ErrNotExist), from both Tree
//     and ReadFile;
//   - after Close, Tree, ReadFile and the file systems Tree returned before fail with
//     ErrSourceClosed, and a second Close returns nil;
//   - concurrent reads are safe (run the tests with -race).
package sourcetest

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"path"
	"slices"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/subscription"
)

// Branch is the content of a repository at a branch.
type Branch struct {
	Owner, Repo, Branch string
	// Files maps slash-separated paths to contents.
	Files map[string]string
}

// Branches is what an implementation must serve for the suite: two branches of acme/app (one
// with a slash in its name) with different files, and acme/versions. No other repository or
// branch may exist.
func Branches() []Branch {
	return []Branch{
		{Owner: "acme", Repo: "app", Branch: "main", Files: map[string]string{
			"manifest.json":         `{"branch":"main"}` + "\n",
			"build/image-info.json": `{"schemaVersion":"2.0"}` + "\n",
			"src/app/Dockerfile":    "FROM alpine:3.20\n",
		}},
		{Owner: "acme", Repo: "app", Branch: "release/8.0", Files: map[string]string{
			"manifest.json":      `{"branch":"release/8.0"}` + "\n",
			"src/app/Dockerfile": "FROM alpine:3.21\n",
			"release.txt":        "only on release/8.0\n",
		}},
		{Owner: "acme", Repo: "versions", Branch: "main", Files: map[string]string{
			"image-info.json": `{"schemaVersion":"2.0","repos":[]}` + "\n",
		}},
	}
}

// Setup returns a new Source serving exactly branches. The suite closes it; Setup may
// register cleanups on t for what it started.
type Setup func(t *testing.T, branches []Branch) subscription.Source

// Run runs the suite against the Sources setup returns, one per subtest.
func Run(t *testing.T, setup Setup) {
	t.Run("ReadFile", func(t *testing.T) { testReadFile(t, setup) })
	t.Run("Tree", func(t *testing.T) { testTree(t, setup) })
	t.Run("MissingFile", func(t *testing.T) { testMissingFile(t, setup) })
	t.Run("MissingRepository", func(t *testing.T) {
		testMissing(t, setup, "nope", "main", subscription.ErrRepositoryNotFound, subscription.ErrBranchNotFound)
	})
	t.Run("MissingBranch", func(t *testing.T) {
		testMissing(t, setup, "app", "nope", subscription.ErrBranchNotFound, subscription.ErrRepositoryNotFound)
	})
	t.Run("Close", func(t *testing.T) { testClose(t, setup) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, setup) })
}

func open(t *testing.T, setup Setup) subscription.Source {
	t.Helper()
	src := setup(t, Branches())
	t.Cleanup(func() { _ = src.Close() })
	return src
}

func testReadFile(t *testing.T, setup Setup) {
	src := open(t, setup)
	for _, b := range Branches() {
		for name, want := range b.Files {
			got, err := src.ReadFile(t.Context(), b.Owner, b.Repo, b.Branch, name)
			require.NoError(t, err, "%s/%s@%s %s", b.Owner, b.Repo, b.Branch, name)
			assert.Equal(t, want, string(got), "%s/%s@%s %s", b.Owner, b.Repo, b.Branch, name)
		}
	}
}

func testTree(t *testing.T, setup Setup) {
	src := open(t, setup)
	for _, b := range Branches() {
		fsys, err := src.Tree(t.Context(), b.Owner, b.Repo, b.Branch)
		require.NoError(t, err, "%s/%s@%s", b.Owner, b.Repo, b.Branch)
		names := slices.Sorted(maps.Keys(b.Files))
		for _, name := range names {
			info, err := fs.Stat(fsys, name)
			require.NoError(t, err, "%s/%s@%s stat %s", b.Owner, b.Repo, b.Branch, name)
			assert.True(t, info.Mode().IsRegular(), "%s is a regular file", name)
			assert.Equal(t, int64(len(b.Files[name])), info.Size(), "%s: size", name)
			assert.Equal(t, path.Base(name), info.Name())
			if dir := path.Dir(name); dir != "." {
				info, err := fs.Stat(fsys, dir)
				require.NoError(t, err, "stat %s", dir)
				assert.True(t, info.IsDir(), "%s is a directory", dir)
				_, err = fs.ReadFile(fsys, dir)
				assert.Error(t, err, "reading the directory %s", dir)
			}
		}
		root, err := fs.ReadDir(fsys, ".")
		require.NoError(t, err)
		var top []string
		for _, e := range root {
			top = append(top, e.Name())
		}
		assert.True(t, slices.IsSorted(top), "ReadDir sorts by name: %v", top)
		var found []string
		require.NoError(t, fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				found = append(found, p)
			}
			return err
		}))
		assert.Equal(t, names, found, "%s/%s@%s holds exactly its files", b.Owner, b.Repo, b.Branch)
		for name, want := range b.Files {
			got, err := fs.ReadFile(fsys, name)
			require.NoError(t, err)
			assert.Equal(t, want, string(got), "%s/%s@%s %s", b.Owner, b.Repo, b.Branch, name)
		}
		// Go's own consistency checks: listings, Stat, Open and ReadFile agree.
		assert.NoError(t, fstest.TestFS(fsys, names...), "%s/%s@%s", b.Owner, b.Repo, b.Branch)
	}
}

func testMissingFile(t *testing.T, setup Setup) {
	src := open(t, setup)
	for _, name := range []string{"nope.json", "src/nope/Dockerfile", "release.txt"} {
		_, err := src.ReadFile(t.Context(), "acme", "app", "main", name)
		require.ErrorIs(t, err, fs.ErrNotExist, name)
		assert.NotErrorIs(t, err, subscription.ErrRepositoryNotFound, name)
		assert.NotErrorIs(t, err, subscription.ErrBranchNotFound, name)
	}
	fsys, err := src.Tree(t.Context(), "acme", "app", "main")
	require.NoError(t, err)
	_, err = fs.ReadFile(fsys, "release.txt")
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func testMissing(t *testing.T, setup Setup, repo, branch string, want, notWant error) {
	src := open(t, setup)
	_, err := src.Tree(t.Context(), "acme", repo, branch)
	require.ErrorIs(t, err, want, "Tree")
	assert.ErrorIs(t, err, fs.ErrNotExist, "Tree")
	assert.NotErrorIs(t, err, notWant, "Tree")
	_, err = src.ReadFile(t.Context(), "acme", repo, branch, "manifest.json")
	require.ErrorIs(t, err, want, "ReadFile")
	assert.ErrorIs(t, err, fs.ErrNotExist, "ReadFile")
	assert.NotErrorIs(t, err, notWant, "ReadFile")
}

func testClose(t *testing.T, setup Setup) {
	src := setup(t, Branches())
	fsys, err := src.Tree(t.Context(), "acme", "app", "main")
	require.NoError(t, err)
	require.NoError(t, src.Close())
	require.NoError(t, src.Close(), "a second Close")

	_, err = src.Tree(t.Context(), "acme", "app", "main")
	assert.ErrorIs(t, err, subscription.ErrSourceClosed, "Tree")
	_, err = src.ReadFile(t.Context(), "acme", "app", "main", "manifest.json")
	assert.ErrorIs(t, err, subscription.ErrSourceClosed, "ReadFile")
	_, err = fs.ReadFile(fsys, "manifest.json")
	assert.ErrorIs(t, err, subscription.ErrSourceClosed, "a file system from before Close")
}

func testConcurrent(t *testing.T, setup Setup) {
	src := open(t, setup)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Go(func() {
			b := Branches()[i%2]
			if i%4 < 2 {
				got, err := src.ReadFile(ctx, b.Owner, b.Repo, b.Branch, "manifest.json")
				if err == nil && string(got) != b.Files["manifest.json"] {
					err = errors.New(b.Branch + ": manifest.json: " + string(got))
				}
				errs <- err
				return
			}
			fsys, err := src.Tree(ctx, b.Owner, b.Repo, b.Branch)
			if err == nil {
				var got []byte
				got, err = fs.ReadFile(fsys, "src/app/Dockerfile")
				if err == nil && string(got) != b.Files["src/app/Dockerfile"] {
					err = errors.New(b.Branch + ": Dockerfile: " + string(got))
				}
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
}
