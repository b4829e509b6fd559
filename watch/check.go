package watch

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/baseflow/baseflow"
	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/subscription"
)

// Run is one check the Watcher made.
type Run struct {
	Trigger Trigger
	// Subscriptions are the ids of the subscriptions checked.
	Subscriptions []string
	// Events are the pending events the check handles (for a full check, those it absorbed).
	Events []Event
	// Outcome is what the check found and queued; nil when the sources could not be opened.
	Outcome *baseflow.Outcome
	// Failed lists the subscriptions whose check or queueing failed; their events are
	// tried again after RetryDelay.
	Failed []string
	// Waiting lists the subscriptions whose rebuild was not queued because their pipeline
	// had a run active; their events are checked again after ActiveRunRetry.
	Waiting []string
	// Err is an error of the run as a whole (opening the sources, an invalid plan).
	Err      error
	Duration time.Duration
}

// check runs the whole flow for subs with fresh sources, after making the lookup cache forget
// what the trigger may have moved (see freshen).
func (w *Watcher) check(ctx context.Context, trigger Trigger, subs []subscription.Subscription, events []Event) (*baseflow.Outcome, error) {
	c, release, err := w.checker()
	if err != nil {
		return nil, err
	}
	defer release()
	if c.Cache != nil {
		w.freshen(c.Cache, trigger, events)
	}
	out, err := baseflow.Check(ctx, baseflow.Config{Subscriptions: subs, Checker: c, Dispatcher: w.cfg.Dispatcher})
	if out != nil {
		for _, r := range out.Results {
			if r.Graph != nil {
				w.index.set(r.Subscription.ID(), w.tagKeys(r.Graph))
			}
		}
	}
	return out, err
}

// freshen makes the lookup cache forget the digests a check must not take from it. A full
// check forgets every digest. An event check forgets only the tags its events pushed
// (registry.Cache.Forget matches a push to a mirror and to the registry it mirrors), so the
// other bases of its subscriptions are answered from the cache; every digest is forgotten
// anyway when the last reset is DigestMaxAge old, which bounds how old a digest a check uses
// can be when an event was missed.
func (w *Watcher) freshen(cache *registry.Cache, trigger Trigger, events []Event) {
	now := time.Now()
	maxAge := w.cfg.DigestMaxAge
	last := w.lastReset.Load()
	if trigger == TriggerFull || last == 0 || now.Sub(time.Unix(0, last)) >= maxAge {
		cache.Reset()
		w.lastReset.Store(now.UnixNano())
		return
	}
	var refs []string
	for _, e := range events {
		if r, err := e.Ref(); err == nil {
			refs = append(refs, r.String())
		}
	}
	cache.Forget(refs...)
}

// checker returns the configured checker reading from fresh sources, and the function that
// closes them.
func (w *Watcher) checker() (*check.Checker, func(), error) {
	if w.cfg.Sources == nil {
		return keepGraphs(w.cfg.Checker.WithSources(w.cfg.Checker.Manifests, w.cfg.Checker.ImageInfo)), func() {}, nil
	}
	m, info, err := w.cfg.Sources()
	if err != nil {
		return nil, nil, fmt.Errorf("open sources: %w", err)
	}
	return keepGraphs(w.cfg.Checker.WithSources(m, info)), func() {
		if err := m.Close(); err != nil {
			w.log.Warn("closing a source failed", "err", err)
		}
		if info != nil && info != m {
			if err := info.Close(); err != nil {
				w.log.Warn("closing a source failed", "err", err)
			}
		}
	}, nil
}

// settle counts what a check did and tells, per subscription, whether it was fully checked
// and its queueing did not fail.
func (w *Watcher) settle(trigger Trigger, ids []string, out *baseflow.Outcome, err error) map[string]bool {
	ok := make(map[string]bool, len(ids))
	if err == nil && out != nil {
		for _, r := range out.Results {
			ok[r.Subscription.ID()] = r.Err == nil
		}
		for _, q := range out.Queued {
			if q.Outcome == dispatch.Failed {
				ok[q.SubscriptionID] = false
			}
		}
	}
	w.stats.add(func(c *counters) {
		c.checks[trigger] += int64(len(ids))
		for _, id := range ids {
			if !ok[id] {
				c.failedChecks[trigger]++
			}
		}
		if out == nil {
			return
		}
		for _, r := range out.Results {
			for _, l := range r.Lookups {
				c.lookups++
				if l.Err != nil {
					c.failedLookups++
				}
			}
		}
		for _, q := range out.Queued {
			if q.Outcome != dispatch.NothingToDo {
				c.builds[q.Outcome]++
			}
		}
		if trigger == TriggerFull && len(ids) == len(w.order) && !slices.Contains(slices.Collect(maps.Values(ok)), false) {
			c.lastFullCheck = time.Now()
		}
	})
	return ok
}

// record logs a finished check.
func (w *Watcher) record(r Run) {
	attrs := []any{"trigger", r.Trigger, "subscriptions", len(r.Subscriptions), "events", len(r.Events), "duration", r.Duration.Round(time.Millisecond)}
	if r.Err != nil {
		w.log.Error("check failed", append(attrs, "err", r.Err)...)
		return
	}
	stale := 0
	for _, res := range r.Outcome.Results {
		stale += len(res.Paths())
		if res.Err != nil {
			w.log.Error("subscription check failed; its events are tried again later", "subscription", res.Subscription.ID(), "err", res.Err)
		}
	}
	w.log.Info("checked", append(attrs, "stale", stale, "failed", len(r.Failed))...)
}

// keepGraphs turns compaction off on c (a copy): the index is refreshed from each result's
// graph.
func keepGraphs(c *check.Checker) *check.Checker {
	c.Compact = false
	return c
}
