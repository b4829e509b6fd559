package watch

import (
	"maps"
	"slices"
	"time"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/subscription"
)

// subState is the scheduling state of one subscription.
type subState struct {
	pending  map[string]bool // keys of events waiting for a check
	timer    *time.Timer     // the debounce or retry timer, when one is set
	running  bool
	due      bool // the timer fired, or a full check came, while a check was running
	failures int  // checks failed in a row
	// busySince is when a check of this subscription with events found its pipeline
	// running a build, zero when the last one did not.
	busySince time.Time
}

func (w *Watcher) sub(id string) *subState {
	st := w.state[id]
	if st == nil {
		st = &subState{pending: map[string]bool{}}
		w.state[id] = st
	}
	return st
}

// schedule sets the subscription's timer unless one is set or a follow-up is already due.
// w.mu is held.
func (w *Watcher) schedule(id string, st *subState, delay time.Duration) {
	if w.closing || st.timer != nil || st.due {
		return
	}
	st.timer = time.AfterFunc(delay, func() { w.fire(id) })
}

// fire starts the check of a subscription whose timer went off, or marks it due when a check
// of it is running.
func (w *Watcher) fire(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	st := w.sub(id)
	st.timer = nil
	if w.closing {
		return
	}
	if st.running {
		st.due = true
		return
	}
	if len(st.pending) > 0 {
		w.start(TriggerEvent, []string{id})
	}
}

// fullCheck starts a check of every subscription not being checked already; those are
// checked again when their check ends.
func (w *Watcher) fullCheck() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closing {
		return
	}
	if w.fullRunning {
		w.log.Warn("the previous full check is still running; skipping this one")
		return
	}
	var ids []string
	for _, id := range w.order {
		if st := w.sub(id); st.running {
			st.due = true
		} else {
			ids = append(ids, id)
		}
	}
	if len(ids) > 0 {
		w.fullRunning = true
		w.start(TriggerFull, ids)
	}
}

// start marks the subscriptions running and checks them in the background. w.mu is held.
func (w *Watcher) start(trigger Trigger, ids []string) {
	for _, id := range ids {
		w.sub(id).running = true
	}
	w.runs.Add(1)
	go w.run(trigger, ids)
}

// run checks subscriptions and settles their pending events.
func (w *Watcher) run(trigger Trigger, ids []string) {
	defer w.runs.Done()
	select {
	case w.sem <- struct{}{}:
	case <-w.runCtx.Done():
		w.mu.Lock()
		for _, id := range ids {
			w.sub(id).running = false
		}
		if trigger == TriggerFull {
			w.fullRunning = false
		}
		w.mu.Unlock()
		return
	}

	// Everything pending for these subscriptions now is handled by this check.
	w.mu.Lock()
	taken := make(map[string][]string, len(ids))
	var events []Event
	inRun := map[string]bool{}
	for _, id := range ids {
		st := w.sub(id)
		keys := slices.Sorted(maps.Keys(st.pending))
		taken[id] = keys
		clear(st.pending)
		if st.timer != nil {
			st.timer.Stop()
			st.timer = nil
		}
		st.due = false
		for _, k := range keys {
			if pe := w.events[k]; pe != nil && !inRun[k] {
				inRun[k] = true
				events = append(events, pe.ev)
			}
		}
	}
	w.mu.Unlock()

	subs := make([]subscription.Subscription, len(ids))
	for i, id := range ids {
		subs[i] = w.subs[id]
	}
	start := time.Now()
	out, err := w.check(w.runCtx, trigger, subs, events)
	<-w.sem
	r := Run{Trigger: trigger, Subscriptions: ids, Events: events, Outcome: out, Err: err, Duration: time.Since(start)}
	ok := w.settle(trigger, ids, out, err)
	busy := map[string]bool{}
	if out != nil {
		for _, q := range out.Queued {
			if q.Outcome == dispatch.SkippedActive && ok[q.SubscriptionID] && len(taken[q.SubscriptionID]) > 0 {
				busy[q.SubscriptionID] = true
			}
		}
	}
	for _, id := range ids {
		if !ok[id] {
			r.Failed = append(r.Failed, id)
		}
		if busy[id] {
			r.Waiting = append(r.Waiting, id)
		}
	}
	w.record(r)
	if w.cfg.OnRun != nil {
		w.cfg.OnRun(r)
	}

	w.mu.Lock()
	if trigger == TriggerFull {
		w.fullRunning = false
	}
	for _, id := range ids {
		st := w.sub(id)
		st.running = false
		waiting := busy[id] && w.waitForActiveRun(id, st)
		if !busy[id] {
			st.busySince = time.Time{}
		}
		switch {
		case waiting:
			// The pipeline's active run started before these events: keep them.
			st.failures = 0
			for _, k := range taken[id] {
				if w.events[k] != nil {
					st.pending[k] = true
				}
			}
		case ok[id]:
			st.failures = 0
			for _, k := range taken[id] {
				if !st.pending[k] { // pending again: pushed again during the check
					w.done(k, id)
				}
			}
		default:
			st.failures++
			for _, k := range taken[id] {
				if w.events[k] != nil {
					st.pending[k] = true
				}
			}
			if st.failures >= w.cfg.MaxAttempts && len(st.pending) > 0 {
				w.log.Error("giving up on the events of a subscription whose checks keep failing; the next full check covers it",
					"subscription", id, "failures", st.failures, "events", len(st.pending))
				for k := range st.pending {
					w.done(k, id)
				}
				clear(st.pending)
				st.failures = 0
			}
		}
		switch {
		case w.closing:
		case st.due:
			st.due = false
			w.start(TriggerEvent, []string{id})
		case len(st.pending) > 0 && waiting:
			w.schedule(id, st, w.cfg.ActiveRunRetry)
		case len(st.pending) > 0 && !ok[id]:
			w.schedule(id, st, w.cfg.RetryDelay)
		case len(st.pending) > 0:
			w.schedule(id, st, w.cfg.Debounce)
		}
	}
	w.mu.Unlock()
}

// waitForActiveRun reports whether a subscription whose pipeline had a run active keeps
// waiting for it, or has waited ActiveRunMaxWait and gives its events up. w.mu is held.
func (w *Watcher) waitForActiveRun(id string, st *subState) bool {
	if st.busySince.IsZero() {
		st.busySince = time.Now()
	}
	if time.Since(st.busySince) < w.cfg.ActiveRunMaxWait {
		w.log.Info("a run of the pipeline is active and started before these events; checking again when it may have ended",
			"subscription", id, "retry", w.cfg.ActiveRunRetry)
		return true
	}
	w.log.Warn("the pipeline's runs stayed active too long; the next full check covers these events",
		"subscription", id, "waited", time.Since(st.busySince).Round(time.Second))
	st.busySince = time.Time{}
	return false
}

// done records that subscription id checked event key, finishing the event when it was the
// last. w.mu is held.
func (w *Watcher) done(key, id string) {
	pe := w.events[key]
	if pe == nil {
		return
	}
	delete(pe.subs, id)
	if len(pe.subs) == 0 {
		w.finish(pe)
	}
}
