package watch_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/watch"
)

func TestJournal(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "journal")
	j, err := watch.OpenJournal(dir)
	require.NoError(t, err)
	e1 := push("docker.io", "library/alpine", "3.20", alpineV1)
	e2 := push("docker.io", "library/debian", "bookworm", debianV1)

	created, err := j.Append([]string{e1.Key()}, []watch.Event{e1})
	require.NoError(t, err)
	assert.Equal(t, []bool{true}, created)
	created, err = j.Append([]string{e1.Key(), e2.Key(), e2.Key()}, []watch.Event{e1, e2, e2})
	require.NoError(t, err)
	assert.Equal(t, []bool{false, true, false}, created, "a recorded key, or one repeated, is not written again")
	assert.Equal(t, 2, j.Len())
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	assert.Len(t, files, 2, "one file per append")
	info, err := os.Stat(files[0])
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	// A crash between writing a temporary file and renaming it leaves the temporary file.
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".abc.json.tmp-123"), []byte("{"), 0o600))
	// A file that is not a journal entry is set aside.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "0000.json"), []byte(`{"key": "x"}`), 0o600))

	reopened, err := watch.OpenJournal(dir)
	require.Error(t, err, "the stray file is reported")
	assert.Contains(t, err.Error(), "0000.json")
	require.NotNil(t, reopened)
	keys, events := reopened.Pending()
	assert.Equal(t, []string{e1.Key(), e2.Key()}, keys, "oldest first")
	assert.Equal(t, []watch.Event{e1, e2}, events)
	assert.NoFileExists(t, filepath.Join(dir, ".abc.json.tmp-123"))
	assert.FileExists(t, filepath.Join(dir, "0000.json.corrupt"))

	require.NoError(t, reopened.Remove(e1.Key()))
	require.NoError(t, reopened.Remove(e1.Key()), "removing twice is fine")
	again, err := watch.OpenJournal(dir)
	require.NoError(t, err)
	keys, _ = again.Pending()
	assert.Equal(t, []string{e2.Key()}, keys)
}

func TestJournalInMemory(t *testing.T) {
	t.Parallel()
	j, err := watch.OpenJournal("")
	require.NoError(t, err)
	e := push("docker.io", "library/alpine", "3.20", alpineV1)
	created, err := j.Append([]string{e.Key()}, []watch.Event{e})
	require.NoError(t, err)
	assert.Equal(t, []bool{true}, created)
	assert.Equal(t, 1, j.Len())
	assert.Empty(t, j.Dir())
	require.NoError(t, j.Remove(e.Key()))
	assert.Equal(t, 0, j.Len())
}

func TestJournalUnwritable(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err := watch.OpenJournal(filepath.Join(file, "journal"))
	assert.Error(t, err, "a journal under a file cannot be created")
}

// TestJournalBatchFile: the events of one Append share a file, which stays until every one
// of them is removed; reopened before that, the journal replays them all (a handled event is
// checked again, never lost).
func TestJournalBatchFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	j, err := watch.OpenJournal(dir)
	require.NoError(t, err)
	e1 := push("docker.io", "library/alpine", "3.20", alpineV1)
	e2 := push("docker.io", "library/alpine", "3.20", alpineV2)
	e3 := push("docker.io", "library/debian", "bookworm", debianV1)
	created, err := j.Append([]string{e1.Key(), e2.Key(), e3.Key()}, []watch.Event{e1, e2, e3})
	require.NoError(t, err)
	assert.Equal(t, []bool{true, true, true}, created)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 1, "one write for the three")
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	assert.Equal(t, 3, strings.Count(string(data), "\n"), "one line per event")

	require.NoError(t, j.Remove(e1.Key()))
	require.NoError(t, j.Remove(e2.Key()))
	assert.FileExists(t, files[0], "e3 is still pending")
	reopened, err := watch.OpenJournal(dir)
	require.NoError(t, err)
	keys, events := reopened.Pending()
	assert.Equal(t, []string{e1.Key(), e2.Key(), e3.Key()}, keys, "in the order of the body")
	assert.Equal(t, []watch.Event{e1, e2, e3}, events)

	require.NoError(t, j.Remove(e3.Key()))
	assert.NoFileExists(t, files[0])
}
