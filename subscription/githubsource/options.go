package githubsource

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/baseflow/baseflow/internal/githubrest"
	"github.com/baseflow/baseflow/internal/httpkit"
)

// DefaultBaseURL is the GitHub REST API base URL used when none is set.
const DefaultBaseURL = githubrest.DefaultBaseURL

// Defaults of the retry options, named as in every client of this module.
const (
	DefaultMaxRetries   = 4
	DefaultBackoff      = time.Second
	DefaultMaxRetryWait = time.Minute
)

// Option configures a Source.
type Option func(*options)

type options struct {
	baseURL string
	token   string
	client  *http.Client
	logger  *slog.Logger
	retry   httpkit.Retry
}

func defaultOptions() options {
	return options{
		baseURL: DefaultBaseURL,
		client:  http.DefaultClient,
		retry:   httpkit.Retry{MaxRetries: DefaultMaxRetries, Backoff: DefaultBackoff, MaxWait: DefaultMaxRetryWait},
	}
}

// WithBaseURL sets the REST API base URL, for example "https://github.example.com/api/v3" for
// GitHub Enterprise Server. The default is DefaultBaseURL.
func WithBaseURL(u string) Option {
	return func(o *options) { o.baseURL = u }
}

// WithToken sets the token sent as "Authorization: Bearer <token>". Without a token, requests
// are anonymous (public repositories only, with a low rate limit).
func WithToken(token string) Option {
	return func(o *options) { o.token = token }
}

// WithHTTPClient sets the HTTP client. The default is http.DefaultClient.
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) { o.client = c }
}

// WithLogger sets the logger for requests (debug level) and retries (warn level). Nil discards.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// WithMaxRetries sets how many times a failed request (408, 429, 5xx, rate limited, or a
// network error) is sent again (default DefaultMaxRetries); 0 disables retries.
func WithMaxRetries(n int) Option {
	return func(o *options) { o.retry.MaxRetries = max(n, 0) }
}

// WithBackoff sets the wait before the first retry when GitHub does not say how long to wait
// (default DefaultBackoff); it doubles for each further retry, with ±10% jitter.
func WithBackoff(d time.Duration) Option {
	return func(o *options) { o.retry.Backoff = max(d, 0) }
}

// WithMaxRetryWait caps one wait between attempts (default DefaultMaxRetryWait). An answer
// asking to wait longer (Retry-After, or a rate limit reset) fails at once instead.
func WithMaxRetryWait(d time.Duration) Option {
	return func(o *options) { o.retry.MaxWait = max(d, 0) }
}
