package dispatch

import (
	"context"
	"time"

	"github.com/baseflow/baseflow/subscription"
)

// Pipeline is one CI pipeline (an Azure DevOps build definition, a GitHub Actions workflow)
// as the Dispatcher needs it. Implementations must be safe for concurrent use.
type Pipeline interface {
	// Queue starts a run on req.Branch with req.Variable set to req.Value. The returned Run
	// carries the run's web link; its ID is 0 when the backend does not report one.
	Queue(ctx context.Context, req QueueRequest) (Run, error)
	// ActiveRuns lists the runs that are queued, not yet started, or in progress.
	ActiveRuns(ctx context.Context) ([]Run, error)
	// RecentRuns lists up to n of the most recent runs, newest first.
	RecentRuns(ctx context.Context, n int) ([]Run, error)
}

// Opener returns the Pipeline a Target names. Backends implement it; the Dispatcher calls it
// once per subscription that has something to queue.
type Opener interface {
	Open(t Target) (Pipeline, error)
}

// Backends maps a backend kind to the Opener of its pipelines: the table a Dispatcher picks a
// subscription's backend from. A new CI system is a backend subpackage implementing Opener
// and one entry here.
type Backends map[subscription.Backend]Opener

// OpenerFunc adapts a function to the Opener interface.
type OpenerFunc func(t Target) (Pipeline, error)

// Open calls f(t).
func (f OpenerFunc) Open(t Target) (Pipeline, error) { return f(t) }

// QueueRequest is what a run is queued with.
type QueueRequest struct {
	Branch   string // bare branch name, e.g. "main"
	Variable string // name of the pipeline variable or workflow input
	Value    string // its value: the --path string built by PathArgs
}

// Parameters is the exact parameter string for the request; see [Parameters].
func (r QueueRequest) Parameters() string { return Parameters(r.Variable, r.Value) }

// Run is one pipeline run as the guards see it.
type Run struct {
	ID       int64 // 0 when unknown (a GitHub dispatch does not return the run)
	Status   RunStatus
	Result   RunResult // set once Status is RunCompleted
	WebURL   string
	QueuedAt time.Time
}

// Active reports whether the run is queued, not started or in progress.
func (r Run) Active() bool { return r.Status == RunQueued || r.Status == RunInProgress }

// Failed reports whether the run completed and failed.
func (r Run) Failed() bool { return r.Status == RunCompleted && r.Result == RunFailed }

// RunStatus is the lifecycle state of a run.
type RunStatus string

// Run states. Backends map their own vocabularies onto these.
const (
	RunQueued     RunStatus = "queued"     // waiting: not started, postponed, pending, waiting
	RunInProgress RunStatus = "inProgress" // running or cancelling
	RunCompleted  RunStatus = "completed"
)

// RunResult is the outcome of a completed run.
type RunResult string

// Run results. Backends map their own vocabularies onto these; anything else is kept as
// reported by the backend.
const (
	RunSucceeded          RunResult = "succeeded"
	RunPartiallySucceeded RunResult = "partiallySucceeded"
	RunFailed             RunResult = "failed"
	RunCanceled           RunResult = "canceled"
)
