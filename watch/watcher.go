package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/baseflow/baseflow"
	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/subscription"
)

// Defaults of Config.
const (
	DefaultDebounce        = 30 * time.Second
	DefaultInterval        = 4 * time.Hour
	DefaultRefresh         = 30 * time.Minute
	DefaultMaxBodyBytes    = 1 << 20
	DefaultRetryDelay      = 5 * time.Minute
	DefaultMaxAttempts     = 5
	DefaultConcurrency     = 4
	DefaultShutdownTimeout = 30 * time.Second
	// DefaultDedupWindow is how long a handled event's key is remembered, so that a late
	// redelivery of it is recognized as a duplicate.
	DefaultDedupWindow = 24 * time.Hour
	// maxRemembered bounds the handled keys kept for deduplication.
	maxRemembered = 10000
)

// ErrNoSecret is returned by New when no shared secret is configured and
// Config.InsecureNoAuth is not set.
var ErrNoSecret = errors.New("watch: a shared secret is required (or allow unauthenticated webhooks explicitly)")

// SourceFunc opens the sources one pass over the subscriptions reads their repositories
// from: the manifests and Dockerfiles, and the image-info files (the same Source, or another).
// The Watcher closes them when the pass ends.
type SourceFunc func() (manifests, imageInfo subscription.Source, err error)

// Config configures a Watcher. Only Checker is required (and Secret, unless InsecureNoAuth).
type Config struct {
	// Subscriptions are the subscriptions watched.
	Subscriptions []subscription.Subscription
	// Checker is how subscriptions are checked: sources, lookups, filters and overrides.
	// Every check and index pass uses it with the sources of Sources, when set
	// (Checker.WithSources). Its Cache, when set, is reset before each check so that a moved
	// tag is seen, and a push to where a base is looked up (its mirror, Cache.LookupRef)
	// matches the base too.
	Checker *check.Checker
	// Sources opens fresh sources for every check and index pass. Sources cache what they read
	// for their lifetime (gitsource clones a branch once), so a long-running watcher needs new
	// ones to see new commits of manifests and image-info. Nil uses Checker's sources for
	// every pass, which suits sources that do not cache.
	Sources SourceFunc
	// Dispatcher queues the rebuilds, with its guards; nil only checks.
	Dispatcher *dispatch.Dispatcher

	// Secret is the shared secret webhook requests must carry, as "Authorization: Bearer
	// <secret>" or as an HMAC-SHA256 of the body in SignatureHeader.
	Secret string
	// InsecureNoAuth accepts webhook requests without a secret when Secret is empty.
	InsecureNoAuth bool
	// SecretInURL also accepts the secret as the "token" query parameter, for senders that
	// cannot set headers (Docker Hub). URLs end up in proxy logs and in the sender's settings;
	// prefer headers wherever the sender allows them.
	SecretInURL bool
	// MaxBodyBytes caps webhook bodies; larger ones get 413. Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64

	// Debounce is how long events for a subscription are collected before its check runs:
	// the check starts Debounce after the first of them, however many follow. Zero means
	// DefaultDebounce; negative means no wait.
	Debounce time.Duration
	// Interval is how often every subscription is checked, as a safety net for missed
	// events; the first full check runs at start-up. Zero means DefaultInterval; negative
	// turns full checks off.
	Interval time.Duration
	// Refresh is how often the index of final-stage bases is rebuilt from the manifests
	// (every check also refreshes the entries of the subscriptions it checked). Zero means
	// DefaultRefresh; negative turns the periodic rebuild off.
	Refresh time.Duration
	// JournalDir is the directory of the journal of accepted events (see Journal); empty
	// keeps them in memory only, and a restart loses those not handled yet.
	JournalDir string
	// RetryDelay is how long after a failed check its events are tried again; zero means
	// DefaultRetryDelay.
	RetryDelay time.Duration
	// MaxAttempts is how many checks in a row may fail for a subscription before its pending
	// events are dropped (the next full check still covers it); zero means
	// DefaultMaxAttempts.
	MaxAttempts int
	// Concurrency bounds the checks running at once (a full check counts as one); zero
	// means DefaultConcurrency.
	Concurrency int
	// ShutdownTimeout bounds how long shutting down waits for requests and checks in
	// progress before cancelling them (their events stay in the journal). Zero means
	// DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// DedupWindow is how long a handled event is remembered as a duplicate; zero means
	// DefaultDedupWindow.
	DedupWindow time.Duration

	// OnRun, when set, is called after every check with what it found and did, from the
	// goroutine that ran it, before the check's events leave the journal and before a
	// follow-up check of its subscriptions starts: calls for a subscription come in order.
	OnRun func(Run)
	// Logger receives what happens; nil discards it. The secret never appears in it.
	Logger *slog.Logger
}

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
	// Err is an error of the run as a whole (opening the sources, an invalid plan).
	Err      error
	Duration time.Duration
}

// Watcher receives registry push events and checks, and rebuilds through the dispatcher,
// the subscriptions whose final-stage bases they move. Create one with New, then call Serve,
// or Run with the Handler mounted on a server of your own.
type Watcher struct {
	cfg     Config
	subs    map[string]subscription.Subscription
	order   []string // subscription ids in file order
	auth    *authenticator
	journal *Journal
	index   *index
	stats   *counters
	log     *slog.Logger
	sem     chan struct{}
	ready   chan struct{}

	runs       sync.WaitGroup
	runCtx     context.Context
	cancelRuns context.CancelFunc

	mu          sync.Mutex
	started     bool
	closing     bool
	indexReady  bool
	fullRunning bool
	refreshing  bool
	events      map[string]*pendingEvent
	early       []*pendingEvent // accepted before the index was built
	state       map[string]*subState
	seen        map[string]time.Time
	seenOrder   []seenKey
}

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

// subState is the scheduling state of one subscription.
type subState struct {
	pending  map[string]bool // keys of events waiting for a check
	timer    *time.Timer     // the debounce or retry timer, when one is set
	running  bool
	due      bool // the timer fired, or a full check came, while a check was running
	failures int  // checks failed in a row
}

// New returns a Watcher for cfg. It opens the journal (creating its directory); events found
// in it are handled when Run starts.
func New(cfg Config) (*Watcher, error) {
	if cfg.Checker == nil {
		return nil, errors.New("watch: Config.Checker is required")
	}
	if cfg.Secret == "" && !cfg.InsecureNoAuth {
		return nil, ErrNoSecret
	}
	setDefault(&cfg.Debounce, DefaultDebounce)
	setDefault(&cfg.Interval, DefaultInterval)
	setDefault(&cfg.Refresh, DefaultRefresh)
	setDefault(&cfg.RetryDelay, DefaultRetryDelay)
	setDefault(&cfg.ShutdownTimeout, DefaultShutdownTimeout)
	setDefault(&cfg.DedupWindow, DefaultDedupWindow)
	setDefault(&cfg.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefault(&cfg.MaxAttempts, DefaultMaxAttempts)
	setDefault(&cfg.Concurrency, DefaultConcurrency)
	cfg.Debounce = max(cfg.Debounce, 0)
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	w := &Watcher{
		cfg:    cfg,
		subs:   make(map[string]subscription.Subscription, len(cfg.Subscriptions)),
		auth:   newAuthenticator(cfg.Secret, cfg.SecretInURL),
		index:  newIndex(),
		stats:  newCounters(),
		log:    log,
		sem:    make(chan struct{}, cfg.Concurrency),
		ready:  make(chan struct{}),
		events: map[string]*pendingEvent{},
		state:  map[string]*subState{},
		seen:   map[string]time.Time{},
	}
	for _, s := range cfg.Subscriptions {
		id := s.ID()
		if _, dup := w.subs[id]; dup {
			return nil, fmt.Errorf("watch: subscription %s is listed twice", id)
		}
		w.subs[id] = s
		w.order = append(w.order, id)
	}
	j, err := OpenJournal(cfg.JournalDir)
	if j == nil {
		return nil, err
	}
	if err != nil {
		log.Warn("some journal files could not be read", "err", err)
	}
	w.journal = j
	return w, nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// Ready is closed once Run has built the index and replayed the journal.
func (w *Watcher) Ready() <-chan struct{} { return w.ready }

// Stats returns what the Watcher did so far.
func (w *Watcher) Stats() Stats {
	s := w.stats.snapshot()
	s.Pending = w.journal.Len()
	s.Indexed = w.index.len()
	return s
}

// Match returns the ids of the subscriptions whose final-stage bases include the tag the
// event pushed, sorted; none for an event that is not a tag push.
func (w *Watcher) Match(e Event) []string {
	r, err := e.Ref()
	if err != nil {
		return nil
	}
	return w.index.match(r.Name() + ":" + r.Tag)
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
	out, err := w.check(w.runCtx, subs)
	<-w.sem
	r := Run{Trigger: trigger, Subscriptions: ids, Events: events, Outcome: out, Err: err, Duration: time.Since(start)}
	ok := w.settle(trigger, ids, out, err)
	for _, id := range ids {
		if !ok[id] {
			r.Failed = append(r.Failed, id)
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
		if ok[id] {
			st.failures = 0
			for _, k := range taken[id] {
				w.done(k, id)
			}
		} else {
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
		case len(st.pending) > 0 && !ok[id]:
			w.schedule(id, st, w.cfg.RetryDelay)
		case len(st.pending) > 0:
			w.schedule(id, st, w.cfg.Debounce)
		}
	}
	w.mu.Unlock()
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

// check runs the whole flow for subs with fresh sources.
func (w *Watcher) check(ctx context.Context, subs []subscription.Subscription) (*baseflow.Outcome, error) {
	c, release, err := w.checker()
	if err != nil {
		return nil, err
	}
	defer release()
	if c.Cache != nil {
		c.Cache.Reset()
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

// checker returns the configured checker reading from fresh sources, and the function that
// closes them.
func (w *Watcher) checker() (*check.Checker, func(), error) {
	if w.cfg.Sources == nil {
		return w.cfg.Checker, func() {}, nil
	}
	m, info, err := w.cfg.Sources()
	if err != nil {
		return nil, nil, fmt.Errorf("open sources: %w", err)
	}
	return w.cfg.Checker.WithSources(m, info), func() {
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

// tagKeys returns the index keys of a graph: for each final-stage base, the tag as written,
// after the base override, and as looked up (after mirrors).
func (w *Watcher) tagKeys(g *depgraph.Graph) []string {
	c := w.cfg.Checker
	var keys []string
	add := func(ref string) {
		if k, ok := tagKey(ref); ok && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, ref := range FinalBases(g, depgraph.CheckOptions{Filter: c.Filter}) {
		add(ref)
		looked := c.BaseOverride.Apply(ref)
		add(looked)
		if c.Cache != nil {
			if l, err := c.Cache.LookupRef(looked); err == nil {
				add(l)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// refreshIndex rebuilds the index entries of every subscription from its manifest and
// Dockerfiles. A subscription that cannot be read keeps its previous entry.
func (w *Watcher) refreshIndex(ctx context.Context) {
	c, release, err := w.checker()
	if err != nil {
		w.log.Error("index: could not open the sources", "err", err)
		return
	}
	defer release()
	start := time.Now()
	workers := c.Concurrency
	if workers <= 0 {
		workers = 4
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	var failed sync.Map
	for _, id := range w.order {
		s := w.subs[id]
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if c.Skips(s) {
				w.index.set(id, nil)
				return
			}
			_, g, err := c.LoadGraph(ctx, s)
			if err != nil {
				failed.Store(id, err)
				w.log.Error("index: could not read the subscription's manifest; pushes are matched with its previous entry, if any", "subscription", id, "err", err)
				return
			}
			w.index.set(id, w.tagKeys(g))
		})
	}
	wg.Wait()
	n := 0
	failed.Range(func(any, any) bool { n++; return true })
	w.log.Info("index of final-stage bases built", "subscriptions", len(w.order), "failed", n, "duration", time.Since(start).Round(time.Millisecond))
}

// Run builds the index, replays the journal, and runs the full checks and index refreshes
// until ctx ends; events are accepted with Accept or the Handler, before or after Run starts.
// When ctx ends, Run stops scheduling, waits up to ShutdownTimeout for the checks in progress
// (then cancels them), and returns; events not handled stay in the journal. Run may be
// called once.
func (w *Watcher) Run(ctx context.Context) error {
	w.mu.Lock()
	if w.started {
		w.mu.Unlock()
		return errors.New("watch: Run called twice")
	}
	w.started = true
	w.runCtx, w.cancelRuns = context.WithCancel(context.WithoutCancel(ctx))
	w.mu.Unlock()
	defer w.cancelRuns()

	keys, events := w.journal.Pending()
	if len(keys) > 0 {
		w.log.Info("replaying the journal", "events", len(keys), "dir", w.journal.Dir())
	}
	for i, k := range keys {
		w.intake(k, events[i])
	}
	if w.journal.Dir() == "" {
		w.log.Warn("no journal directory: events not handled yet are lost on restart")
	}
	w.refreshIndex(w.runCtx)
	w.mu.Lock()
	w.indexReady = true
	for _, pe := range w.early {
		w.route(pe)
	}
	w.early = nil
	w.mu.Unlock()
	close(w.ready)

	var fullC, refreshC <-chan time.Time
	if w.cfg.Interval > 0 {
		w.fullCheck()
		t := time.NewTicker(w.cfg.Interval)
		defer t.Stop()
		fullC = t.C
	}
	if w.cfg.Refresh > 0 {
		t := time.NewTicker(w.cfg.Refresh)
		defer t.Stop()
		refreshC = t.C
	}
	for {
		select {
		case <-ctx.Done():
			w.shutdown()
			return nil
		case <-fullC:
			w.fullCheck()
		case <-refreshC:
			w.mu.Lock()
			if !w.refreshing && !w.closing {
				w.refreshing = true
				w.runs.Add(1)
				go func() {
					defer w.runs.Done()
					w.refreshIndex(w.runCtx)
					w.mu.Lock()
					w.refreshing = false
					w.mu.Unlock()
				}()
			}
			w.mu.Unlock()
		}
	}
}

// shutdown stops the timers and waits for the checks in progress, cancelling them after
// ShutdownTimeout.
func (w *Watcher) shutdown() {
	w.mu.Lock()
	w.closing = true
	for _, st := range w.state {
		if st.timer != nil {
			st.timer.Stop()
			st.timer = nil
		}
	}
	w.mu.Unlock()
	done := make(chan struct{})
	go func() {
		w.runs.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(w.cfg.ShutdownTimeout):
		w.log.Warn("checks still running at shutdown are cancelled; their events stay in the journal")
		w.cancelRuns()
		<-done
	}
	w.log.Info("stopped", "pending", w.journal.Len())
}
