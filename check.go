package baseflow

import (
	"context"
	"errors"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/subscription"
)

// Config is a whole check: which subscriptions, how to check them, and where to queue.
type Config struct {
	Subscriptions []subscription.Subscription
	// Checker checks subscriptions for stale images (sources, registry, filters).
	Checker *check.Checker
	// Dispatcher queues the rebuilds; nil only checks.
	Dispatcher *dispatch.Dispatcher
}

// Outcome is what a check found and did.
type Outcome struct {
	// Results has one entry per subscription, in the order given.
	Results []*check.SubscriptionResult
	// Jobs are the rebuilds planned from the stale paths, one per subscription.
	Jobs []dispatch.Job
	// Queued has what the dispatcher did for each job; empty without a dispatcher.
	Queued []dispatch.Result
}

// Check runs the whole flow: it checks every subscription for stale images (sources,
// manifests, Dockerfiles, image-info, one registry lookup per distinct base), then queues one
// rebuild per subscription with stale paths through the dispatcher and its guards. A failing
// subscription does not stop the others; the paths it did find stale are still queued, and its
// error is in its result. The error returned is about the plan itself, such as a Dockerfile
// path that is unsafe to pass to a pipeline; nothing is queued then.
func Check(ctx context.Context, cfg Config) (*Outcome, error) {
	if cfg.Checker == nil {
		return nil, errors.New("baseflow: Config.Checker is required")
	}
	out := &Outcome{Results: cfg.Checker.Check(ctx, cfg.Subscriptions)}
	jobs, err := dispatch.Plan(cfg.Subscriptions, out.ImagePaths())
	if err != nil {
		return out, err
	}
	reasons := out.Reasons()
	for i := range jobs {
		jobs[i].Reasons = reasons[jobs[i].Subscription.ID()]
	}
	out.Jobs = jobs
	if cfg.Dispatcher != nil {
		out.Queued = cfg.Dispatcher.DispatchJobs(ctx, jobs)
	}
	return out, nil
}

// ImagePaths returns the stale paths of every checked subscription, in ImageBuilder's shape.
func (o *Outcome) ImagePaths() []subscription.ImagePaths {
	var paths []subscription.ImagePaths
	for _, r := range o.Results {
		if !r.Skipped {
			paths = append(paths, r.ImagePaths())
		}
	}
	return paths
}

// Reasons returns, per subscription id, the one-sentence reason of each stale path, for
// notifications.
func (o *Outcome) Reasons() map[string]map[string]string {
	reasons := map[string]map[string]string{}
	for _, r := range o.Results {
		if m := r.Reasons(); len(m) > 0 {
			reasons[r.Subscription.ID()] = m
		}
	}
	return reasons
}

// Failed reports whether any subscription could not be fully checked or any queueing failed.
func (o *Outcome) Failed() bool {
	for _, r := range o.Results {
		if r.Err != nil {
			return true
		}
	}
	for _, q := range o.Queued {
		if q.Outcome == dispatch.Failed || q.NotifyErr != nil {
			return true
		}
	}
	return false
}
