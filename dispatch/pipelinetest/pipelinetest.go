// Package pipelinetest is the conformance suite every [dispatch.Pipeline] passes, in the
// spirit of gocloud's drivertest: Azure DevOps definitions (against azdotest), GitHub Actions
// workflows (against githubtest) and the dispatchtest recorder run the same tests, so that the
// Dispatcher's guards decide the same way whatever the backend.
//
// [Run] asks the backend to hold [Runs] and then checks:
//
//   - ActiveRuns returns exactly the queued and in-progress runs, mapped to RunQueued and
//     RunInProgress, with their queue times;
//   - RecentRuns(n) returns at most n runs, newest first, with completed runs' results mapped
//     to RunSucceeded, RunFailed and RunCanceled; RecentRuns(0) returns none;
//   - Queue sends the branch, variable and value exactly, returns a queued run with a web
//     link, and the new run is active afterwards (so a second dispatch is skipped);
//   - a failing backend call is an error, never an empty answer, and a failed or cancelled
//     Queue queues nothing;
//   - concurrent calls are safe (run the tests with -race).
package pipelinetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch"
)

// Op names a Pipeline method, for Backend.Fail.
type Op string

// The Pipeline methods.
const (
	OpActiveRuns Op = "ActiveRuns"
	OpRecentRuns Op = "RecentRuns"
	OpQueue      Op = "Queue"
)

// Backend is one pipeline under test and the means to look at its server.
type Backend struct {
	// Pipeline is the pipeline under test, queueing on branch "main".
	Pipeline dispatch.Pipeline
	// Queued returns what the server received through Queue, in order.
	Queued func() []dispatch.QueueRequest
	// Fail makes every later call of op fail on the server's side (for an HTTP backend, a
	// 500 answer to every request of the method op sends).
	Fail func(op Op)
}

// Setup returns a new backend whose pipeline holds exactly runs (in any order), all on branch
// "main" and started by a dispatch, so that both ActiveRuns and RecentRuns see them.
type Setup func(t *testing.T, runs []dispatch.Run) Backend

// T0 is the queue time of the oldest run in Runs; every run the backend queues during the
// suite must be newer.
var T0 = time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)

// Runs is the history the suite asks the backend to hold: three completed runs (succeeded,
// failed, canceled), one in progress and one queued, an hour apart, ids 1 to 5 from oldest to
// newest.
func Runs() []dispatch.Run {
	return []dispatch.Run{
		{ID: 1, Status: dispatch.RunCompleted, Result: dispatch.RunSucceeded, QueuedAt: T0},
		{ID: 2, Status: dispatch.RunCompleted, Result: dispatch.RunFailed, QueuedAt: T0.Add(time.Hour)},
		{ID: 3, Status: dispatch.RunCompleted, Result: dispatch.RunCanceled, QueuedAt: T0.Add(2 * time.Hour)},
		{ID: 4, Status: dispatch.RunInProgress, QueuedAt: T0.Add(3 * time.Hour)},
		{ID: 5, Status: dispatch.RunQueued, QueuedAt: T0.Add(4 * time.Hour)},
	}
}

// request is what the suite queues: paths with spaces and quotes, as PathArgs spells them.
var request = dispatch.QueueRequest{
	Branch:   "main",
	Variable: "imageBuilder.pathArgs",
	Value:    dispatch.PathArgs([]string{"src/runtime/8.0/bookworm slim/amd64", "src/it's/Dockerfile"}),
}

// Run runs the suite against the backends setup returns, one per subtest.
func Run(t *testing.T, setup Setup) {
	t.Run("Empty", func(t *testing.T) { testEmpty(t, setup) })
	t.Run("ActiveRuns", func(t *testing.T) { testActiveRuns(t, setup) })
	t.Run("RecentRuns", func(t *testing.T) { testRecentRuns(t, setup) })
	t.Run("Queue", func(t *testing.T) { testQueue(t, setup) })
	t.Run("QueueCanceled", func(t *testing.T) { testQueueCanceled(t, setup) })
	t.Run("Failures", func(t *testing.T) { testFailures(t, setup) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, setup) })
}

// summary is a run without its web link, which backends spell their own way.
type summary struct {
	ID       int64
	Status   dispatch.RunStatus
	Result   dispatch.RunResult
	QueuedAt time.Time
}

func summarize(runs []dispatch.Run) []summary {
	out := make([]summary, 0, len(runs))
	for _, r := range runs {
		out = append(out, summary{ID: r.ID, Status: r.Status, Result: r.Result, QueuedAt: r.QueuedAt.UTC()})
	}
	return out
}

func testEmpty(t *testing.T, setup Setup) {
	b := setup(t, nil)
	active, err := b.Pipeline.ActiveRuns(t.Context())
	require.NoError(t, err)
	assert.Empty(t, active)
	recent, err := b.Pipeline.RecentRuns(t.Context(), 10)
	require.NoError(t, err)
	assert.Empty(t, recent)
}

func testActiveRuns(t *testing.T, setup Setup) {
	b := setup(t, Runs())
	active, err := b.Pipeline.ActiveRuns(t.Context())
	require.NoError(t, err)
	all := Runs()
	assert.ElementsMatch(t, summarize(all[3:]), summarize(active))
	for _, r := range active {
		assert.True(t, r.Active(), "run %d", r.ID)
		assert.NotEmpty(t, r.WebURL, "run %d", r.ID)
	}
}

func testRecentRuns(t *testing.T, setup Setup) {
	b := setup(t, Runs())
	all := Runs()
	newestFirst := []dispatch.Run{all[4], all[3], all[2], all[1], all[0]}

	recent, err := b.Pipeline.RecentRuns(t.Context(), 3)
	require.NoError(t, err)
	assert.Equal(t, summarize(newestFirst[:3]), summarize(recent))

	recent, err = b.Pipeline.RecentRuns(t.Context(), 10)
	require.NoError(t, err)
	assert.Equal(t, summarize(newestFirst), summarize(recent))
	assert.True(t, recent[3].Failed(), "a failed run is Failed")

	recent, err = b.Pipeline.RecentRuns(t.Context(), 0)
	require.NoError(t, err)
	assert.Empty(t, recent)
}

func testQueue(t *testing.T, setup Setup) {
	b := setup(t, Runs())
	run, err := b.Pipeline.Queue(t.Context(), request)
	require.NoError(t, err)
	assert.Equal(t, dispatch.RunQueued, run.Status)
	assert.NotEmpty(t, run.WebURL)
	assert.Equal(t, []dispatch.QueueRequest{request}, b.Queued())

	active, err := b.Pipeline.ActiveRuns(t.Context())
	require.NoError(t, err)
	assert.Len(t, active, 3, "the queued run is active")
	recent, err := b.Pipeline.RecentRuns(t.Context(), 1)
	require.NoError(t, err)
	require.Len(t, recent, 1)
	assert.Equal(t, dispatch.RunQueued, recent[0].Status, "the queued run is the newest")
	assert.True(t, recent[0].QueuedAt.After(T0.Add(4*time.Hour)), "queued at %s", recent[0].QueuedAt)
	if run.ID != 0 {
		assert.Equal(t, run.ID, recent[0].ID)
	}
}

func testQueueCanceled(t *testing.T, setup Setup) {
	b := setup(t, Runs())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := b.Pipeline.Queue(ctx, request)
	require.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, b.Queued())
}

func testFailures(t *testing.T, setup Setup) {
	t.Run("ActiveRuns", func(t *testing.T) {
		b := setup(t, Runs())
		b.Fail(OpActiveRuns)
		runs, err := b.Pipeline.ActiveRuns(t.Context())
		require.Error(t, err)
		assert.Empty(t, runs)
	})
	t.Run("RecentRuns", func(t *testing.T) {
		b := setup(t, Runs())
		b.Fail(OpRecentRuns)
		runs, err := b.Pipeline.RecentRuns(t.Context(), 3)
		require.Error(t, err)
		assert.Empty(t, runs)
	})
	t.Run("Queue", func(t *testing.T) {
		b := setup(t, Runs())
		b.Fail(OpQueue)
		_, err := b.Pipeline.Queue(t.Context(), request)
		require.Error(t, err)
		assert.Empty(t, b.Queued())
	})
}

func testConcurrent(t *testing.T, setup Setup) {
	b := setup(t, Runs())
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if i%2 == 0 {
				runs, err := b.Pipeline.ActiveRuns(context.Background())
				assert.NoError(t, err)
				assert.Len(t, runs, 2)
				return
			}
			runs, err := b.Pipeline.RecentRuns(context.Background(), 2)
			assert.NoError(t, err)
			assert.Len(t, runs, 2)
		})
	}
	wg.Wait()
}
