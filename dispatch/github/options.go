package github

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/baseflow/baseflow/dispatch/internal/rest"
)

// Option configures a Client.
type Option func(*options)

type options struct {
	baseURL          string
	webURL           string
	token            *string
	getenv           func(string) string
	http             *http.Client
	logger           *slog.Logger
	retry            rest.Retry
	activeStatuses   []string
	returnRunDetails bool
}

// WithBaseURL sets the API URL; the default is DefaultBaseURL. For GitHub Enterprise
// Server use "https://HOST/api/v3".
func WithBaseURL(u string) Option { return func(o *options) { o.baseURL = u } }

// WithWebURL sets the URL links are built on; the default is derived from the API URL
// ("https://github.com" for api.github.com, "https://HOST" for "https://HOST/api/v3").
func WithWebURL(u string) Option { return func(o *options) { o.webURL = u } }

// WithToken sets the token explicitly, instead of reading $GITHUB_TOKEN.
func WithToken(token string) Option { return func(o *options) { o.token = &token } }

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

// WithActiveStatuses sets the run statuses that count as active; the default is
// DefaultActiveStatuses. Each status costs one request.
func WithActiveStatuses(statuses ...string) Option {
	return func(o *options) { o.activeStatuses = statuses }
}

// WithReturnRunDetails asks the dispatch call to return the run it created
// ("return_run_details": true), so that the queued run has an id and its own link. Servers
// that do not know the field (GitHub Enterprise Server before its support) reject the call.
func WithReturnRunDetails(on bool) Option { return func(o *options) { o.returnRunDetails = on } }
