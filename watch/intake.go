package watch

import "time"

// seenKey is a handled event key and when it was handled.
type seenKey struct {
	key string
	at  time.Time
}

// pendingEvent is an accepted event and the subscriptions that still have to check it.
type pendingEvent struct {
	key  string
	ev   Event
	subs map[string]bool
}

// Accept takes an event in: a tag push is recorded in the journal, then checked for the
// subscriptions it concerns once the debounce delay has passed. It returns KindIgnored for
// any other event, KindDuplicate for a redelivery of a pending or recently handled event, and
// an error when the journal could not record the event (which was not taken in then).
func (w *Watcher) Accept(e Event) (EventKind, error) {
	kind, err := w.accept(e)
	if err == nil {
		w.stats.event(e.Format, kind)
	}
	return kind, err
}

func (w *Watcher) accept(e Event) (EventKind, error) {
	if !e.IsTagPush() {
		return KindIgnored, nil
	}
	key := e.Key()
	w.mu.Lock()
	dup := w.events[key] != nil || w.remembered(key)
	w.mu.Unlock()
	if dup {
		return KindDuplicate, nil
	}
	created, err := w.journal.Append(key, e)
	if err != nil {
		return "", err
	}
	if !created {
		return KindDuplicate, nil
	}
	w.intake(key, e)
	return KindAccepted, nil
}

// intake routes a journaled event, or keeps it until the index is built.
func (w *Watcher) intake(key string, e Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.events[key] != nil {
		return
	}
	pe := &pendingEvent{key: key, ev: e, subs: map[string]bool{}}
	w.events[key] = pe
	if !w.indexReady {
		w.early = append(w.early, pe)
		return
	}
	w.route(pe)
}

// route schedules checks of the subscriptions an event concerns. w.mu is held.
func (w *Watcher) route(pe *pendingEvent) {
	ids := w.Match(pe.ev)
	if len(ids) == 0 {
		w.stats.add(func(c *counters) { c.unmatched++ })
		w.log.Debug("push matches no subscription's final-stage base", "event", pe.ev.String(), "format", pe.ev.Format)
		w.finish(pe)
		return
	}
	w.log.Info("push of a base image", "event", pe.ev.String(), "format", pe.ev.Format, "subscriptions", ids)
	for _, id := range ids {
		pe.subs[id] = true
		st := w.sub(id)
		st.pending[pe.key] = true
		w.schedule(id, st, w.cfg.Debounce)
	}
}

// finish forgets a handled event: out of the journal, remembered as seen. w.mu is held.
func (w *Watcher) finish(pe *pendingEvent) {
	delete(w.events, pe.key)
	w.remember(pe.key)
	if err := w.journal.Remove(pe.key); err != nil {
		w.log.Error("journal: could not remove a handled event; it will be checked again after a restart", "event", pe.ev.String(), "err", err)
	}
}

// remember records a handled key for deduplication, forgetting keys older than the dedup
// window or beyond the bound. w.mu is held.
func (w *Watcher) remember(key string) {
	now := time.Now()
	w.seen[key] = now
	w.seenOrder = append(w.seenOrder, seenKey{key, now})
	for len(w.seenOrder) > 0 {
		oldest := w.seenOrder[0]
		if len(w.seenOrder) <= maxRemembered && now.Sub(oldest.at) < w.cfg.DedupWindow {
			break
		}
		if w.seen[oldest.key].Equal(oldest.at) { // not remembered again since
			delete(w.seen, oldest.key)
		}
		w.seenOrder = w.seenOrder[1:]
	}
}

// remembered reports whether key was handled within the dedup window. w.mu is held.
func (w *Watcher) remembered(key string) bool {
	t, ok := w.seen[key]
	return ok && time.Since(t) < w.cfg.DedupWindow
}
