package remote

import (
	"crypto/x509"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"oras.land/oras-go/v2/registry/remote/auth"
)

// Defaults for the options below.
const (
	DefaultMaxRetries     = 5
	DefaultBackoff        = 250 * time.Millisecond
	DefaultMaxRetryWait   = 60 * time.Second
	DefaultRequestTimeout = 30 * time.Second
	DefaultUserAgent      = "baseflow"
	// DefaultMaxManifestBytes bounds the manifests and image configs the client reads.
	DefaultMaxManifestBytes = 4 << 20
)

// Option configures a Client.
type Option func(*options)

type options struct {
	transport      http.RoundTripper
	rootCAs        *x509.CertPool
	plainHTTP      []string
	credentials    map[string]auth.Credential
	credentialFunc auth.CredentialFunc
	dockerConfig   string
	maxRetries     int
	backoff        time.Duration
	maxRetryWait   time.Duration
	requestTimeout time.Duration
	logger         *slog.Logger
	userAgent      string
	maxBytes       int64
}

func defaultOptions() options {
	return options{
		maxRetries:     DefaultMaxRetries,
		backoff:        DefaultBackoff,
		maxRetryWait:   DefaultMaxRetryWait,
		requestTimeout: DefaultRequestTimeout,
		userAgent:      DefaultUserAgent,
		maxBytes:       DefaultMaxManifestBytes,
	}
}

// WithTransport sets the base HTTP transport requests go through, under the client's retry,
// timeout and counting layers. The default is a clone of http.DefaultTransport (which keeps
// HTTP/2) with more idle connections per host.
func WithTransport(rt http.RoundTripper) Option {
	return func(o *options) { o.transport = rt }
}

// WithRootCAs makes TLS connections trust exactly the certificates in pool, for registries
// with a private or self-signed certificate. Start from x509.SystemCertPool to add to the
// system roots. It applies to the default transport and to a WithTransport *http.Transport.
func WithRootCAs(pool *x509.CertPool) Option {
	return func(o *options) { o.rootCAs = pool }
}

// WithPlainHTTP makes the client talk plain HTTP to the named registry hosts ("host" or
// "host:port"). Loopback hosts (localhost, 127.0.0.0/8, ::1) try HTTPS first and fall back to
// plain HTTP when the server answers in plain HTTP; every other host uses HTTPS only, with
// certificate verification.
func WithPlainHTTP(hosts ...string) Option {
	return func(o *options) { o.plainHTTP = append(o.plainHTTP, hosts...) }
}

// WithCredential sets a username and password for one registry host ("docker.io" means
// Docker Hub). It takes precedence over the docker configuration for that host.
func WithCredential(host, username, password string) Option {
	return func(o *options) {
		if o.credentials == nil {
			o.credentials = make(map[string]auth.Credential)
		}
		o.credentials[apiHost(host)] = auth.Credential{Username: username, Password: password}
	}
}

// WithCredentialFunc replaces the docker configuration as the source of credentials; hosts
// set with WithCredential still take precedence.
func WithCredentialFunc(fn auth.CredentialFunc) Option {
	return func(o *options) { o.credentialFunc = fn }
}

// WithDockerConfig reads credentials from dir/config.json instead of $DOCKER_CONFIG or
// ~/.docker. Credential helpers and credsStore named there are used as docker does.
func WithDockerConfig(dir string) Option {
	return func(o *options) { o.dockerConfig = filepath.Join(dir, "config.json") }
}

// WithMaxRetries sets how many times a request is retried after a 429, a 408, a 5xx, a
// connection reset or a per-request timeout (default 5). Zero disables retries.
func WithMaxRetries(n int) Option {
	return func(o *options) { o.maxRetries = max(n, 0) }
}

// WithBackoff sets the first wait of the exponential backoff (default 250 ms, doubling with
// ±10 % jitter) used when the registry does not send Retry-After.
func WithBackoff(d time.Duration) Option {
	return func(o *options) { o.backoff = max(d, 0) }
}

// WithMaxRetryWait caps a single wait between attempts, including one a Retry-After header
// asks for (default 60 s): a registry that asks for longer is tried again after the cap.
func WithMaxRetryWait(d time.Duration) Option {
	return func(o *options) { o.maxRetryWait = max(d, 0) }
}

// WithRequestTimeout bounds each attempt of each request, from sending it to reading the last
// byte of its response (default 30 s), so that a registry that never finishes a response
// cannot hang a run. An attempt that times out is retried. Zero disables the bound; the
// caller's context still applies.
func WithRequestTimeout(d time.Duration) Option {
	return func(o *options) { o.requestTimeout = max(d, 0) }
}

// WithLogger logs retries and plain-HTTP fallbacks at debug level. The default discards.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// WithUserAgent sets the User-Agent header (default "baseflow").
func WithUserAgent(ua string) Option {
	return func(o *options) { o.userAgent = ua }
}
