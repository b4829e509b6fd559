package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"time"

	"github.com/opencontainers/go-digest"
	orasremote "oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/retry"

	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
)

// lookupConfig describes the registry the lookup rows run against.
type lookupConfig struct {
	latency     time.Duration // added to every request
	tags        int           // distinct tags, spread over repos repositories
	repos       int
	concurrency int  // of the caching resolver
	tokenAuth   bool // anonymous Docker token authentication, as Docker Hub's public images
}

// lookupEnv is a loopback registry holding cfg.tags tags, and what the rows measured on it.
type lookupEnv struct {
	cfg     lookupConfig
	srv     *registrytest.Server
	refs    []string
	results map[string]lookupResult
}

// lookupResult is what one strategy cost.
type lookupResult struct {
	wall                          time.Duration
	requests, heads, gets, tokens int
	challenges                    int // requests answered 401; not counted in heads and gets
	digests                       map[string]digest.Digest
}

func newLookupEnv(cfg lookupConfig) (*lookupEnv, error) {
	opts := []registrytest.Option{registrytest.WithLatency(cfg.latency)}
	if cfg.tokenAuth {
		opts = append(opts, registrytest.WithAnonymousPull())
	}
	e := &lookupEnv{cfg: cfg, srv: registrytest.New(opts...), results: make(map[string]lookupResult)}
	platforms := []registry.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64", Variant: "v8"}}
	for i := range cfg.tags {
		repo, tag := fmt.Sprintf("bench/base-%02d", i%cfg.repos), fmt.Sprintf("tag-%03d", i)
		if _, err := e.srv.PushIndex(repo, tag, registry.MediaTypeDockerManifestList, platforms...); err != nil {
			e.srv.Close()
			return nil, err
		}
		e.refs = append(e.refs, e.srv.Ref(repo, tag))
	}
	return e, nil
}

func (e *lookupEnv) Close() { e.srv.Close() }

// measure runs one strategy on a fresh request log and records its cost under name.
func (e *lookupEnv) measure(name string, run func() (map[string]digest.Digest, error)) (lookupResult, error) {
	e.srv.ResetRequests()
	start := time.Now()
	digests, err := run()
	wall := time.Since(start)
	if err != nil {
		return lookupResult{}, fmt.Errorf("%s: %w", name, err)
	}
	if len(digests) != len(e.refs) {
		return lookupResult{}, fmt.Errorf("%s: resolved %d of %d references", name, len(digests), len(e.refs))
	}
	r := lookupResult{wall: wall, digests: digests}
	for _, req := range e.srv.Requests() {
		r.requests++
		switch {
		case req.IsToken():
			r.tokens++
		case req.Status == http.StatusUnauthorized:
			r.challenges++
		case req.Method == http.MethodHead:
			r.heads++
		case req.Method == http.MethodGet:
			r.gets++
		}
	}
	e.results[name] = r
	return r, nil
}

// lookupCached resolves every reference with baseflow's strategy: one shared network client
// behind a Cache, HEAD requests, cfg.concurrency at a time.
func lookupCached(ctx context.Context, e *lookupEnv) (lookupResult, error) {
	return e.measure("cached", func() (map[string]digest.Digest, error) {
		client, err := remote.New()
		if err != nil {
			return nil, err
		}
		cache := registry.NewCache(client, registry.WithConcurrency(e.cfg.concurrency))
		digests, errs := cache.ResolveAll(ctx, e.refs)
		for ref, err := range errs {
			return nil, fmt.Errorf("%s: %w", ref, err)
		}
		return digests, nil
	})
}

// lookupSerialGET resolves every reference as ImageBuilder does: a GET of the manifest per
// reference, one at a time, with a per-run cache.
func lookupSerialGET(ctx context.Context, e *lookupEnv) (lookupResult, error) {
	return e.measure("serial", func() (map[string]digest.Digest, error) {
		r := newSerialGetResolver()
		digests := make(map[string]digest.Digest, len(e.refs))
		for _, ref := range e.refs {
			d, err := r.Digest(ctx, ref)
			if err != nil {
				return nil, err
			}
			digests[ref] = d
		}
		return digests, nil
	})
}

// serialGetResolver is ImageBuilder's lookup: oras FetchReference (a GET) per reference,
// behind a lock, with results cached for the run.
type serialGetResolver struct {
	client *auth.Client
	cache  map[string]digest.Digest
}

func newSerialGetResolver() *serialGetResolver {
	return &serialGetResolver{
		client: &auth.Client{Client: &http.Client{Transport: retry.NewTransport(nil)}, Cache: auth.NewCache()},
		cache:  make(map[string]digest.Digest),
	}
}

func (r *serialGetResolver) Digest(ctx context.Context, ref string) (digest.Digest, error) {
	if d, ok := r.cache[ref]; ok {
		return d, nil
	}
	n, err := registry.Normalize(ref)
	if err != nil {
		return "", err
	}
	repo, err := orasremote.NewRepository(n.Name())
	if err != nil {
		return "", err
	}
	repo.PlainHTTP = true
	repo.Client = r.client
	desc, rc, err := repo.FetchReference(ctx, n.Reference())
	if err != nil {
		return "", err
	}
	_, _ = io.Copy(io.Discard, rc)
	rc.Close()
	r.cache[ref] = desc.Digest
	return desc.Digest, nil
}

// sameDigests reports whether every result resolved every reference to the same digest.
func sameDigests(results map[string]lookupResult) bool {
	var first map[string]digest.Digest
	for _, r := range results {
		if first == nil {
			first = r.digests
			continue
		}
		if !maps.Equal(first, r.digests) {
			return false
		}
	}
	return true
}
