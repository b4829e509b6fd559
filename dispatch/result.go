package dispatch

// Outcome is what the Dispatcher did for one subscription.
type Outcome string

// Outcomes, one per subscription.
const (
	Queued         Outcome = "queued"          // a run was queued; Result.Run is it
	SkippedActive  Outcome = "skipped-active"  // runs are already active; Result.Runs lists them
	BreakerTripped Outcome = "breaker-tripped" // the newest runs all failed; Result.Runs lists them
	NothingToDo    Outcome = "nothing-to-do"   // no stale paths; no call was made
	Failed         Outcome = "failed"          // an error; Result.Err says which
	DryRun         Outcome = "dry-run"         // what would be queued; no call was made
)

// Result is the outcome for one subscription.
type Result struct {
	SubscriptionID string
	Target         Target
	Paths          []string
	Parameters     string // the exact parameter string queued (or, in a dry run, that would be)
	Outcome        Outcome
	Run            Run   // the queued run (Queued)
	Runs           []Run // the active runs (SkippedActive) or the failed runs (BreakerTripped)
	Err            error // why it failed (Failed)
	NotifyErr      error // a notification that could not be sent, whatever the outcome
}
