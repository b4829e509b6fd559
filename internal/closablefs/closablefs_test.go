package closablefs_test

import (
	"errors"
	"io/fs"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/internal/closablefs"
)

func TestClosable(t *testing.T) {
	t.Parallel()
	errClosed := errors.New("closed")
	var closed atomic.Bool
	fsys := closablefs.FS{
		Base:   fstest.MapFS{"a/b.txt": {Data: []byte("b")}, "l": {Data: []byte("a/b.txt"), Mode: fs.ModeSymlink}},
		Closed: closed.Load,
		Err:    errClosed,
	}
	require.NoError(t, fstest.TestFS(fsys, "a/b.txt", "l"))
	target, err := fs.ReadLink(fsys, "l")
	require.NoError(t, err)
	assert.Equal(t, "a/b.txt", target)

	closed.Store(true)
	_, err = fsys.Open("a/b.txt")
	assert.ErrorIs(t, err, errClosed)
	_, err = fs.ReadFile(fsys, "a/b.txt")
	assert.ErrorIs(t, err, errClosed)
	_, err = fs.Stat(fsys, "a")
	assert.ErrorIs(t, err, errClosed)
	_, err = fs.ReadDir(fsys, "a")
	assert.ErrorIs(t, err, errClosed)
	_, err = fs.ReadLink(fsys, "l")
	assert.ErrorIs(t, err, errClosed)
	_, err = fs.Lstat(fsys, "l")
	var pe *fs.PathError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "lstat", pe.Op)
	assert.Equal(t, "l", pe.Path)
}
