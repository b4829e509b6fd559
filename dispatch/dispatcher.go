package dispatch

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/baseflow/baseflow/subscription"
)

// DefaultConcurrency is how many subscriptions a Dispatcher handles at once by default.
const DefaultConcurrency = 8

// Dispatcher queues rebuilds for subscriptions, with guards. The zero Dispatcher has no
// backend: every subscription with paths fails unless DryRun is set.
type Dispatcher struct {
	// Backends opens the pipelines of each backend kind (see
	// subscription.PipelineTrigger.Backend). A subscription whose kind has no Opener fails
	// with an error saying the backend is not configured.
	Backends Backends

	// FailureLimit is how many newest runs must all have failed for the breaker to trip.
	// Zero means DefaultFailureLimit; a negative value disables the breaker.
	FailureLimit int

	// DryRun reports what would be queued and makes no call at all: no backend is opened and
	// no notification is sent.
	DryRun bool

	// Notifier, when set, is told the outcome of every subscription that had paths.
	Notifier Notifier

	// Concurrency bounds how many pipelines are handled at once; zero means
	// DefaultConcurrency. Subscriptions on one pipeline are handled one after the other.
	Concurrency int

	// Logger receives progress and outcomes; nil discards them.
	Logger *slog.Logger
}

// Dispatch plans the inputs against subs (see [Plan]) and runs the plan. It returns an error,
// and queues nothing, when the inputs are invalid; otherwise every subscription's outcome,
// including failures, is in its Result.
func (d *Dispatcher) Dispatch(ctx context.Context, subs []subscription.Subscription, inputs ...[]subscription.ImagePaths) ([]Result, error) {
	jobs, err := Plan(subs, inputs...)
	if err != nil {
		return nil, err
	}
	return d.DispatchJobs(ctx, jobs), nil
}

// DispatchJobs handles the jobs and returns their results in the jobs' order. Jobs on
// different pipelines run concurrently; jobs on one pipeline (the same [Target.String], on any
// branch) run in job order, and the guards are applied once for them, before the first is
// queued: every one of them is queued, skipped or stopped by the breaker alike, and none is
// skipped because of a run another job of the same call queued. This holds within one call;
// two processes dispatching at once can both queue (see docs/ci.md for the CI-side lock).
func (d *Dispatcher) DispatchJobs(ctx context.Context, jobs []Job) []Result {
	log := d.logger()
	results := make([]Result, len(jobs))
	pending := 0
	for _, j := range jobs {
		if len(j.Paths) > 0 {
			pending++
		}
	}
	if pending == 0 {
		// Not "up to date": a subscription whose check failed also hands over no paths.
		log.Info("no stale paths were handed over; nothing to queue")
	}
	limit := d.Concurrency
	if limit <= 0 {
		limit = DefaultConcurrency
	}
	// Jobs on one pipeline run one after the other, in job order, under one guard decision
	// (see pipelineGuard); pipelines run concurrently.
	var groups [][]int
	byPipeline := map[string]int{}
	for i, j := range jobs {
		if len(j.Paths) == 0 {
			results[i] = newResult(j)
			results[i].Outcome = NothingToDo
			log.Debug("no stale paths", "subscription", j.Subscription.ID())
			continue
		}
		key := j.Target.String()
		g, ok := byPipeline[key]
		if !ok {
			g = len(groups)
			byPipeline[key] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for _, group := range groups {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			var guard pipelineGuard
			for _, i := range group {
				results[i] = d.handle(ctx, jobs[i], &guard, log)
			}
		})
	}
	wg.Wait()
	return results
}

// pipelineGuard is the guards' decision for one pipeline in one DispatchJobs call, made
// before the first run is queued on it and kept for the other subscriptions on the same
// pipeline. A second subscription must not see the run the first one just queued as an
// active run (or, later, as a failure); ImageBuilder queues both. The decision is redone
// only when it could not be made (a listing failed), which is still before anything was
// queued on the pipeline.
type pipelineGuard struct {
	decided bool
	outcome Outcome // Queued when the guards let runs through
	runs    []Run
}

func newResult(j Job) Result {
	return Result{
		SubscriptionID: j.Subscription.ID(),
		Target:         j.Target,
		Paths:          j.Paths,
		Parameters:     j.Parameters(),
	}
}

func (d *Dispatcher) handle(ctx context.Context, j Job, guard *pipelineGuard, log *slog.Logger) Result {
	res := newResult(j)
	log = log.With("subscription", res.SubscriptionID, "pipeline", j.Target.String(), "branch", j.Target.Branch)
	if d.DryRun {
		res.Outcome = DryRun
		// The caller prints the result; the exact parameters, which can run to thousands of
		// characters, are logged once, at debug level.
		log.Info("dry run: would queue", "paths", len(j.Paths))
		log.Debug("dry run: parameters", "parameters", res.Parameters)
		return res
	}
	d.queue(ctx, j, guard, &res, log)
	if d.Notifier != nil {
		n := Notification{
			Subscription: j.Subscription,
			Result:       res,
			Reasons:      j.Reasons,
		}
		if err := d.Notifier.Notify(ctx, n); err != nil {
			res.NotifyErr = fmt.Errorf("notify %s: %w", n.Category(), err)
			log.Error("notification failed", "err", res.NotifyErr)
		}
	}
	return res
}

func (d *Dispatcher) queue(ctx context.Context, j Job, guard *pipelineGuard, res *Result, log *slog.Logger) {
	fail := func(err error) {
		res.Outcome, res.Err = Failed, err
		log.Error("failed", "err", err)
	}
	t := j.Target
	opener := d.Backends[t.Backend]
	if opener == nil {
		fail(fmt.Errorf("%s: no %s backend is configured", t, t.Backend))
		return
	}
	p, err := opener.Open(t)
	if err != nil {
		fail(fmt.Errorf("%s: %w", t, err))
		return
	}

	if !guard.decided {
		if err := d.decide(ctx, t, p, guard); err != nil {
			fail(err)
			return
		}
	}
	switch guard.outcome {
	case SkippedActive:
		res.Outcome, res.Runs = SkippedActive, guard.runs
		log.Warn("not queued: runs are already active", "runs", links(guard.runs))
		return
	case BreakerTripped:
		res.Outcome, res.Runs = BreakerTripped, guard.runs
		log.Error(fmt.Sprintf("not queued: circuit breaker tripped, the last %d runs failed; fix them and queue a build manually", len(guard.runs)),
			"runs", links(guard.runs))
		return
	}

	run, err := p.Queue(ctx, QueueRequest{Branch: t.Branch, Variable: t.Variable, Value: j.Value()})
	if err != nil {
		fail(fmt.Errorf("%s: queue: %w", t, err))
		return
	}
	res.Outcome, res.Run = Queued, run
	log.Info("queued", "run", run.ID, "url", run.WebURL, "paths", len(j.Paths))
}

// decide applies the guards to pipeline p: active runs skip, and the newest runs all failed
// trip the breaker. It records the decision in guard; an error leaves it undecided.
func (d *Dispatcher) decide(ctx context.Context, t Target, p Pipeline, guard *pipelineGuard) error {
	active, err := p.ActiveRuns(ctx)
	if err != nil {
		return fmt.Errorf("%s: list active runs: %w", t, err)
	}
	if len(active) > 0 {
		*guard = pipelineGuard{decided: true, outcome: SkippedActive, runs: active}
		return nil
	}
	if limit := d.failureLimit(); limit > 0 {
		recent, err := p.RecentRuns(ctx, limit)
		if err != nil {
			return fmt.Errorf("%s: list recent runs: %w", t, err)
		}
		if ok, failed := tripped(recent, limit); ok {
			*guard = pipelineGuard{decided: true, outcome: BreakerTripped, runs: failed}
			return nil
		}
	}
	*guard = pipelineGuard{decided: true, outcome: Queued}
	return nil
}

func (d *Dispatcher) failureLimit() int {
	if d.FailureLimit == 0 {
		return DefaultFailureLimit
	}
	return d.FailureLimit
}

func (d *Dispatcher) logger() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

func links(runs []Run) []string {
	out := make([]string, len(runs))
	for i, r := range runs {
		out[i] = r.WebURL
	}
	return out
}
