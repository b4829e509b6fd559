package watch

import (
	"errors"
	"log/slog"
	"time"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/subscription"
)

// Defaults of Config.
const (
	DefaultDebounce        = 30 * time.Second
	DefaultInterval        = 4 * time.Hour
	DefaultRefresh         = 30 * time.Minute
	DefaultMaxBodyBytes    = 1 << 20
	DefaultMaxUnverified   = 8
	DefaultBodyTimeout     = 10 * time.Second
	DefaultHeaderTimeout   = 5 * time.Second
	DefaultMaxConnections  = 1024
	DefaultRetryDelay      = 5 * time.Minute
	DefaultMaxAttempts     = 5
	DefaultConcurrency     = 4
	DefaultShutdownTimeout = 30 * time.Second
	// DefaultDedupWindow is how long a handled event's key is remembered, so that a late
	// redelivery of it is recognized as a duplicate.
	DefaultDedupWindow = 24 * time.Hour
	// DefaultActiveRunRetry and DefaultActiveRunMaxWait: checked again every 5 minutes
	// while the pipeline is busy, for up to 12 hours.
	DefaultActiveRunRetry   = 5 * time.Minute
	DefaultActiveRunMaxWait = 12 * time.Hour
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
	// (Checker.WithSources). Its Cache, when set, is shared by the checks: a full check
	// resets it, and a check of events forgets only the tags they pushed (Cache.Forget), so
	// the subscriptions' other bases are not looked up again (see DigestMaxAge). A push to where a base is looked up (its mirror, Cache.LookupRef)
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
	// <secret>" or as an HMAC-SHA256 of the body in SignatureHeader. White space around it
	// is trimmed; what remains must be at least MinSecretLength bytes (ErrShortSecret).
	Secret string
	// InsecureNoAuth accepts webhook requests without a secret when Secret is empty.
	InsecureNoAuth bool
	// SecretInURL also accepts the secret as the "token" query parameter, for senders that
	// cannot set headers (Docker Hub). URLs end up in proxy logs and in the sender's settings;
	// prefer headers wherever the sender allows them.
	SecretInURL bool
	// MaxBodyBytes caps webhook bodies; larger ones get 413. Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxUnverified bounds the webhook bodies read at once before their signature is checked
	// (requests with a SignatureHeader and no bearer token): at most MaxUnverified ×
	// MaxBodyBytes of memory goes to senders not yet authenticated. A request finding every
	// slot taken gets 503 and Retry-After at once. Zero means DefaultMaxUnverified.
	MaxUnverified int
	// BodyTimeout bounds reading a webhook body, from the end of its headers; a body not
	// complete by then is refused (400) and its connection closed. Zero means
	// DefaultBodyTimeout.
	BodyTimeout time.Duration
	// HeaderTimeout bounds reading a request's headers in Serve. Zero means
	// DefaultHeaderTimeout.
	HeaderTimeout time.Duration
	// MaxConnections bounds the connections Serve holds open at once; further ones wait in
	// the kernel's accept queue until one closes. Zero means DefaultMaxConnections; negative
	// means no bound.
	MaxConnections int

	// Debounce is how long events for a subscription are collected before its check runs:
	// the check starts Debounce after the first of them, however many follow. Zero means
	// DefaultDebounce; negative means no wait.
	Debounce time.Duration
	// Interval is how often every subscription is checked, as a safety net for missed
	// events; the first full check runs at start-up. Zero means DefaultInterval; negative
	// turns full checks off.
	Interval time.Duration
	// DigestMaxAge bounds how long a check of events may take a base's digest from the
	// Checker's Cache: such a check looks up again only the tags its events pushed, unless
	// the Cache was last reset (by a full check, or by such a check) DigestMaxAge ago or
	// more, when it resets it. Zero or negative means Interval, or DefaultInterval when full checks are
	// off.
	DigestMaxAge time.Duration
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
	// ActiveRunRetry is how long after a check whose rebuild was not queued because the
	// pipeline had a run active (dispatch.SkippedActive) its events are checked again: that
	// run started before them and cannot contain them. Zero means DefaultActiveRunRetry.
	ActiveRunRetry time.Duration
	// ActiveRunMaxWait bounds how long events wait for a pipeline's active run to end;
	// after it they are dropped and the next full check covers them. Zero means
	// DefaultActiveRunMaxWait.
	ActiveRunMaxWait time.Duration

	// OnRun, when set, is called after every check with what it found and did, from the
	// goroutine that ran it, before the check's events leave the journal and before a
	// follow-up check of its subscriptions starts: calls for a subscription come in order.
	OnRun func(Run)
	// Logger receives what happens; nil discards it. The secret never appears in it.
	Logger *slog.Logger
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}
