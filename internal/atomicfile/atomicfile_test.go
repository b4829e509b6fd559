package atomicfile_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/internal/atomicfile"
)

func TestWriteFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "out.json")
	require.NoError(t, atomicfile.WriteFile(p, []byte("one"), 0o600))
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "one", string(got))

	require.NoError(t, atomicfile.WriteFile(p, []byte("two"), 0))
	got, _ = os.ReadFile(p)
	assert.Equal(t, "two", string(got))
	st, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "an existing file keeps its permissions")
	assertNoTemps(t, dir)
}

func TestFailedWriteLeavesDestinationUntouched(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "out.json")
	require.NoError(t, os.WriteFile(p, []byte("previous"), 0o644))
	boom := errors.New("disk full")
	err := atomicfile.Write(p, 0, func(w io.Writer) error {
		_, _ = w.Write([]byte("half"))
		return boom
	})
	require.ErrorIs(t, err, boom)
	got, _ := os.ReadFile(p)
	assert.Equal(t, "previous", string(got))
	assertNoTemps(t, dir)

	err = atomicfile.WriteFile(filepath.Join(dir, "missing", "x"), []byte("x"), 0)
	assert.ErrorIs(t, err, os.ErrNotExist)

	require.NoError(t, os.Mkdir(filepath.Join(dir, "adir"), 0o755))
	err = atomicfile.WriteFile(filepath.Join(dir, "adir"), []byte("x"), 0)
	assert.ErrorContains(t, err, "not a regular file")
}

func assertNoTemps(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.NotContains(t, e.Name(), ".tmp-", "temporary file left behind")
	}
}

// TestWriteThroughSymlink checks that a destination that is a symbolic link (relative,
// absolute, a chain, one into another directory, one that dangles) keeps being a link and the
// file it leads to gets the new content.
func TestWriteThroughSymlink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) (link, target string)
	}{
		{"relative link", func(t *testing.T, dir string) (string, string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "real.json"), []byte("old"), 0o600))
			require.NoError(t, os.Symlink("real.json", filepath.Join(dir, "link.json")))
			return filepath.Join(dir, "link.json"), filepath.Join(dir, "real.json")
		}},
		{"absolute link into another directory", func(t *testing.T, dir string) (string, string) {
			other := t.TempDir()
			target := filepath.Join(other, "real.json")
			require.NoError(t, os.WriteFile(target, []byte("old"), 0o600))
			require.NoError(t, os.Symlink(target, filepath.Join(dir, "link.json")))
			return filepath.Join(dir, "link.json"), target
		}},
		{"chain of links", func(t *testing.T, dir string) (string, string) {
			require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "real.json"), []byte("old"), 0o600))
			require.NoError(t, os.Symlink("sub/real.json", filepath.Join(dir, "middle.json")))
			require.NoError(t, os.Symlink("middle.json", filepath.Join(dir, "link.json")))
			return filepath.Join(dir, "link.json"), filepath.Join(dir, "sub", "real.json")
		}},
		{"dangling link", func(t *testing.T, dir string) (string, string) {
			require.NoError(t, os.Symlink("new.json", filepath.Join(dir, "link.json")))
			return filepath.Join(dir, "link.json"), filepath.Join(dir, "new.json")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			link, target := tt.setup(t, dir)
			require.NoError(t, atomicfile.WriteFile(link, []byte("new"), 0))
			st, err := os.Lstat(link)
			require.NoError(t, err)
			assert.NotZero(t, st.Mode()&os.ModeSymlink, "the link is still a link")
			got, err := os.ReadFile(target)
			require.NoError(t, err)
			assert.Equal(t, "new", string(got), "the link's target has the new content")
			if tt.name != "dangling link" {
				st, err = os.Stat(target)
				require.NoError(t, err)
				assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "the target keeps its permissions")
			}
			assertNoTemps(t, dir)
			assertNoTemps(t, filepath.Dir(target))
		})
	}
	t.Run("link loop", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		require.NoError(t, os.Symlink("b", filepath.Join(dir, "a")))
		require.NoError(t, os.Symlink("a", filepath.Join(dir, "b")))
		err := atomicfile.WriteFile(filepath.Join(dir, "a"), []byte("new"), 0)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "write "+filepath.Join(dir, "a")+": more than 40 symbolic links")
	})
}
