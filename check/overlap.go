package check

import (
	"context"
	"runtime"
	"sync"

	"github.com/opencontainers/go-digest"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/subscription"
)

// DefaultConcurrency is how many subscriptions a Checker checks at once unless
// Checker.Concurrency says otherwise: four per core of GOMAXPROCS at the time the package is
// loaded (8 on a 2-core CI runner). A subscription's check mostly waits for git and the
// registry; a few per core keep the cores busy parsing while the others wait, and the memory
// of a check in progress (its graph, about 2 MB for dotnet-docker) stays small.
var DefaultConcurrency = 4 * max(1, runtime.GOMAXPROCS(0))

// readImageInfo starts reading the subscription's image-info file and returns a function
// that waits for it.
func (c *Checker) readImageInfo(ctx context.Context, s subscription.Subscription) func() ([]byte, error) {
	src := c.ImageInfo
	if src == nil {
		src = c.Manifests
	}
	f := s.ImageInfo
	var data []byte
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		data, err = src.ReadFile(ctx, f.Owner, f.Repo, f.Branch, f.Path)
	}()
	return func() ([]byte, error) {
		<-done
		return data, err
	}
}

// lookAhead looks up the final base of each candidate platform (an external final base, on a
// platform the filter keeps) as soon as its Dockerfile is parsed, once per reference, through
// the run's cache, and keeps what each lookup gave for the check's stale computation: a
// reference is tried once per check, whether the look-ahead or the computation asks first. A
// platform image-info does not know needs no lookup; its base is looked up anyway (the file
// is read meanwhile), which costs a request and never changes the result.
type lookAhead struct {
	ctx   context.Context
	cache *registry.Cache
	c     *Checker

	mu      sync.Mutex
	flights map[string]*aheadFlight
}

type aheadFlight struct {
	done chan struct{}
	d    digest.Digest
	err  error
}

func (c *Checker) lookAhead(ctx context.Context, cache *registry.Cache) *lookAhead {
	return &lookAhead{ctx: ctx, cache: cache, c: c, flights: map[string]*aheadFlight{}}
}

// parsed returns, for depgraph.Options.Parsed, the function starting the lookups of m's
// candidates.
func (a *lookAhead) parsed(m *manifest.Manifest) func(*depgraph.Node) {
	keep := map[int]bool{}
	for _, p := range a.c.Filter.Platforms(m) {
		keep[p.Index] = true
	}
	return func(n *depgraph.Node) {
		if n.Final.Kind != dockerfile.External || !keep[n.Platform.Index] {
			return
		}
		ref := a.c.BaseOverride.Apply(n.Final.Image)
		a.mu.Lock()
		defer a.mu.Unlock()
		if _, ok := a.flights[ref]; ok {
			return
		}
		f := &aheadFlight{done: make(chan struct{})}
		a.flights[ref] = f
		go func() {
			defer close(f.done)
			f.d, f.err = a.cache.Digest(a.ctx, ref)
		}()
	}
}

// resolve returns the digests of refs: those the look-ahead started, when they end; the
// others through the cache, all at once.
func (a *lookAhead) resolve(ctx context.Context, refs []string) (map[string]digest.Digest, map[string]error) {
	var rest []string
	var started []string
	a.mu.Lock()
	for _, ref := range refs {
		if _, ok := a.flights[ref]; ok {
			started = append(started, ref)
		} else {
			rest = append(rest, ref)
		}
	}
	a.mu.Unlock()
	digests, errs := a.cache.ResolveAll(ctx, rest)
	for _, ref := range started {
		f := a.flights[ref]
		<-f.done // the lookup ends with ctx, with the registry's account of why
		if f.err != nil {
			errs[ref] = f.err
		} else {
			digests[ref] = f.d
		}
	}
	return digests, errs
}
