package watch

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestJournalGroupCommit: Appends that arrive while a file is being written wait for it, and
// the next writer writes all of them in one file (one fsync), each getting its own answer.
func TestJournalGroupCommit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	j, err := OpenJournal(dir)
	require.NoError(t, err)

	const n = 8
	j.writing.Lock() // a write in progress
	var wg sync.WaitGroup
	created := make([][]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := Event{Action: "push", Host: "docker.io", Repository: "library/alpine", Tag: fmt.Sprint(i),
				Digest: fmt.Sprintf("sha256:%064d", i)}
			created[i], errs[i] = j.Append([]string{e.Key()}, []Event{e})
		}()
	}
	require.Eventually(t, func() bool {
		j.mu.Lock()
		defer j.mu.Unlock()
		return len(j.queue) == n
	}, 5*time.Second, time.Millisecond, "every Append waits in the queue")
	j.writing.Unlock()
	wg.Wait()

	for i := range n {
		require.NoError(t, errs[i])
		assert.Equal(t, []bool{true}, created[i])
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	assert.Len(t, files, 1, "the queued Appends share one write")
	assert.Equal(t, n, j.Len())
}
