package azdo

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/baseflow/baseflow/internal/httpkit"
)

// Option configures a Client.
type Option func(*options)

type options struct {
	baseURL string
	token   *string
	http    *http.Client
	logger  *slog.Logger
	retry   httpkit.Retry
	getenv  func(string) string
	tag     string
}

// WithBaseURL sets the services URL; the default is DefaultBaseURL. For Azure DevOps Server
// use the server's collection parent, e.g. "https://tfs.example.com/tfs", and pass the
// collection as the organization.
func WithBaseURL(u string) Option { return func(o *options) { o.baseURL = u } }

// WithToken sets the personal access token (or System.AccessToken) explicitly, instead of
// reading it from the environment.
func WithToken(pat string) Option { return func(o *options) { o.token = &pat } }

// WithEnv sets the function the token is read from when WithToken is not used; the default
// is os.Getenv.
func WithEnv(getenv func(string) string) Option { return func(o *options) { o.getenv = getenv } }

// WithHTTPClient sets the HTTP client; the default is http.DefaultClient.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.http = c } }

// WithLogger sets the logger for requests and retries; the default discards.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// Defaults of the retry options, named as in every client of this module (the values are
// this client's own: githubsource and registry/remote wait differently).
const (
	DefaultMaxRetries   = 3
	DefaultBackoff      = 500 * time.Millisecond
	DefaultMaxRetryWait = time.Minute
)

// WithMaxRetries sets how many times a read (GET) is sent again after a 408, 429, 5xx, a
// rate-limit 403 or a connection error (default DefaultMaxRetries); 0 disables retries. A
// request that changes something (queueing a run, creating an issue) is sent again only when
// its connection was refused, so a run is never queued twice.
func WithMaxRetries(n int) Option { return func(o *options) { o.retry.MaxRetries = max(n, 0) } }

// WithBackoff sets the first wait between attempts when the server does not say how long to
// wait (default DefaultBackoff); it doubles for each further retry, with ±10% jitter.
func WithBackoff(d time.Duration) Option { return func(o *options) { o.retry.Backoff = max(d, 0) } }

// WithMaxRetryWait caps one wait between attempts (default DefaultMaxRetryWait). A server that
// asks for a longer wait (Retry-After, a rate-limit reset) is not retried: its answer is the
// error.
func WithMaxRetryWait(d time.Duration) Option {
	return func(o *options) { o.retry.MaxWait = max(d, 0) }
}

// WithTag sets the tag added to queued builds; the default is DefaultTag, and "" adds none.
func WithTag(tag string) Option { return func(o *options) { o.tag = tag } }

// WithRetry bounds the retries: attempts in total, backoff from minDelay, one wait at most
// maxDelay.
//
// Deprecated: use WithMaxRetries(attempts-1), WithBackoff(minDelay) and
// WithMaxRetryWait(maxDelay), the names every client of this module uses.
func WithRetry(attempts int, minDelay, maxDelay time.Duration) Option {
	return func(o *options) {
		if attempts > 0 {
			o.retry.MaxRetries = attempts - 1
		}
		if minDelay > 0 {
			o.retry.Backoff = minDelay
		}
		if maxDelay > 0 {
			o.retry.MaxWait = maxDelay
		}
	}
}
