package diskcache_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/diskcache"
)

func key(i int) string { return fmt.Sprintf("%064x", i+1) }

func entryFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	}))
	return files
}

func TestSaveLoadAcrossOpens(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "cache")
	c, err := diskcache.Open(dir)
	require.NoError(t, err)
	c.Save(key(1), []byte("one"))
	c.Save(key(2), nil)
	c.Save("../escape", []byte("x"))
	c.Save("ABC", []byte("x"))
	require.NoError(t, c.Close())

	c, err = diskcache.Open(dir)
	require.NoError(t, err)
	v, ok := c.Load(key(1))
	require.True(t, ok)
	assert.Equal(t, "one", string(v))
	v, ok = c.Load(key(2))
	require.True(t, ok)
	assert.Empty(t, v)
	_, ok = c.Load(key(3))
	assert.False(t, ok)
	assert.Len(t, entryFiles(t, dir), 2, "keys that are not lower-case hex are not kept")
	info, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), info.Mode().Perm())
}

func TestCorruptEntriesAreMisses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c, err := diskcache.Open(dir)
	require.NoError(t, err)
	value := []byte(strings.Repeat("payload ", 100))
	corruptions := map[string]func([]byte) []byte{
		"truncated":   func(b []byte) []byte { return b[:len(b)-10] },
		"bit flip":    func(b []byte) []byte { b[len(b)-5] ^= 1; return b },
		"empty":       func([]byte) []byte { return nil },
		"other magic": func(b []byte) []byte { return bytes.Replace(b, []byte("cache 1"), []byte("cache 9"), 1) },
		"header only": func(b []byte) []byte { return b[:20] },
	}
	i := 0
	for name, corrupt := range corruptions {
		i++
		c.Save(key(i), value)
		files := entryFiles(t, dir)
		var p string
		for _, f := range files {
			if filepath.Base(f) == key(i) {
				p = f
			}
		}
		require.NotEmpty(t, p, name)
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(p, corrupt(data), 0o600))
		_, ok := c.Load(key(i))
		assert.False(t, ok, name)
		_, err = os.Stat(p)
		assert.ErrorIs(t, err, os.ErrNotExist, "%s: the corrupt entry is removed", name)
	}
}

func TestConcurrentRunsShareTheDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var wg sync.WaitGroup
	// Two "runs" (Cache values on one directory) writing and reading the same keys at once.
	for run := range 2 {
		c, err := diskcache.Open(dir)
		require.NoError(t, err)
		for g := range 4 {
			wg.Go(func() {
				for i := range 50 {
					want := []byte(strings.Repeat(key(i), 20))
					c.Save(key(i), want)
					if got, ok := c.Load(key((i + g + run) % 50)); ok {
						assert.Equal(t, strings.Repeat(key((i+g+run)%50), 20), string(got))
					}
				}
			})
		}
	}
	wg.Wait()
	c, err := diskcache.Open(dir)
	require.NoError(t, err)
	for i := range 50 {
		got, ok := c.Load(key(i))
		require.True(t, ok, i)
		assert.Equal(t, strings.Repeat(key(i), 20), string(got))
	}
	for _, f := range entryFiles(t, dir) {
		assert.False(t, strings.HasPrefix(filepath.Base(f), ".tmp-"), "no temporary file left: %s", f)
	}
}

func TestTrimKeepsRecentEntries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c, err := diskcache.Open(dir, diskcache.WithMaxSize(1<<30))
	require.NoError(t, err)
	value := bytes.Repeat([]byte("x"), 1000)
	old := time.Now().Add(-48 * time.Hour)
	for i := range 10 {
		c.Save(key(i), value)
	}
	// Entries 0-4 are old; entry 0 was just read (a hit refreshes an old entry).
	for _, f := range entryFiles(t, dir) {
		for i := range 5 {
			if filepath.Base(f) == key(i) {
				require.NoError(t, os.Chtimes(f, old, old))
			}
		}
	}
	_, ok := c.Load(key(0))
	require.True(t, ok)
	stale := filepath.Join(dir, "aa", ".tmp-123")
	require.NoError(t, os.MkdirAll(filepath.Dir(stale), 0o700))
	require.NoError(t, os.WriteFile(stale, value, 0o600))
	require.NoError(t, os.Chtimes(stale, old, old))

	// About 1,100 bytes an entry: a 7,000-byte bound keeps 6.
	c, err = diskcache.Open(dir, diskcache.WithMaxSize(7000))
	require.NoError(t, err)
	var kept []int
	for i := range 10 {
		if _, ok := c.Load(key(i)); ok {
			kept = append(kept, i)
		}
	}
	assert.Equal(t, []int{0, 5, 6, 7, 8, 9}, kept)
	_, err = os.Stat(stale)
	assert.ErrorIs(t, err, os.ErrNotExist, "an old temporary file is removed")
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	_, err := diskcache.Open("")
	assert.Error(t, err)
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err = diskcache.Open(filepath.Join(file, "sub"))
	assert.ErrorContains(t, err, "diskcache: ")
}

// TestTrimLeavesOtherFilesAlone: files that are not entries are never removed, however old
// or large, nor counted against the bound.
func TestTrimLeavesOtherFilesAlone(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := time.Now().Add(-48 * time.Hour)
	value := bytes.Repeat([]byte("x"), 1000)
	var foreign []string
	for _, name := range []string{"notes.txt", "ab/readme", "src/ab/" + key(99), "ab/cd/" + key(98), "ab/" + key(97), "abc/abc123"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
		require.NoError(t, os.WriteFile(p, value, 0o600))
		require.NoError(t, os.Chtimes(p, old, old))
		foreign = append(foreign, p)
	}
	c, err := diskcache.Open(dir, diskcache.WithMaxSize(1<<30))
	require.NoError(t, err)
	for i := range 3 {
		c.Save(key(i), value)
	}
	// Three entries of about 1,100 bytes fit in 4,000 bytes; the other files are not counted.
	c, err = diskcache.Open(dir, diskcache.WithMaxSize(4000))
	require.NoError(t, err)
	for i := range 3 {
		_, ok := c.Load(key(i))
		assert.True(t, ok, "entry %d", i)
	}
	for _, p := range foreign {
		_, err := os.Stat(p)
		assert.NoError(t, err, "%s was removed", p)
	}
}

// TestLongRunStaysBounded: a run that saves without reopening trims as it goes.
func TestLongRunStaysBounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const maxSize = 4000
	c, err := diskcache.Open(dir, diskcache.WithMaxSize(maxSize))
	require.NoError(t, err)
	value := bytes.Repeat([]byte("x"), 1000)
	for i := range 30 {
		c.Save(key(i), value)
	}
	var total int64
	for _, f := range entryFiles(t, dir) {
		st, err := os.Stat(f)
		require.NoError(t, err)
		total += st.Size()
	}
	// Trimmed each time half the bound was written since: at most 1.5 bounds and an entry.
	assert.LessOrEqual(t, total, int64(maxSize+maxSize/2+1100))
	_, ok := c.Load(key(29))
	assert.True(t, ok, "the latest entry is kept")
}

func TestEntriesOverTheLimitAreNotKept(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c, err := diskcache.Open(dir)
	require.NoError(t, err)
	c.Save(key(0), make([]byte, diskcache.MaxEntrySize+1))
	c.Save(key(1), make([]byte, diskcache.MaxEntrySize))
	_, ok := c.Load(key(0))
	assert.False(t, ok)
	v, ok := c.Load(key(1))
	assert.True(t, ok)
	assert.Len(t, v, diskcache.MaxEntrySize)
	assert.Len(t, entryFiles(t, dir), 1)
}
