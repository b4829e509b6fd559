package azdo

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/baseflow/baseflow/dispatch/internal/rest"
)

// Option configures a Client.
type Option func(*options)

type options struct {
	baseURL string
	token   *string
	http    *http.Client
	logger  *slog.Logger
	retry   rest.Retry
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

// WithRetry bounds the retries of GET requests: attempts in total, backoff from minDelay
// doubling up to maxDelay. Zero values keep the defaults (4, 500ms, 15s).
func WithRetry(attempts int, minDelay, maxDelay time.Duration) Option {
	return func(o *options) {
		o.retry.Attempts, o.retry.MinDelay, o.retry.MaxDelay = attempts, minDelay, maxDelay
	}
}

// WithTag sets the tag added to queued builds; the default is DefaultTag, and "" adds none.
func WithTag(tag string) Option { return func(o *options) { o.tag = tag } }
