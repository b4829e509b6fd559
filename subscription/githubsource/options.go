package githubsource

import (
	"log/slog"
	"net/http"
	"time"
)

// DefaultBaseURL is the GitHub REST API base URL used when none is set.
const DefaultBaseURL = "https://api.github.com"

// Option configures a Source.
type Option func(*options)

type options struct {
	baseURL        string
	token          string
	client         *http.Client
	logger         *slog.Logger
	maxRetries     int
	initialBackoff time.Duration
	maxWait        time.Duration
}

func defaultOptions() options {
	return options{
		baseURL:        DefaultBaseURL,
		client:         http.DefaultClient,
		maxRetries:     4,
		initialBackoff: time.Second,
		maxWait:        time.Minute,
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

// WithMaxRetries sets how many times a failed request (429, 5xx, rate limited, or a network
// error) is retried. The default is 4; 0 disables retries.
func WithMaxRetries(n int) Option {
	return func(o *options) { o.maxRetries = max(n, 0) }
}

// WithBackoff sets the wait before the first retry (doubled for each further retry, default
// 1 s) and the longest single wait (default 1 min). An answer asking to wait longer than
// maxWait (Retry-After, or a rate limit reset) fails at once instead.
func WithBackoff(initial, maxWait time.Duration) Option {
	return func(o *options) {
		o.initialBackoff = initial
		o.maxWait = maxWait
	}
}
