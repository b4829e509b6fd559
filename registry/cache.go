package registry

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/opencontainers/go-digest"
)

// Cache is a Resolver that resolves each unique reference once per run, however many
// goroutines ask for it at the same time, and runs at most a bounded number of lookups of the
// underlying Resolver at once.
//
// References are rewritten (WithMirrors, WithRewrite) and normalized before lookup, so
// "alpine:3.20" and "docker.io/library/alpine:3.20" share one lookup. Digests are kept for the
// life of the Cache; use one Cache per run, or Reset it, to see tags that moved, or Forget
// the references known to have moved. Failures are
// not kept: every caller waiting on a failed lookup gets its error, and a later call tries
// again. A caller whose context ends stops waiting; the lookup itself is canceled only when no
// caller is left waiting for it. Each lookup has a time budget (WithLookupTimeout), so that a
// registry that never answers fails its references, with Kind Network, in bounded time.
type Cache struct {
	r        Resolver
	sem      chan struct{}
	rewrites []func(string) (string, error)
	budget   time.Duration // per lookup; 0 for none

	mu      sync.Mutex
	flights map[flightKey]*flight
}

var _ Resolver = (*Cache)(nil)

type flightKey struct {
	ref      string
	platform string // "" for Digest lookups
}

// flight is one lookup of the underlying resolver and everyone waiting for it.
type flight struct {
	done    chan struct{}
	d       digest.Digest
	err     error
	waiters int
	cancel  context.CancelFunc
}

// NewCache returns a Cache in front of r.
func NewCache(r Resolver, opts ...CacheOption) *Cache {
	o := cacheOptions{concurrency: DefaultConcurrency, lookupTimeout: DefaultLookupTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	return &Cache{
		r:        r,
		sem:      make(chan struct{}, o.concurrency),
		rewrites: o.rewrites,
		budget:   max(o.lookupTimeout, 0),
		flights:  make(map[flightKey]*flight),
	}
}

// LookupRef returns the normalized reference ref is looked up as, after the rewrites.
func (c *Cache) LookupRef(ref string) (string, error) {
	n, err := c.lookupRef(ref)
	if err != nil {
		return "", err
	}
	return n.String(), nil
}

// lookupRef is LookupRef, parsed.
func (c *Cache) lookupRef(ref string) (Ref, error) {
	out := ref
	for _, rw := range c.rewrites {
		var err error
		if out, err = rw(out); err != nil {
			return Ref{}, &Error{Ref: ref, Op: "parse", Kind: InvalidReference, Err: err}
		}
	}
	return Normalize(out)
}

// Digest implements Resolver.
func (c *Cache) Digest(ctx context.Context, ref string) (digest.Digest, error) {
	key, err := c.LookupRef(ref)
	if err != nil {
		return "", err
	}
	return c.do(ctx, flightKey{ref: key}, func(ctx context.Context) (digest.Digest, error) {
		return c.r.Digest(ctx, key)
	})
}

// PlatformDigest implements Resolver.
func (c *Cache) PlatformDigest(ctx context.Context, ref string, p Platform) (digest.Digest, error) {
	key, err := c.LookupRef(ref)
	if err != nil {
		return "", err
	}
	return c.do(ctx, flightKey{ref: key, platform: p.Normalize().String()}, func(ctx context.Context) (digest.Digest, error) {
		return c.r.PlatformDigest(ctx, key, p)
	})
}

// ResolveAll resolves the top-level digests of refs concurrently, within the Cache's
// concurrency bound. Both maps are keyed by the references as given; each reference is in
// exactly one of them.
//
// It starts with one reference per repository before taking a second from any, so that a
// registry's per-repository token is fetched for every repository early while the other
// lookups of that repository wait for it.
func (c *Cache) ResolveAll(ctx context.Context, refs []string) (map[string]digest.Digest, map[string]error) {
	order := c.spreadByRepository(refs)
	digests := make(map[string]digest.Digest, len(order))
	errs := make(map[string]error)
	var mu sync.Mutex
	jobs := make(chan string)
	var wg sync.WaitGroup
	for range min(cap(c.sem), len(order)) {
		wg.Go(func() {
			for ref := range jobs {
				d, err := c.Digest(ctx, ref)
				mu.Lock()
				if err != nil {
					errs[ref] = err
				} else {
					digests[ref] = d
				}
				mu.Unlock()
			}
		})
	}
	for _, ref := range order {
		jobs <- ref
	}
	close(jobs)
	wg.Wait()
	return digests, errs
}

// spreadByRepository returns the distinct refs ordered round-robin over their repositories
// (first references of every repository, then second ones, ...), keeping the given order
// within a repository. References that do not parse come last.
func (c *Cache) spreadByRepository(refs []string) []string {
	seen := make(map[string]bool, len(refs))
	var repos []string
	byRepo := make(map[string][]string)
	var invalid []string
	for _, ref := range refs {
		if seen[ref] {
			continue
		}
		seen[ref] = true
		n, err := c.lookupRef(ref)
		if err != nil {
			invalid = append(invalid, ref)
			continue
		}
		if _, ok := byRepo[n.Name()]; !ok {
			repos = append(repos, n.Name())
		}
		byRepo[n.Name()] = append(byRepo[n.Name()], ref)
	}
	order := make([]string, 0, len(seen))
	for round := 0; len(order) < len(seen)-len(invalid); round++ {
		for _, repo := range repos {
			if round < len(byRepo[repo]) {
				order = append(order, byRepo[repo][round])
			}
		}
	}
	return append(order, invalid...)
}

// Reset forgets every digest, so that the next lookups ask the underlying Resolver again.
// Lookups in flight finish for the callers already waiting on them.
func (c *Cache) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.flights)
}

// Forget forgets the digests of refs, so that the next lookups of these references ask the
// underlying Resolver again while every other digest stays cached. Each reference
// ("alpine:3.20", "docker.io/library/alpine:3.20", "myacr.azurecr.io/mirror/library/alpine:3.20")
// is forgotten both as it is looked up (after the rewrites, as LookupRef returns it) and as
// given, normalized: a push reported by a mirror and one reported by the registry it mirrors
// both reach the digest looked up at the mirror. Top-level and per-platform digests of a
// reference are forgotten together. References that do not parse are skipped: nothing is
// cached under them.
//
// As with Reset, a lookup of a forgotten reference in flight finishes for the callers already
// waiting on it, and callers arriving after Forget start a new lookup. Forget is safe for
// concurrent use with lookups and other calls of Forget and Reset.
func (c *Cache) Forget(refs ...string) {
	keys := make(map[string]bool, 2*len(refs))
	for _, ref := range refs {
		if n, err := Normalize(ref); err == nil {
			keys[n.String()] = true
		}
		if k, err := c.LookupRef(ref); err == nil {
			keys[k] = true
		}
	}
	if len(keys) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.flights {
		if keys[k.ref] {
			delete(c.flights, k)
		}
	}
}

// do returns the result of the flight for key, starting one when there is none.
func (c *Cache) do(ctx context.Context, key flightKey, fn func(context.Context) (digest.Digest, error)) (digest.Digest, error) {
	c.mu.Lock()
	f, ok := c.flights[key]
	if ok {
		select {
		case <-f.done:
			// Only successful flights stay in the map once done.
			c.mu.Unlock()
			return f.d, nil
		default:
		}
	} else {
		// The flight outlives the caller that started it when others join it; it keeps the
		// caller's values but is canceled only when every waiter has left.
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{done: make(chan struct{}), cancel: cancel}
		c.flights[key] = f
		go c.run(fctx, key, f, fn)
	}
	f.waiters++
	c.mu.Unlock()

	select {
	case <-f.done:
		c.mu.Lock()
		f.waiters--
		c.mu.Unlock()
		return f.d, f.err
	case <-ctx.Done():
		c.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			f.cancel()
			if c.flights[key] == f {
				delete(c.flights, key)
			}
		}
		c.mu.Unlock()
		// The cause says why: a run's deadline set with context.WithTimeoutCause names itself.
		return "", &Error{Ref: key.ref, Op: "lookup", Kind: Canceled, Err: context.Cause(ctx)}
	}
}

// run performs the lookup of f within the concurrency bound and publishes its result.
func (c *Cache) run(ctx context.Context, key flightKey, f *flight, fn func(context.Context) (digest.Digest, error)) {
	defer f.cancel()
	d, err := c.limited(ctx, key, fn)
	if err == nil && d == "" {
		err = &Error{Ref: key.ref, Op: "lookup", Kind: InvalidResponse, Err: errors.New("resolver returned an empty digest")}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	f.d, f.err = d, err
	if err != nil && c.flights[key] == f {
		delete(c.flights, key)
	}
	close(f.done)
}

func (c *Cache) limited(ctx context.Context, key flightKey, fn func(context.Context) (digest.Digest, error)) (digest.Digest, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-c.sem }()
	if c.budget <= 0 {
		return fn(ctx)
	}
	lctx, cancel := context.WithTimeoutCause(ctx, c.budget, errBudgetSpent)
	defer cancel()
	d, err := fn(lctx)
	if err != nil && ctx.Err() == nil && context.Cause(lctx) == errBudgetSpent {
		return "", &Error{Ref: key.ref, Op: "lookup", Kind: Network,
			Err: fmt.Errorf("no answer within the lookup budget of %v", c.budget)}
	}
	return d, err
}

// errBudgetSpent is the cause of a lookup's context ending at its budget.
var errBudgetSpent = errors.New("lookup budget spent")
