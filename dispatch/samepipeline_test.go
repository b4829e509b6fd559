package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/dispatchtest"
	"github.com/baseflow/baseflow/subscription"
)

// samePipelineSubscriptions: two manifests of one repository queue the same Azure DevOps
// definition on the same branch (as dotnet-docker's manifest.json and manifest.samples.json),
// and a third subscription queues another definition.
const samePipelineSubscriptions = `[
  {"manifest": {"owner": "dotnet", "repo": "dotnet-docker", "branch": "main", "path": "manifest.json"},
   "imageInfo": {"owner": "dotnet", "repo": "versions", "branch": "main", "path": "image-info.main.json"},
   "pipelineTrigger": {"id": 373, "pathVariable": "imageBuilder.pathArgs"}},
  {"manifest": {"owner": "dotnet", "repo": "dotnet-docker", "branch": "main", "path": "manifest.samples.json"},
   "imageInfo": {"owner": "dotnet", "repo": "versions", "branch": "main", "path": "image-info.samples.json"},
   "pipelineTrigger": {"id": 373, "pathVariable": "imageBuilder.pathArgs"}},
  {"manifest": {"owner": "dotnet", "repo": "dotnet-docker", "branch": "nightly", "path": "manifest.json"},
   "imageInfo": {"owner": "dotnet", "repo": "versions", "branch": "main", "path": "image-info.nightly.json"},
   "pipelineTrigger": {"id": 359, "pathVariable": "imageBuilder.pathArgs"}}
]`

// timedOpener hands out the Recorder's pipelines with a delay before each call: a slow or a
// quick backend. With visibleAfter, a run it queued is only listed as active that long after
// the Queue call returned, as a backend that takes a while to show a new build.
type timedOpener struct {
	rec          *dispatchtest.Recorder
	hidden       *hiddenRuns
	listDelay    time.Duration
	queueDelay   time.Duration
	visibleAfter time.Duration
}

func (o timedOpener) Open(t dispatch.Target) (dispatch.Pipeline, error) {
	p, err := o.rec.Open(t)
	return &timedPipeline{Pipeline: p, o: o}, err
}

type timedPipeline struct {
	dispatch.Pipeline
	o timedOpener
}

// hiddenRuns are the runs not listed yet, by id: until when.
type hiddenRuns struct {
	mu    sync.Mutex
	until map[int64]time.Time
}

func (p *timedPipeline) ActiveRuns(ctx context.Context) ([]dispatch.Run, error) {
	time.Sleep(p.o.listDelay)
	runs, err := p.Pipeline.ActiveRuns(ctx)
	var out []dispatch.Run
	for _, r := range runs {
		if !p.isHidden(r.ID) {
			out = append(out, r)
		}
	}
	return out, err
}

func (p *timedPipeline) isHidden(id int64) bool {
	h := p.o.hidden
	h.mu.Lock()
	defer h.mu.Unlock()
	return time.Now().Before(h.until[id])
}

func (p *timedPipeline) RecentRuns(ctx context.Context, n int) ([]dispatch.Run, error) {
	time.Sleep(p.o.listDelay)
	return p.Pipeline.RecentRuns(ctx, n)
}

func (p *timedPipeline) Queue(ctx context.Context, req dispatch.QueueRequest) (dispatch.Run, error) {
	time.Sleep(p.o.queueDelay)
	run, err := p.Pipeline.Queue(ctx, req)
	if p.o.visibleAfter > 0 {
		h := p.o.hidden
		h.mu.Lock()
		h.until[run.ID] = time.Now().Add(p.o.visibleAfter)
		h.mu.Unlock()
	}
	return run, err
}

// TestTwoSubscriptionsOnOnePipeline checks that two subscriptions on one pipeline and branch
// are both queued in one run, whatever the backend's timing and the concurrency: the second
// one's guard must not count the run the first one just queued. A run that was active before
// the check still skips both.
func TestTwoSubscriptionsOnOnePipeline(t *testing.T) {
	t.Parallel()
	backends := []struct {
		name string
		o    timedOpener
	}{
		{name: "quick backend", o: timedOpener{}},
		{name: "slow listings", o: timedOpener{listDelay: 30 * time.Millisecond}},
		{name: "slow queue", o: timedOpener{queueDelay: 30 * time.Millisecond}},
		{name: "new runs listed late", o: timedOpener{queueDelay: 5 * time.Millisecond, visibleAfter: 50 * time.Millisecond}},
	}
	for _, b := range backends {
		for _, concurrency := range []int{1, 8} {
			t.Run(fmt.Sprintf("%s/concurrency %d", b.name, concurrency), func(t *testing.T) {
				t.Parallel()
				subs, err := subscription.Parse("subscriptions.json", []byte(samePipelineSubscriptions))
				require.NoError(t, err)
				rec := newRecorder()
				o := b.o
				o.rec, o.hidden = rec, &hiddenRuns{until: map[int64]time.Time{}}
				d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: o}, Concurrency: concurrency}
				results, err := d.Dispatch(context.Background(), subs, []subscription.ImagePaths{
					paths(subs[0].ID(), "src/runtime/8.0"), paths(subs[1].ID(), "samples/app"), paths(subs[2].ID(), "src/n"),
				})
				require.NoError(t, err)
				require.Len(t, results, 3)
				for _, r := range results {
					assert.Equal(t, dispatch.Queued, r.Outcome, "%s: %v", r.SubscriptionID, r.Err)
				}
				var values []string
				for _, q := range rec.Queued() {
					if q.Pipeline == "azure-devops definition 373" {
						values = append(values, q.Value)
					}
				}
				assert.Equal(t, []string{"--path 'src/runtime/8.0'", "--path 'samples/app'"}, values, "both queued, in subscription order")
				calls := map[dispatchtest.Op]int{}
				for _, c := range rec.Calls() {
					if c.Pipeline == "azure-devops definition 373" {
						calls[c.Op]++
					}
				}
				assert.Equal(t, map[dispatchtest.Op]int{dispatchtest.OpOpen: 2, dispatchtest.OpActiveRuns: 1, dispatchtest.OpRecentRuns: 1, dispatchtest.OpQueue: 2}, calls,
					"the guards are asked once per pipeline, before anything is queued on it")
			})
		}
	}
	t.Run("a run active before the check skips both", func(t *testing.T) {
		t.Parallel()
		subs, err := subscription.Parse("subscriptions.json", []byte(samePipelineSubscriptions))
		require.NoError(t, err)
		rec := newRecorder()
		running := dispatch.Run{ID: 41, Status: dispatch.RunInProgress, WebURL: "https://ci.example/runs/41"}
		rec.Pipeline(dispatch.TargetOf(subs[0])).SetActive(running)
		d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: rec}}
		results, err := d.Dispatch(context.Background(), subs, []subscription.ImagePaths{paths(subs[0].ID(), "a"), paths(subs[1].ID(), "b")})
		require.NoError(t, err)
		assert.Equal(t, dispatch.SkippedActive, results[0].Outcome)
		assert.Equal(t, dispatch.SkippedActive, results[1].Outcome)
		assert.Equal(t, []dispatch.Run{running}, results[1].Runs)
		assert.Empty(t, rec.Queued())
	})
	t.Run("a failed listing is asked again for the next subscription", func(t *testing.T) {
		t.Parallel()
		subs, err := subscription.Parse("subscriptions.json", []byte(samePipelineSubscriptions))
		require.NoError(t, err)
		rec := newRecorder()
		failing := &failOnce{Opener: rec}
		d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: failing}}
		results, err := d.Dispatch(context.Background(), subs, []subscription.ImagePaths{paths(subs[0].ID(), "a"), paths(subs[1].ID(), "b")})
		require.NoError(t, err)
		assert.Equal(t, dispatch.Failed, results[0].Outcome)
		assert.ErrorContains(t, results[0].Err, "list active runs: backend hiccup")
		assert.Equal(t, dispatch.Queued, results[1].Outcome, "%v", results[1].Err)
	})
}

var errBackend = errors.New("backend hiccup")

// failOnce fails the first ActiveRuns call of the pipelines it opens.
type failOnce struct {
	dispatch.Opener
	failed bool
}

func (f *failOnce) Open(t dispatch.Target) (dispatch.Pipeline, error) {
	p, err := f.Opener.Open(t)
	return &failOncePipeline{Pipeline: p, f: f}, err
}

type failOncePipeline struct {
	dispatch.Pipeline
	f *failOnce
}

func (p *failOncePipeline) ActiveRuns(ctx context.Context) ([]dispatch.Run, error) {
	if !p.f.failed {
		p.f.failed = true
		return nil, errBackend
	}
	return p.Pipeline.ActiveRuns(ctx)
}
