package registry

import (
	"fmt"
	"time"
)

// DefaultConcurrency is the number of lookups a Cache runs at the same time unless
// WithConcurrency says otherwise.
const DefaultConcurrency = 16

// DefaultLookupTimeout is how long a Cache lets one lookup of the underlying Resolver run,
// retries included, unless WithLookupTimeout says otherwise: long enough for a registry that
// asks to wait (429 with Retry-After) and is then served, short enough that a registry that
// never answers costs minutes, not the hours its client's retries could add up to.
const DefaultLookupTimeout = 2 * time.Minute

// CacheOption configures a Cache.
type CacheOption func(*cacheOptions)

type cacheOptions struct {
	concurrency   int
	lookupTimeout time.Duration
	rewrites      []func(string) (string, error)
}

// WithLookupTimeout bounds each lookup of the underlying Resolver, from when it gets one of
// the concurrency slots to its answer, retries included (default DefaultLookupTimeout; zero or
// less means no bound). A lookup over budget fails with Kind Network, and the error says the
// budget was spent.
func WithLookupTimeout(d time.Duration) CacheOption {
	return func(o *cacheOptions) { o.lookupTimeout = d }
}

// WithConcurrency bounds the number of lookups the cache runs at the same time (default 16).
// Values below 1 mean 1.
func WithConcurrency(n int) CacheOption {
	return func(o *cacheOptions) { o.concurrency = max(n, 1) }
}

// WithMirrors redirects lookups as m describes (see Mirrors). Rewrites run in the order their
// options were given, before the reference is normalized into the cache key.
func WithMirrors(m Mirrors) CacheOption {
	return func(o *cacheOptions) { o.rewrites = append(o.rewrites, m.Rewrite) }
}

// WithMirror redirects lookups of references under the registry or repository prefix from to
// the host/path prefix to, as WithMirrors(Mirrors{from: to}) does.
func WithMirror(from, to string) CacheOption {
	return WithMirrors(Mirrors{from: to})
}

// WithRewrite applies fn to every reference before lookup, in option order with the other
// rewrites. A rewrite that returns an empty string fails the lookup with InvalidReference.
func WithRewrite(fn func(ref string) string) CacheOption {
	return func(o *cacheOptions) {
		o.rewrites = append(o.rewrites, func(ref string) (string, error) {
			out := fn(ref)
			if out == "" {
				return "", fmt.Errorf("rewrite of %q gave an empty reference", ref)
			}
			return out, nil
		})
	}
}
