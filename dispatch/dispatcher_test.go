package dispatch_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/dispatchtest"
	"github.com/baseflow/baseflow/subscription"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// history builds runs newest first from results ("F" failed, "S" succeeded, "C" canceled,
// "P" partially succeeded), each an hour older than the previous one.
func history(results string) []dispatch.Run {
	codes := map[rune]dispatch.RunResult{'F': dispatch.RunFailed, 'S': dispatch.RunSucceeded,
		'C': dispatch.RunCanceled, 'P': dispatch.RunPartiallySucceeded}
	var runs []dispatch.Run
	for i, c := range results {
		id := int64(100 - i)
		runs = append(runs, dispatch.Run{ID: id, Status: dispatch.RunCompleted, Result: codes[c],
			WebURL: "https://ci.example/runs/" + string(rune('0'+id%10)), QueuedAt: t0.Add(-time.Duration(i) * time.Hour)})
	}
	return runs
}

func newRecorder() *dispatchtest.Recorder {
	return &dispatchtest.Recorder{Now: func() time.Time { return t0 }}
}

func TestDispatcherGuards(t *testing.T) {
	t.Parallel()
	inProgress := dispatch.Run{ID: 7, Status: dispatch.RunInProgress, WebURL: "https://ci.example/runs/7"}
	notStarted := dispatch.Run{ID: 8, Status: dispatch.RunQueued, WebURL: "https://ci.example/runs/8"}
	tests := []struct {
		name        string
		limit       int
		active      []dispatch.Run
		history     []dispatch.Run
		want        dispatch.Outcome
		wantRuns    []int64
		wantRecents bool // whether RecentRuns was called
	}{
		{name: "no history", want: dispatch.Queued, wantRecents: true},
		{name: "in progress", active: []dispatch.Run{inProgress}, want: dispatch.SkippedActive, wantRuns: []int64{7}},
		{name: "not started", active: []dispatch.Run{notStarted}, want: dispatch.SkippedActive, wantRuns: []int64{8}},
		{name: "both", active: []dispatch.Run{notStarted, inProgress}, want: dispatch.SkippedActive, wantRuns: []int64{8, 7}},
		{name: "exactly N failures", history: history("FFF"), want: dispatch.BreakerTripped, wantRuns: []int64{100, 99, 98}, wantRecents: true},
		{name: "N failures then success", history: history("FFFS"), want: dispatch.BreakerTripped, wantRuns: []int64{100, 99, 98}, wantRecents: true},
		{name: "N-1 failures", history: history("FF"), want: dispatch.Queued, wantRecents: true},
		{name: "N-1 failures then success", history: history("FFS"), want: dispatch.Queued, wantRecents: true},
		{name: "success newer than failures", history: history("SFFF"), want: dispatch.Queued, wantRecents: true},
		{name: "canceled is not failed", history: history("FCF"), want: dispatch.Queued, wantRecents: true},
		{name: "partially succeeded is not failed", history: history("FFP"), want: dispatch.Queued, wantRecents: true},
		{name: "limit 2", limit: 2, history: history("FFS"), want: dispatch.BreakerTripped, wantRuns: []int64{100, 99}, wantRecents: true},
		{name: "limit 5", limit: 5, history: history("FFFF"), want: dispatch.Queued, wantRecents: true},
		{name: "breaker disabled", limit: -1, history: history("FFFFF"), want: dispatch.Queued},
		{name: "active beats breaker", active: []dispatch.Run{inProgress}, history: history("FFF"), want: dispatch.SkippedActive, wantRuns: []int64{7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			subs := loadSubs(t)
			rec := newRecorder()
			target := dispatch.TargetOf(subs[0])
			rec.Pipeline(target).SetActive(tt.active...).SetHistory(tt.history...)
			d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: rec}, FailureLimit: tt.limit}

			results, err := d.Dispatch(context.Background(), subs, []subscription.ImagePaths{paths(mainID, "src/a", "src/b")})
			require.NoError(t, err)
			require.Len(t, results, 3)
			r := results[0]
			assert.Equal(t, mainID, r.SubscriptionID)
			assert.Equal(t, tt.want, r.Outcome, "err: %v", r.Err)
			var ids []int64
			for _, run := range r.Runs {
				ids = append(ids, run.ID)
			}
			assert.Equal(t, tt.wantRuns, ids)

			ops := map[dispatchtest.Op]int{}
			for _, c := range rec.Calls() {
				assert.Equal(t, "azure-devops definition 373", c.Pipeline)
				ops[c.Op]++
			}
			assert.Equal(t, 1, ops[dispatchtest.OpActiveRuns])
			assert.Equal(t, tt.wantRecents, ops[dispatchtest.OpRecentRuns] == 1)
			if tt.want == dispatch.Queued {
				require.Len(t, rec.Queued(), 1)
				q := rec.Queued()[0]
				assert.Equal(t, "main", q.Branch)
				assert.Equal(t, `{"imageBuilder.pathArgs": "--path 'src/a' --path 'src/b'"}`, q.Parameters)
				assert.Equal(t, q.Run, r.Run)
				assert.Equal(t, q.Parameters, r.Parameters)
			} else {
				assert.Empty(t, rec.Queued())
				assert.Zero(t, ops[dispatchtest.OpQueue])
			}
		})
	}
}

// TestDispatcherBreakerSortsByQueueTime checks that the breaker judges the newest runs by
// their queue time, whatever order the backend lists them in: each case's answer is the
// opposite of what the backend's order alone would give.
func TestDispatcherBreakerSortsByQueueTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		order    []int // positions in history("SFFF") (newest first) as the backend lists them
		want     dispatch.Outcome
		wantRuns []int64
	}{
		// Oldest first: the first three listed are S, F, F, but the newest three all failed.
		{name: "oldest first, newest three failed", order: []int{3, 2, 1, 0}, want: dispatch.BreakerTripped, wantRuns: []int64{100, 99, 98}},
		// The success is the newest run but listed last, after three failures.
		{name: "newest success listed last", order: []int{1, 2, 3, 0}, want: dispatch.Queued},
		// Shuffled, the newest three failed.
		{name: "shuffled", order: []int{2, 3, 0, 1}, want: dispatch.BreakerTripped, wantRuns: []int64{100, 99, 98}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := history("FFFS") // newest first: 100 F, 99 F, 98 F, 97 S
			if tt.want == dispatch.Queued {
				h = history("SFFF") // 100 S, 99 F, 98 F, 97 F
			}
			listed := make([]dispatch.Run, len(tt.order))
			for i, k := range tt.order {
				listed[i] = h[k]
			}
			subs := loadSubs(t)
			// A backend that lists more runs than asked for, in its own order.
			open := dispatch.OpenerFunc(func(dispatch.Target) (dispatch.Pipeline, error) { return listedPipeline(listed), nil })
			d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: open}, FailureLimit: 3}
			results, err := d.Dispatch(context.Background(), subs, []subscription.ImagePaths{paths(mainID, "src/a")})
			require.NoError(t, err)
			assert.Equal(t, tt.want, results[0].Outcome)
			var ids []int64
			for _, r := range results[0].Runs {
				ids = append(ids, r.ID)
			}
			assert.Equal(t, tt.wantRuns, ids, "the tripping runs, newest first")
		})
	}
	t.Run("exactly the limit, oldest first", func(t *testing.T) {
		t.Parallel()
		h := history("FFF")
		listed := listedPipeline{h[2], h[1], h[0]}
		open := dispatch.OpenerFunc(func(dispatch.Target) (dispatch.Pipeline, error) { return listed, nil })
		d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: open}, FailureLimit: 3}
		results, err := d.Dispatch(context.Background(), loadSubs(t), []subscription.ImagePaths{paths(mainID, "src/a")})
		require.NoError(t, err)
		require.Equal(t, dispatch.BreakerTripped, results[0].Outcome)
		assert.Equal(t, []dispatch.Run{h[0], h[1], h[2]}, results[0].Runs, "reported newest first")
	})
}

// listedPipeline answers RecentRuns with its runs as they are, whatever n, has no active run,
// and refuses to queue.
type listedPipeline []dispatch.Run

func (p listedPipeline) ActiveRuns(context.Context) ([]dispatch.Run, error) { return nil, nil }
func (p listedPipeline) RecentRuns(context.Context, int) ([]dispatch.Run, error) {
	return slices.Clone(p), nil
}
func (p listedPipeline) Queue(context.Context, dispatch.QueueRequest) (dispatch.Run, error) {
	return dispatch.Run{ID: 1, Status: dispatch.RunQueued}, nil
}

func TestDispatcherMergesInputsAcrossSubscriptions(t *testing.T) {
	t.Parallel()
	subs := loadSubs(t)
	rec := newRecorder()
	d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: rec, subscription.GitHubActions: rec}, Concurrency: 2}

	results, err := d.Dispatch(context.Background(), subs,
		[]subscription.ImagePaths{paths(octoID, "alpine/3.20"), paths(nightlyID, "src/n1")},
		[]subscription.ImagePaths{paths(mainID, "src/m1", "src/m2"), paths(octoID, "debian/bookworm", "alpine/3.20")},
		[]subscription.ImagePaths{paths(mainID, "src/m2", "src/m3")},
	)
	require.NoError(t, err)
	require.Len(t, results, 3)
	var order []string
	byPipeline := map[string]dispatchtest.Queued{}
	for _, r := range results {
		order = append(order, r.SubscriptionID)
		assert.Equal(t, dispatch.Queued, r.Outcome, "%s: %v", r.SubscriptionID, r.Err)
	}
	for _, q := range rec.Queued() {
		byPipeline[q.Pipeline] = q
	}
	assert.Equal(t, []string{octoID, nightlyID, mainID}, order, "first-appearance order")
	assert.Equal(t, []string{"src/m1", "src/m2", "src/m3"}, results[2].Paths)
	require.Len(t, byPipeline, 3)
	assert.Equal(t, `{"paths": "--path 'alpine/3.20' --path 'debian/bookworm'"}`, byPipeline["github-actions octo/images workflow build.yml"].Parameters)
	assert.Equal(t, "main", byPipeline["github-actions octo/images workflow build.yml"].Branch)
	assert.Equal(t, "nightly", byPipeline["azure-devops definition 359"].Branch)
	assert.Equal(t, "--path 'src/m1' --path 'src/m2' --path 'src/m3'", byPipeline["azure-devops definition 373"].Value)
}

func TestDispatcherNeverQueuesTwice(t *testing.T) {
	t.Parallel()
	subs := loadSubs(t)
	rec := newRecorder()
	d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: rec}}
	in := []subscription.ImagePaths{paths(mainID, "src/a")}
	first, err := d.Dispatch(context.Background(), subs, in)
	require.NoError(t, err)
	second, err := d.Dispatch(context.Background(), subs, in)
	require.NoError(t, err)
	assert.Equal(t, dispatch.Queued, first[0].Outcome)
	assert.Equal(t, dispatch.SkippedActive, second[0].Outcome)
	assert.Equal(t, []dispatch.Run{first[0].Run}, second[0].Runs)
	assert.Len(t, rec.Queued(), 1)
}

func TestDispatcherNoPathsNoCalls(t *testing.T) {
	t.Parallel()
	subs := loadSubs(t)
	rec := newRecorder()
	var logs bytes.Buffer
	d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: rec, subscription.GitHubActions: rec}, Notifier: rec,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	for _, inputs := range [][][]subscription.ImagePaths{
		nil,
		{{}},
		{{paths(mainID)}, {paths(octoID)}},
	} {
		results, err := d.Dispatch(context.Background(), subs, inputs...)
		require.NoError(t, err)
		require.Len(t, results, 3)
		for _, r := range results {
			assert.Equal(t, dispatch.NothingToDo, r.Outcome)
		}
	}
	assert.Empty(t, rec.Calls())
	assert.Empty(t, rec.Notifications())
	assert.Contains(t, logs.String(), "no stale paths were handed over; nothing to queue")
}

func TestDispatcherDryRunMakesNoCalls(t *testing.T) {
	t.Parallel()
	subs := loadSubs(t)
	rec := newRecorder()
	d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: rec, subscription.GitHubActions: rec}, Notifier: rec, DryRun: true}
	results, err := d.Dispatch(context.Background(), subs, []subscription.ImagePaths{
		paths(mainID, "src/a", "src/b"), paths(octoID, "alpine/3.20"),
	})
	require.NoError(t, err)
	assert.Empty(t, rec.Calls())
	assert.Empty(t, rec.Notifications())
	require.Len(t, results, 3)
	assert.Equal(t, dispatch.DryRun, results[0].Outcome)
	assert.Equal(t, `{"imageBuilder.pathArgs": "--path 'src/a' --path 'src/b'"}`, results[0].Parameters)
	assert.Equal(t, "azure-devops definition 373", results[0].Target.String())
	assert.Equal(t, "main", results[0].Target.Branch)
	assert.Equal(t, dispatch.DryRun, results[1].Outcome)
	assert.Equal(t, `{"paths": "--path 'alpine/3.20'"}`, results[1].Parameters)
	assert.Equal(t, dispatch.NothingToDo, results[2].Outcome)

	// A dry run needs no backend at all.
	results, err = (&dispatch.Dispatcher{DryRun: true}).Dispatch(context.Background(), subs, []subscription.ImagePaths{paths(mainID, "src/a")})
	require.NoError(t, err)
	assert.Equal(t, dispatch.DryRun, results[0].Outcome)
}

func TestDispatcherRefusesBadInputBeforeAnyCall(t *testing.T) {
	t.Parallel()
	subs := loadSubs(t)
	rec := newRecorder()
	d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: rec, subscription.GitHubActions: rec}}
	for _, in := range [][]subscription.ImagePaths{
		{paths(mainID, "src/a"), paths("nobody/nothing/main/manifest.json", "src/a")},
		{paths(mainID, "src/a"), paths(octoID, "alpine/3.20' --push 'x")},
		{paths(mainID, "src/a\nsrc/b")},
		{paths(mainID, "src/\x01")},
		{paths(mainID, "/abs")},
		{paths(mainID, "src/../../x")},
	} {
		results, err := d.Dispatch(context.Background(), subs, in)
		require.Error(t, err)
		assert.Nil(t, results)
	}
	assert.Empty(t, rec.Calls())
}

func TestDispatcherFailures(t *testing.T) {
	t.Parallel()
	subs := loadSubs(t)
	boom := errors.New("boom")
	tests := []struct {
		name    string
		op      dispatchtest.Op
		wantErr string
	}{
		{"open", dispatchtest.OpOpen, "azure-devops definition 373: boom"},
		{"active", dispatchtest.OpActiveRuns, "azure-devops definition 373: list active runs: boom"},
		{"recent", dispatchtest.OpRecentRuns, "azure-devops definition 373: list recent runs: boom"},
		{"queue", dispatchtest.OpQueue, "azure-devops definition 373: queue: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder()
			rec.Pipeline(dispatch.TargetOf(subs[0])).Fail(tt.op, boom)
			d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: rec, subscription.GitHubActions: rec}}
			results, err := d.Dispatch(context.Background(), subs, []subscription.ImagePaths{
				paths(mainID, "src/a"), paths(octoID, "alpine"),
			})
			require.NoError(t, err)
			assert.Equal(t, dispatch.Failed, results[0].Outcome)
			require.ErrorIs(t, results[0].Err, boom)
			assert.EqualError(t, results[0].Err, tt.wantErr)
			// One subscription failing does not stop the others.
			assert.Equal(t, dispatch.Queued, results[1].Outcome)
		})
	}
}

func TestDispatcherMissingBackend(t *testing.T) {
	t.Parallel()
	subs := loadSubs(t)
	rec := newRecorder()
	d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: rec}}
	results, err := d.Dispatch(context.Background(), subs, []subscription.ImagePaths{paths(octoID, "alpine")})
	require.NoError(t, err)
	assert.Equal(t, dispatch.Failed, results[0].Outcome)
	assert.EqualError(t, results[0].Err, "github-actions octo/images workflow build.yml: no github-actions backend is configured")
	assert.Empty(t, rec.Calls())
}

func TestDispatcherNotifies(t *testing.T) {
	t.Parallel()
	subs := loadSubs(t)
	rec := newRecorder()
	rec.Pipeline(dispatch.TargetOf(subs[1])).SetActive(dispatch.Run{ID: 5, Status: dispatch.RunInProgress})
	rec.Pipeline(dispatch.TargetOf(subs[2])).SetHistory(history("FFF")...)
	d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: rec, subscription.GitHubActions: rec}, Notifier: rec}
	jobs, err := dispatch.Plan(subs, []subscription.ImagePaths{
		paths(mainID, "src/a"), paths(nightlyID, "src/n"), paths(octoID, "alpine"),
	})
	require.NoError(t, err)
	jobs[0].Reasons = map[string]string{"src/a": "base moved"}
	d.DispatchJobs(context.Background(), jobs)
	notes := rec.Notifications()
	require.Len(t, notes, 3)
	got := map[string]string{}
	for _, n := range notes {
		got[n.Result.SubscriptionID] = n.Title()
	}
	assert.Equal(t, map[string]string{
		mainID:    "AutoBuilder - Queued - " + mainID,
		nightlyID: "AutoBuilder - Skipped - " + nightlyID,
		octoID:    "AutoBuilder - Failed - " + octoID,
	}, got)
	for _, n := range notes {
		if n.Result.SubscriptionID == mainID {
			assert.Equal(t, map[string]string{"src/a": "base moved"}, n.Reasons)
		}
	}
}

type failingNotifier struct{}

func (failingNotifier) Notify(context.Context, dispatch.Notification) error {
	return errors.New("issues are disabled")
}

func TestDispatcherNotifyError(t *testing.T) {
	t.Parallel()
	subs := loadSubs(t)
	rec := newRecorder()
	d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: rec}, Notifier: failingNotifier{}}
	results, err := d.Dispatch(context.Background(), subs, []subscription.ImagePaths{paths(mainID, "src/a")})
	require.NoError(t, err)
	assert.Equal(t, dispatch.Queued, results[0].Outcome, "the queued run is still reported")
	assert.EqualError(t, results[0].NotifyErr, "notify Queued: issues are disabled")
}

func TestDispatcherCanceled(t *testing.T) {
	t.Parallel()
	subs := loadSubs(t)
	rec := newRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	results, err := (&dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: rec}}).Dispatch(ctx, subs, []subscription.ImagePaths{paths(mainID, "src/a")})
	require.NoError(t, err)
	assert.Equal(t, dispatch.Failed, results[0].Outcome)
	assert.ErrorIs(t, results[0].Err, context.Canceled)
	assert.Empty(t, rec.Queued())
}
