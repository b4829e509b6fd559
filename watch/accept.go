package watch

import (
	"errors"
	"fmt"
	"time"

	"github.com/baseflow/baseflow/registry"
)

// seenKey is a handled event key, its tag and when it was handled.
type seenKey struct {
	key string
	tag string
	at  time.Time
}

// pendingEvent is an accepted event and the subscriptions that still have to check it.
type pendingEvent struct {
	key  string
	ev   Event
	subs map[string]bool
}

// EventError reports an event that claims a tag push but names no image: a tag, repository
// or host that is not a valid reference ("tag": "x y"). A webhook body holding one is refused
// whole (400), and nothing of it is taken in.
type EventError struct {
	// Index is the event's position in the body, from 0.
	Index int
	Event Event
	Err   error
}

func (e *EventError) Error() string {
	return fmt.Sprintf("event %d (%s): names no valid image: %v", e.Index+1, e.Event.String(), e.Err)
}

func (e *EventError) Unwrap() error { return e.Err }

// Accept takes one event in; see AcceptAll.
func (w *Watcher) Accept(e Event) (EventKind, error) {
	kinds, err := w.AcceptAll([]Event{e})
	if err != nil {
		return "", err
	}
	return kinds[0], nil
}

// AcceptAll takes the events of one webhook body in and returns the kind of each:
//
//   - KindIgnored for an event that is not a tag push (a pull, a delete, a push by digest);
//   - KindDuplicate for a redelivery: an event whose Key is that of the latest push of its
//     tag, pending or handled within DedupWindow. A push of a digest the tag had before
//     (A → B → A) is not a redelivery, and is checked again;
//   - KindAccepted for a tag push taken in. Once the index is built, a push that matches no
//     subscription is counted in Stats.Unmatched and needs no journal; the others are
//     written to the journal together, in one write, and checked Debounce later.
//
// A tag push that names no valid image makes an *EventError; a journal that cannot record
// the events, its error. In both cases nothing of the body is taken in.
func (w *Watcher) AcceptAll(events []Event) ([]EventKind, error) {
	kinds := make([]EventKind, len(events))
	tags := make([]string, len(events))
	for i, e := range events {
		if !e.IsTagPush() {
			kinds[i] = KindIgnored
			continue
		}
		r, err := e.Ref()
		if err != nil {
			var re *registry.Error
			if errors.As(err, &re) && re.Err != nil {
				err = re.Err // the reference grammar's words, without the "registry: parse" prefix
			}
			return nil, &EventError{Index: i, Event: e, Err: err}
		}
		tags[i] = r.Name() + ":" + r.Tag
	}

	// Decide what each push needs, then journal, then apply: nothing changes before the
	// journal has recorded what it must.
	type intakeItem struct {
		i       int
		key     string
		journal bool
	}
	var items []intakeItem
	var keys []string
	var toJournal []Event
	w.mu.Lock()
	inBody := map[string]bool{}
	for i, e := range events {
		if kinds[i] != "" {
			continue
		}
		key := e.Key()
		if inBody[key] || w.isDuplicate(tags[i], key) {
			kinds[i] = KindDuplicate
			continue
		}
		inBody[key] = true
		kinds[i] = KindAccepted
		it := intakeItem{i: i, key: key}
		it.journal = w.events[key] == nil && (!w.indexReady || len(w.Match(e)) > 0)
		if it.journal {
			keys = append(keys, key)
			toJournal = append(toJournal, e)
		}
		items = append(items, it)
	}
	w.mu.Unlock()

	created := make([]bool, len(keys))
	if len(keys) > 0 {
		var err error
		if created, err = w.journal.Append(keys, toJournal); err != nil {
			return nil, err
		}
	}

	w.mu.Lock()
	n := 0
	for _, it := range items {
		e := events[it.i]
		if it.journal {
			ok := created[n]
			n++
			if !ok { // recorded by a concurrent delivery of the same event
				kinds[it.i] = KindDuplicate
				continue
			}
		}
		w.latest[tags[it.i]] = it.key
		switch pe := w.events[it.key]; {
		case it.journal:
			w.intakeLocked(it.key, e)
		case pe != nil:
			// The same digest again after another one, while its first push is still
			// pending: its subscriptions are checked again, after any check running now.
			w.reroute(pe)
		default:
			w.stats.add(func(c *counters) { c.unmatched++ })
			w.log.Debug("push matches no subscription's final-stage base", "event", e.String(), "format", e.Format)
			w.remember(it.key, tags[it.i])
		}
	}
	w.mu.Unlock()
	for i, e := range events {
		w.stats.event(e.Format, kinds[i])
	}
	return kinds, nil
}

// isDuplicate reports whether a push of tag with key is a redelivery: the latest push taken
// in for the tag has the same key, and is pending or was handled within the dedup window.
// w.mu is held.
func (w *Watcher) isDuplicate(tag, key string) bool {
	return w.latest[tag] == key && (w.events[key] != nil || w.remembered(key))
}

// intake routes a journaled event, or keeps it until the index is built.
func (w *Watcher) intake(key string, e Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if r, err := e.Ref(); err == nil {
		w.latest[r.Name()+":"+r.Tag] = key
	}
	w.intakeLocked(key, e)
}

// intakeLocked is intake with w.mu held.
func (w *Watcher) intakeLocked(key string, e Event) {
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
	w.reroute(pe)
}

// reroute marks a pending event pending again for the subscriptions it concerns and
// schedules their checks; a check running now keeps it for its follow-up. w.mu is held.
func (w *Watcher) reroute(pe *pendingEvent) {
	if !w.indexReady {
		return // routed when the index is built
	}
	for _, id := range w.Match(pe.ev) {
		pe.subs[id] = true
		st := w.sub(id)
		st.pending[pe.key] = true
		w.schedule(id, st, w.cfg.Debounce)
	}
}

// finish forgets a handled event: out of the journal, remembered as seen. w.mu is held.
func (w *Watcher) finish(pe *pendingEvent) {
	delete(w.events, pe.key)
	tag := ""
	if r, err := pe.ev.Ref(); err == nil {
		tag = r.Name() + ":" + r.Tag
	}
	w.remember(pe.key, tag)
	if err := w.journal.Remove(pe.key); err != nil {
		w.log.Error("journal: could not remove a handled event; it will be checked again after a restart", "event", pe.ev.String(), "err", err)
	}
}

// remember records a handled key for deduplication, forgetting keys older than the dedup
// window or beyond the bound. w.mu is held.
func (w *Watcher) remember(key, tag string) {
	now := time.Now()
	w.seen[key] = now
	w.seenOrder = append(w.seenOrder, seenKey{key: key, tag: tag, at: now})
	for len(w.seenOrder) > 0 {
		oldest := w.seenOrder[0]
		if len(w.seenOrder) <= maxRemembered && now.Sub(oldest.at) < w.cfg.DedupWindow {
			break
		}
		if w.seen[oldest.key].Equal(oldest.at) { // not remembered again since
			delete(w.seen, oldest.key)
			if w.latest[oldest.tag] == oldest.key && w.events[oldest.key] == nil {
				delete(w.latest, oldest.tag)
			}
		}
		w.seenOrder = w.seenOrder[1:]
	}
}

// remembered reports whether key was handled within the dedup window. w.mu is held.
func (w *Watcher) remembered(key string) bool {
	t, ok := w.seen[key]
	return ok && time.Since(t) < w.cfg.DedupWindow
}
