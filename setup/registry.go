package setup

import (
	"log/slog"
	"time"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/remote"
)

// RegistrySettings say how base digests are looked up.
type RegistrySettings struct {
	// PlainHTTP lists registry hosts spoken to over plain HTTP; loopback hosts always may.
	PlainHTTP []string
	// Mirrors looks bases under a registry up at another location
	// ("docker.io" → "myacr.azurecr.io/mirror"); see registry.Mirrors.
	Mirrors registry.Mirrors
	// Concurrency is how many lookups run at once; zero means registry.DefaultConcurrency.
	Concurrency int
	// LookupTimeout bounds each lookup, retries included (see registry.WithLookupTimeout);
	// zero means registry.DefaultLookupTimeout, a negative value no bound.
	LookupTimeout time.Duration
	// DockerConfig is the directory of the docker config.json whose credentials and
	// credential helpers the client uses; empty means $DOCKER_CONFIG, else ~/.docker.
	DockerConfig string
	// ClientOptions are further options of the network client (root CAs, retries, timeouts,
	// a credential function), applied after the settings above.
	ClientOptions []remote.Option
	// Resolver, when set, replaces the network client (an in-memory registry in tests and
	// demonstrations); the cache, mirrors and concurrency still apply.
	Resolver registry.Resolver
	// Logger receives the client's requests at debug level and its retries; nil discards them.
	Logger *slog.Logger
}

// NewRegistryClient returns the network client: registry credentials from the docker
// config and its credential helpers, retries with Retry-After, and plain HTTP to the
// PlainHTTP hosts.
func NewRegistryClient(s RegistrySettings) (*remote.Client, error) {
	opts := []remote.Option{remote.WithPlainHTTP(s.PlainHTTP...), remote.WithLogger(s.Logger)}
	if s.DockerConfig != "" {
		opts = append(opts, remote.WithDockerConfig(s.DockerConfig))
	}
	return remote.New(append(opts, s.ClientOptions...)...)
}

// NewResolver returns the run-wide lookup cache over s.Resolver, or over a new network client
// (also returned, for its request counts; nil with s.Resolver).
func NewResolver(s RegistrySettings) (*registry.Cache, *remote.Client, error) {
	resolver := s.Resolver
	var client *remote.Client
	if resolver == nil {
		var err error
		if client, err = NewRegistryClient(s); err != nil {
			return nil, nil, err
		}
		resolver = client
	}
	opts := []registry.CacheOption{registry.WithMirrors(s.Mirrors)}
	if s.Concurrency > 0 {
		opts = append(opts, registry.WithConcurrency(s.Concurrency))
	}
	if s.LookupTimeout != 0 {
		opts = append(opts, registry.WithLookupTimeout(s.LookupTimeout))
	}
	return registry.NewCache(resolver, opts...), client, nil
}

// RegistryReport converts a client's counts into the report's form.
func RegistryReport(st remote.Stats) *check.RegistryReport {
	rep := &check.RegistryReport{Heads: st.Requests["HEAD"], Gets: st.Requests["GET"], TokenRequests: st.TokenRequests,
		Challenges: st.Challenges, Retries: st.Retries, Failed: st.Failed}
	for _, w := range st.Warnings {
		rep.Warnings = append(rep.Warnings, w.String())
	}
	for _, n := range st.Requests {
		rep.Requests += n
	}
	if st.RateLimitHost != "" {
		rep.RateLimit = &check.RateLimitReport{Host: st.RateLimitHost, Limit: st.RateLimit.Limit,
			Remaining: st.RateLimit.Remaining, WindowSeconds: int(st.RateLimit.Window.Seconds())}
	}
	return rep
}
