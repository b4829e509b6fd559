package watch

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/baseflow/baseflow/dispatch"
)

// Trigger says why a check ran.
type Trigger string

// Triggers.
const (
	// TriggerEvent is a check of the subscriptions a push event concerns.
	TriggerEvent Trigger = "event"
	// TriggerFull is the scheduled check of every subscription.
	TriggerFull Trigger = "full"
)

// EventKind classifies the events a Watcher receives.
type EventKind string

// Event kinds.
const (
	// KindAccepted is a tag push, journaled and routed to the subscriptions it concerns.
	KindAccepted EventKind = "accepted"
	// KindDuplicate is a redelivery of a tag push that is pending or was handled.
	KindDuplicate EventKind = "duplicate"
	// KindIgnored is any other event: a pull, a delete, a push by digest, a ping.
	KindIgnored EventKind = "ignored"
)

// Reasons a webhook request is rejected, as counted in Stats.Rejected.
const (
	RejectUnauthorized = "unauthorized" // 401: no or a wrong secret
	RejectTooLarge     = "too-large"    // 413: a body over the limit
	RejectBadRequest   = "bad-request"  // 400: a body in no known format
	RejectUnavailable  = "unavailable"  // 503: the journal could not record the event
	RejectBusy         = "busy"         // 503: every slot for unauthenticated bodies was taken
)

// Stats is a snapshot of what a Watcher did since it started.
type Stats struct {
	// Events counts webhook events by format and kind.
	Events map[Format]map[EventKind]int64
	// Rejected counts refused webhook requests by reason (RejectUnauthorized, ...).
	Rejected map[string]int64
	// Unmatched counts tag pushes that no subscription's final-stage bases name.
	Unmatched int64
	// Checks counts subscription checks by trigger (a full check of ten subscriptions counts
	// ten); FailedChecks counts those that could not be completed.
	Checks, FailedChecks map[Trigger]int64
	// Builds counts what the dispatcher did for subscriptions with stale paths, by outcome.
	Builds map[dispatch.Outcome]int64
	// Lookups counts base digest lookups of the checks; FailedLookups those that failed.
	Lookups, FailedLookups int64
	// LastFullCheck is when the last full check that checked every subscription without an
	// error finished; zero until one has.
	LastFullCheck time.Time
	// Pending is the number of accepted events not handled yet.
	Pending int
	// Indexed is the number of subscriptions in the index of final-stage bases.
	Indexed int
	// Unverified is the number of webhook bodies being read before their signature is
	// checked (at most Config.MaxUnverified).
	Unverified int
}

// counters accumulates the Stats that are counts.
type counters struct {
	mu            sync.Mutex
	events        map[Format]map[EventKind]int64
	rejected      map[string]int64
	unmatched     int64
	checks        map[Trigger]int64
	failedChecks  map[Trigger]int64
	builds        map[dispatch.Outcome]int64
	lookups       int64
	failedLookups int64
	lastFullCheck time.Time
}

func newCounters() *counters {
	c := &counters{
		events:       map[Format]map[EventKind]int64{},
		rejected:     map[string]int64{},
		checks:       map[Trigger]int64{},
		failedChecks: map[Trigger]int64{},
		builds:       map[dispatch.Outcome]int64{},
	}
	for _, f := range Formats {
		c.events[f] = map[EventKind]int64{}
	}
	return c
}

func (c *counters) event(f Format, k EventKind) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.events[f] == nil {
		c.events[f] = map[EventKind]int64{}
	}
	c.events[f][k]++
}

func (c *counters) reject(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rejected[reason]++
}

func (c *counters) add(f func(c *counters)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(c)
}

func (c *counters) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := Stats{
		Events:        map[Format]map[EventKind]int64{},
		Rejected:      maps.Clone(c.rejected),
		Unmatched:     c.unmatched,
		Checks:        maps.Clone(c.checks),
		FailedChecks:  maps.Clone(c.failedChecks),
		Builds:        maps.Clone(c.builds),
		Lookups:       c.lookups,
		FailedLookups: c.failedLookups,
		LastFullCheck: c.lastFullCheck,
	}
	for f, m := range c.events {
		s.Events[f] = maps.Clone(m)
	}
	return s
}

// WritePrometheus writes the stats in the Prometheus text exposition format (version 0.0.4).
// Every counter is written with all its known label values, zero or not, so that rates work
// from the first scrape.
func (s Stats) WritePrometheus(w io.Writer) error {
	var b strings.Builder
	family := func(name, typ, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	sample := func(name string, value int64, labels ...string) {
		b.WriteString(name)
		if len(labels) > 0 {
			b.WriteByte('{')
			for i := 0; i+1 < len(labels); i += 2 {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(labels[i] + `="` + escapeLabel(labels[i+1]) + `"`)
			}
			b.WriteByte('}')
		}
		b.WriteString(" " + strconv.FormatInt(value, 10) + "\n")
	}

	family("baseflow_watch_events_received_total", "counter", "Webhook events received, by payload format and kind (accepted tag push, duplicate delivery, ignored).")
	formats := union(Formats, slices.Collect(maps.Keys(s.Events)))
	for _, f := range formats {
		for _, k := range []EventKind{KindAccepted, KindDuplicate, KindIgnored} {
			sample("baseflow_watch_events_received_total", s.Events[f][k], "format", string(f), "kind", string(k))
		}
	}
	family("baseflow_watch_requests_rejected_total", "counter", "Webhook requests refused, by reason.")
	for _, r := range union([]string{RejectUnauthorized, RejectTooLarge, RejectBadRequest, RejectUnavailable, RejectBusy}, slices.Collect(maps.Keys(s.Rejected))) {
		sample("baseflow_watch_requests_rejected_total", s.Rejected[r], "reason", r)
	}
	family("baseflow_watch_events_unmatched_total", "counter", "Tag pushes that no subscription uses as a final-stage base.")
	sample("baseflow_watch_events_unmatched_total", s.Unmatched)
	family("baseflow_watch_checks_total", "counter", "Subscription checks, by trigger and result.")
	for _, t := range []Trigger{TriggerEvent, TriggerFull} {
		sample("baseflow_watch_checks_total", s.Checks[t]-s.FailedChecks[t], "trigger", string(t), "result", "ok")
		sample("baseflow_watch_checks_total", s.FailedChecks[t], "trigger", string(t), "result", "failed")
	}
	family("baseflow_watch_builds_total", "counter", "Rebuilds handed to the dispatcher, by outcome (queued, skipped-active, breaker-tripped, failed, dry-run).")
	outcomes := []dispatch.Outcome{dispatch.Queued, dispatch.SkippedActive, dispatch.BreakerTripped, dispatch.Failed, dispatch.DryRun}
	for _, o := range union(outcomes, slices.Collect(maps.Keys(s.Builds))) {
		sample("baseflow_watch_builds_total", s.Builds[o], "outcome", string(o))
	}
	family("baseflow_watch_registry_lookups_total", "counter", "Base image digest lookups made by checks, by result.")
	sample("baseflow_watch_registry_lookups_total", s.Lookups-s.FailedLookups, "result", "ok")
	sample("baseflow_watch_registry_lookups_total", s.FailedLookups, "result", "error")
	family("baseflow_watch_last_full_check_success_timestamp_seconds", "gauge", "Unix time the last full check of every subscription succeeded; 0 before the first.")
	var last int64
	if !s.LastFullCheck.IsZero() {
		last = s.LastFullCheck.Unix()
	}
	sample("baseflow_watch_last_full_check_success_timestamp_seconds", last)
	family("baseflow_watch_events_pending", "gauge", "Accepted events waiting to be handled (in the journal).")
	sample("baseflow_watch_events_pending", int64(s.Pending))
	family("baseflow_watch_index_subscriptions", "gauge", "Subscriptions in the index of final-stage bases.")
	sample("baseflow_watch_index_subscriptions", int64(s.Indexed))
	family("baseflow_watch_unverified_reads", "gauge", "Webhook bodies being read before their signature is checked.")
	sample("baseflow_watch_unverified_reads", int64(s.Unverified))
	_, err := io.WriteString(w, b.String())
	return err
}

// union returns known followed by the sorted values of extra that are not in it.
func union[T ~string](known, extra []T) []T {
	out := slices.Clone(known)
	slices.Sort(extra)
	for _, v := range extra {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// escapeLabel escapes a label value as the exposition format requires.
func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
