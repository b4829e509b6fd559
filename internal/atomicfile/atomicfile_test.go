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
