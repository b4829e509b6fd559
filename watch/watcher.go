package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/baseflow/baseflow/subscription"
)

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
	// unverified holds a slot per webhook body being read before its signature is checked.
	unverified chan struct{}

	// lastReset is when the lookup cache was last reset, in Unix nanoseconds; 0 for never.
	lastReset atomic.Int64

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
	latest      map[string]string // normalized "name:tag" → key of the latest push taken in
}

// New returns a Watcher for cfg. It opens the journal (creating its directory); events found
// in it are handled when Run starts.
func New(cfg Config) (*Watcher, error) {
	if cfg.Checker == nil {
		return nil, errors.New("watch: Config.Checker is required")
	}
	var err error
	if cfg.Secret, err = trimSecret(cfg.Secret); err != nil {
		return nil, err
	}
	if cfg.Secret == "" && !cfg.InsecureNoAuth {
		return nil, ErrNoSecret
	}
	setDefault(&cfg.Debounce, DefaultDebounce)
	setDefault(&cfg.Interval, DefaultInterval)
	if cfg.DigestMaxAge <= 0 {
		cfg.DigestMaxAge = cfg.Interval
		if cfg.DigestMaxAge <= 0 {
			cfg.DigestMaxAge = DefaultInterval
		}
	}
	setDefault(&cfg.Refresh, DefaultRefresh)
	setDefault(&cfg.RetryDelay, DefaultRetryDelay)
	setDefault(&cfg.ShutdownTimeout, DefaultShutdownTimeout)
	setDefault(&cfg.DedupWindow, DefaultDedupWindow)
	setDefault(&cfg.ActiveRunRetry, DefaultActiveRunRetry)
	setDefault(&cfg.ActiveRunMaxWait, DefaultActiveRunMaxWait)
	setDefault(&cfg.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefault(&cfg.MaxUnverified, DefaultMaxUnverified)
	setDefault(&cfg.BodyTimeout, DefaultBodyTimeout)
	setDefault(&cfg.HeaderTimeout, DefaultHeaderTimeout)
	setDefault(&cfg.MaxConnections, DefaultMaxConnections)
	cfg.MaxUnverified = max(cfg.MaxUnverified, 1)
	setDefault(&cfg.MaxAttempts, DefaultMaxAttempts)
	setDefault(&cfg.Concurrency, DefaultConcurrency)
	cfg.Debounce = max(cfg.Debounce, 0)
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	w := &Watcher{
		cfg:        cfg,
		subs:       make(map[string]subscription.Subscription, len(cfg.Subscriptions)),
		auth:       newAuthenticator(cfg.Secret, cfg.SecretInURL),
		index:      newIndex(),
		stats:      newCounters(),
		log:        log,
		sem:        make(chan struct{}, cfg.Concurrency),
		unverified: make(chan struct{}, cfg.MaxUnverified),
		ready:      make(chan struct{}),
		events:     map[string]*pendingEvent{},
		state:      map[string]*subState{},
		seen:       map[string]time.Time{},
		latest:     map[string]string{},
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

// Ready is closed once Run has built the index and replayed the journal.
func (w *Watcher) Ready() <-chan struct{} { return w.ready }

// Stats returns what the Watcher did so far.
func (w *Watcher) Stats() Stats {
	s := w.stats.snapshot()
	s.Pending = w.journal.Len()
	s.Indexed = w.index.len()
	s.Unverified = len(w.unverified)
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
