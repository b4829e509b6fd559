package dispatchtest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/baseflow/baseflow/dispatch"
)

// Op names a call made to the Recorder.
type Op string

// Operations, as recorded in Calls and failed with Pipeline.Fail.
const (
	OpOpen       Op = "Open"
	OpActiveRuns Op = "ActiveRuns"
	OpRecentRuns Op = "RecentRuns"
	OpQueue      Op = "Queue"
)

// Call is one recorded call.
type Call struct {
	Pipeline string // dispatch.Target.String() of the pipeline
	Op       Op
}

// Queued is one recorded queue call.
type Queued struct {
	Pipeline   string // dispatch.Target.String(), e.g. "azure-devops definition 373"
	Target     dispatch.Target
	Branch     string
	Variable   string
	Value      string // the --path string
	Parameters string // the exact parameter string, see dispatch.Parameters
	Run        dispatch.Run
}

// Recorder is an in-memory dispatch.Opener and dispatch.Notifier. The zero Recorder is ready
// to use and safe for concurrent use.
type Recorder struct {
	mu            sync.Mutex
	pipelines     map[string]*Pipeline
	queued        []Queued
	calls         []Call
	notifications []dispatch.Notification
	nextID        int64
	// Now stamps queued runs; nil means time.Now.
	Now func() time.Time
}

var (
	_ dispatch.Opener   = (*Recorder)(nil)
	_ dispatch.Notifier = (*Recorder)(nil)
)

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// Pipeline returns the in-memory pipeline for t (pipelines are keyed by t.String(), so the
// branch and variable do not matter), creating it empty if needed.
func (r *Recorder) Pipeline(t dispatch.Target) *Pipeline {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pipelineLocked(t)
}

func (r *Recorder) pipelineLocked(t dispatch.Target) *Pipeline {
	if r.pipelines == nil {
		r.pipelines = map[string]*Pipeline{}
	}
	name := t.String()
	p, ok := r.pipelines[name]
	if !ok {
		p = &Pipeline{r: r, name: name, errs: map[Op]error{}}
		r.pipelines[name] = p
	}
	return p
}

// Open returns the pipeline for t; see Pipeline.
func (r *Recorder) Open(t dispatch.Target) (dispatch.Pipeline, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.pipelineLocked(t)
	r.calls = append(r.calls, Call{Pipeline: p.name, Op: OpOpen})
	if err := p.errs[OpOpen]; err != nil {
		return nil, err
	}
	return &pipeline{p: p, target: t}, nil
}

// Notify records n.
func (r *Recorder) Notify(_ context.Context, n dispatch.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notifications = append(r.notifications, n)
	return nil
}

// Queued returns the queue calls that succeeded, in the order they were made.
func (r *Recorder) Queued() []Queued {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.queued)
}

// Calls returns every call made, in order (Dispatchers run subscriptions concurrently, so
// calls of different pipelines interleave).
func (r *Recorder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// Notifications returns the notifications received, in order.
func (r *Recorder) Notifications() []dispatch.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.notifications)
}

// Pipeline is one in-memory pipeline: its active runs, its history and injected errors.
type Pipeline struct {
	r       *Recorder
	name    string
	active  []dispatch.Run
	history []dispatch.Run // newest first
	errs    map[Op]error
}

// SetActive sets the pipeline's active runs.
func (p *Pipeline) SetActive(runs ...dispatch.Run) *Pipeline {
	p.r.mu.Lock()
	defer p.r.mu.Unlock()
	p.active = slices.Clone(runs)
	return p
}

// SetHistory sets the pipeline's runs, newest first, as RecentRuns returns them.
func (p *Pipeline) SetHistory(runs ...dispatch.Run) *Pipeline {
	p.r.mu.Lock()
	defer p.r.mu.Unlock()
	p.history = slices.Clone(runs)
	return p
}

// Fail makes every later op call on the pipeline return err (nil clears it).
func (p *Pipeline) Fail(op Op, err error) *Pipeline {
	p.r.mu.Lock()
	defer p.r.mu.Unlock()
	p.errs[op] = err
	return p
}

// pipeline is what Open hands out: the shared state plus the target it was opened for.
type pipeline struct {
	p      *Pipeline
	target dispatch.Target
}

func (q *pipeline) record(op Op) error {
	q.p.r.calls = append(q.p.r.calls, Call{Pipeline: q.p.name, Op: op})
	return q.p.errs[op]
}

func (q *pipeline) ActiveRuns(ctx context.Context) ([]dispatch.Run, error) {
	r := q.p.r
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := q.record(OpActiveRuns); err != nil {
		return nil, err
	}
	return slices.Clone(q.p.active), ctx.Err()
}

func (q *pipeline) RecentRuns(ctx context.Context, n int) ([]dispatch.Run, error) {
	r := q.p.r
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := q.record(OpRecentRuns); err != nil {
		return nil, err
	}
	h := q.p.history
	return slices.Clone(h[:min(n, len(h))]), ctx.Err()
}

func (q *pipeline) Queue(ctx context.Context, req dispatch.QueueRequest) (dispatch.Run, error) {
	r := q.p.r
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := q.record(OpQueue); err != nil {
		return dispatch.Run{}, err
	}
	if err := ctx.Err(); err != nil {
		return dispatch.Run{}, err
	}
	r.nextID++
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	run := dispatch.Run{
		ID:       r.nextID,
		Status:   dispatch.RunQueued,
		WebURL:   fmt.Sprintf("https://ci.invalid/runs/%d", r.nextID),
		QueuedAt: now(),
	}
	q.p.active = append(q.p.active, run)
	q.p.history = append([]dispatch.Run{run}, q.p.history...)
	r.queued = append(r.queued, Queued{
		Pipeline:   q.p.name,
		Target:     q.target,
		Branch:     req.Branch,
		Variable:   req.Variable,
		Value:      req.Value,
		Parameters: req.Parameters(),
		Run:        run,
	})
	return run, nil
}
