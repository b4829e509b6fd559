package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/subscription"
)

// RecordsLoader parses an image-info file (name is for errors) and binds it to a manifest,
// giving what the stale check needs to know of it.
type RecordsLoader func(name string, data []byte, m *manifest.Manifest) (depgraph.Records, error)

// Checker checks subscriptions for stale images.
type Checker struct {
	// Manifests reads the subscribed repositories (manifest and Dockerfiles).
	Manifests subscription.Source
	// ImageInfo reads image-info files; nil means Manifests.
	ImageInfo subscription.Source
	// Resolver looks base digests up when Cache is nil: each Check (or CheckOne) call then
	// looks every distinct reference up once, through a registry.Cache made for that call.
	Resolver registry.Resolver
	// Cache, when set, is the lookup cache every call shares instead: one lookup per
	// reference across calls, with its mirrors and concurrency bound. Its digests live as long
	// as it does; a program that checks again and again resets it before each run
	// (Cache.Reset) to see tags that moved.
	Cache *registry.Cache
	// LoadRecords parses image-info; required.
	LoadRecords RecordsLoader

	// OSType is a glob; a subscription with an osType it does not match is skipped. Empty
	// matches every subscription.
	OSType string
	// Filter restricts which platforms are checked (os-type, architecture, os-version, path).
	Filter manifest.Filter
	// RegistryOverride replaces each manifest's registry (--registry-override).
	RegistryOverride string
	// BaseOverride rewrites base references before lookup and comparison.
	BaseOverride *depgraph.BaseOverride
	// ParseCache, when set, keeps parsed Dockerfiles for the checker's lifetime (and across
	// runs with a dockerfile.Store), shared by every subscription and branch it checks.
	ParseCache *dockerfile.Cache
	// PlatformAware keeps an image whose base's digest moved off the rebuild list when the
	// manifest of the image's own platform in the base did not move (another platform was
	// rebuilt, or only attestations changed); ImageBuilder rebuilds it. With or without it,
	// every base that moved is compared (the recorded and the current manifest fetched by
	// digest: GETs, which Docker Hub counts as pulls, for moved bases only), so that results
	// say which platforms were unchanged and how many rebuilds the option saves.
	PlatformAware bool
	// CheckPinned looks up the tag of every base pinned to a digest ("alpine:3.20@sha256:…")
	// and reports when it has moved away from the pin. Pinned bases are never stale.
	CheckPinned bool
	// Concurrency is how many subscriptions are checked at once; 0 means DefaultConcurrency.
	Concurrency int
	// Compact makes each result drop its Graph and Stale once its Summary is made, so that a
	// run holds the graphs of the subscriptions being checked only, not of the whole fleet:
	// what the outputs need (paths, reasons, waves, lookups) is in the Summary.
	Compact bool
	// Logger receives progress and diagnostics; nil discards them.
	Logger *slog.Logger
	// Progress, when set, is called as each subscription finishes (from the checking
	// goroutine, one call at a time), with its position in the finished order.
	Progress func(done, total int, r *SubscriptionResult)
}

// Lookup is one base digest looked up for a subscription.
type Lookup struct {
	Ref    string `json:"reference"`
	Digest string `json:"digest,omitempty"`
	Err    error  `json:"-"`
}

// SubscriptionResult is the outcome of checking one subscription.
type SubscriptionResult struct {
	Subscription subscription.Subscription
	// Skipped is set when the subscription's osType does not match the check's.
	Skipped bool
	// Graph and Stale are set when the manifest loaded; Stale may be partial when Err is set.
	// A Checker with Compact set drops both once Summary is made.
	Graph *depgraph.Graph
	Stale *depgraph.Result
	// Summary is what the outputs need of the result (its entry in a Report), made when the
	// check of the subscription ends.
	Summary SubscriptionReport
	// computed is set when Summary was made from a stale computation (Stale was set).
	computed bool
	// Lookups are the base references looked up, in the order the check needed them.
	Lookups []Lookup
	// Unchanged are the candidates whose base moved while their own platform did not (see
	// Checker.PlatformAware), in manifest order.
	Unchanged []UnchangedPlatform
	// PlatformAware is the Checker's PlatformAware; Saved is how many fewer paths there are
	// to rebuild thanks to it, or would be with it.
	PlatformAware bool
	Saved         int
	// Pinned are the bases pinned to a digest, in lookup order.
	Pinned []PinnedBase
	// Err is set when the subscription could not be fully checked: its repository, manifest,
	// Dockerfiles or image-info could not be read, or a base lookup failed. Such a
	// subscription is never reported up to date.
	Err      error
	Duration time.Duration
}

// Paths returns the Dockerfile paths to rebuild (possibly partial when Err is set).
func (r *SubscriptionResult) Paths() []string {
	if r.Stale != nil {
		return r.Stale.Paths()
	}
	if !r.computed {
		return nil
	}
	paths := make([]string, len(r.Summary.Stale))
	for i, p := range r.Summary.Stale {
		paths[i] = p.Path
	}
	return paths
}

// Reasons returns the one-sentence reason of each stale path.
func (r *SubscriptionResult) Reasons() map[string]string {
	m := map[string]string{}
	if r.Stale != nil {
		for _, img := range r.Stale.Images {
			m[img.Path] = img.Reason.String()
		}
		return m
	}
	for _, p := range r.Summary.Stale {
		m[p.Path] = p.Why
	}
	return m
}

// ImagePaths returns the result in the stale-path JSON shape.
func (r *SubscriptionResult) ImagePaths() subscription.ImagePaths {
	return subscription.ImagePaths{SubscriptionID: r.Subscription.ID(), ImagePaths: r.Paths()}
}

// Check checks the subscriptions concurrently and returns one result per subscription, in
// the order given. A subscription that fails does not stop the others.
func (c *Checker) Check(ctx context.Context, subs []subscription.Subscription) []*SubscriptionResult {
	cache := c.lookups()
	workers := c.Concurrency
	if workers <= 0 {
		workers = DefaultConcurrency
	}
	c.prefetch(subs)
	results := make([]*SubscriptionResult, len(subs))
	sem := make(chan struct{}, workers)
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	for i, s := range subs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			r := c.check(ctx, s, cache)
			results[i] = r
			if c.Progress != nil {
				mu.Lock()
				done++
				c.Progress(done, len(subs), r)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return results
}

// prefetch announces the branches the subscriptions read to the sources that can fetch them
// together (Prefetcher).
func (c *Checker) prefetch(subs []subscription.Subscription) {
	branches := subscription.Branches(subs)
	if p, ok := c.Manifests.(subscription.Prefetcher); ok {
		p.Prefetch(branches)
	}
	if p, ok := c.ImageInfo.(subscription.Prefetcher); ok && c.ImageInfo != c.Manifests {
		p.Prefetch(branches)
	}
}

// CheckOne checks one subscription.
func (c *Checker) CheckOne(ctx context.Context, s subscription.Subscription) *SubscriptionResult {
	cache := c.lookups()
	return c.check(ctx, s, cache)
}

// lookups returns the cache a run looks bases up through.
func (c *Checker) lookups() *registry.Cache {
	if c.Cache != nil {
		return c.Cache
	}
	return registry.NewCache(c.Resolver)
}

// WithSources returns a copy of the checker that reads repositories from manifests and
// image-info files from imageInfo (nil: manifests), for a program that opens fresh sources
// for every run to see new commits.
func (c *Checker) WithSources(manifests, imageInfo subscription.Source) *Checker {
	cp := *c
	cp.Manifests, cp.ImageInfo = manifests, imageInfo
	return &cp
}

// Skips reports whether the checker's OSType gate skips the subscription: both name an OS
// type and the subscription's does not match the checker's glob.
func (c *Checker) Skips(s subscription.Subscription) bool {
	return s.OSType != "" && c.OSType != "" && !manifest.Glob([]string{c.OSType}, s.OSType)
}

func (c *Checker) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c.Logger
}

func (c *Checker) check(ctx context.Context, s subscription.Subscription, resolver *registry.Cache) *SubscriptionResult {
	start := time.Now()
	r := &SubscriptionResult{Subscription: s}
	defer func() {
		r.Duration = time.Since(start)
		r.summarize()
		if c.Compact {
			r.Graph, r.Stale = nil, nil
		}
	}()
	log := c.logger().With("subscription", s.ID())
	if c.Skips(s) {
		r.Skipped = true
		log.Debug("skipped: os type does not match", "osType", s.OSType, "filter", c.OSType)
		return r
	}
	if c.LoadRecords == nil {
		r.Err = errors.New("subscription check: no image-info loader configured")
		return r
	}
	if c.Cache == nil && c.Resolver == nil {
		r.Err = errors.New("subscription check: no registry resolver configured")
		return r
	}
	// The image-info file is read while the graph is built, and each base is looked up as
	// soon as the Dockerfile naming it is parsed.
	info := c.readImageInfo(ctx, s)
	ahead := c.lookAhead(ctx, resolver)
	m, g, err := c.buildGraph(ctx, s, ahead.parsed)
	if err != nil {
		r.Err = err
		return r
	}
	r.Graph = g

	f := s.ImageInfo
	data, err := info()
	if err != nil {
		r.Err = fmt.Errorf("image-info %s: %w", s.ImageInfoName(), err)
		return r
	}
	name := f.Path
	if s.IsLocal() {
		name = s.ImageInfoName() // as given, so that errors name the file the user passed
	}
	records, err := c.LoadRecords(name, data, m)
	if err != nil {
		if !s.IsLocal() {
			err = fmt.Errorf("image-info %s: %w", s.ImageInfoName(), err)
		}
		r.Err = err
		return r
	}

	opts := depgraph.CheckOptions{Filter: c.Filter, BaseOverride: c.BaseOverride}
	refs := g.Lookups(records, opts)
	digests, lookupErrs := ahead.resolve(ctx, refs)
	current := make(map[string]string, len(digests))
	for _, ref := range refs {
		l := Lookup{Ref: ref}
		if d, ok := digests[ref]; ok {
			l.Digest = d.String()
			current[ref] = l.Digest
		} else {
			l.Err = lookupErrs[ref]
		}
		r.Lookups = append(r.Lookups, l)
	}
	lookup := lookupFrom(current, lookupErrs)
	// A first pass finds the bases that moved; their platforms are compared, then the result
	// is computed with the comparisons, with and without PlatformAware to count the saving.
	done := comparePlatforms(ctx, resolver, depgraph.Stale(g, records, lookup, opts).Checks)
	opts.ComparePlatform = compareFrom(done)
	opts.PlatformAware = c.PlatformAware
	r.Stale = depgraph.Stale(g, records, lookup, opts)
	opts.PlatformAware = !c.PlatformAware
	other := depgraph.Stale(g, records, lookup, opts)
	r.PlatformAware = c.PlatformAware
	r.Saved = len(r.Stale.Images) - len(other.Images)
	if c.PlatformAware {
		r.Saved = -r.Saved
	}
	for _, bc := range r.Stale.Checks {
		if bc.PlatformUnchanged {
			k, _ := keyOf(bc)
			r.Unchanged = append(r.Unchanged, UnchangedPlatform{Path: bc.Platform.Dockerfile, Base: bc.Ref,
				Platform: k.platform.String(), Manifest: done[k].move.Current.String()})
		}
	}
	var platforms map[string][]registry.Platform
	if c.CheckPinned {
		platforms = make(map[string][]registry.Platform)
		for _, bc := range r.Stale.Checks {
			platforms[bc.Ref] = append(platforms[bc.Ref], registryPlatform(bc.Platform))
		}
	}
	r.Pinned = pinnedBases(ctx, resolver, refs, platforms, c.CheckPinned)
	r.Err = r.Stale.Err()
	log.Debug("checked", "bases", len(refs), "stale", len(r.Stale.Images), "failed", len(lookupErrs))
	return r
}

// lookupFrom answers from the resolved digests, giving the registry's error for a failed
// reference.
func lookupFrom(digests map[string]string, errs map[string]error) depgraph.DigestLookup {
	return func(ref string) (string, error) {
		if d, ok := digests[ref]; ok {
			return d, nil
		}
		if err, ok := errs[ref]; ok {
			return "", err
		}
		return "", fmt.Errorf("%s was not looked up", ref)
	}
}

// LoadGraph reads the subscription's manifest and Dockerfiles from Manifests, with the
// subscription's variables and the checker's RegistryOverride, and builds its platform
// graph, with the checker's ParseCache. Errors name the repository, branch and manifest.
func (c *Checker) LoadGraph(ctx context.Context, s subscription.Subscription) (*manifest.Manifest, *depgraph.Graph, error) {
	return c.buildGraph(ctx, s, nil)
}

// buildGraph is LoadGraph calling parsed (when not nil) with each node as it is parsed.
func (c *Checker) buildGraph(ctx context.Context, s subscription.Subscription, parsed func(*manifest.Manifest) func(*depgraph.Node)) (*manifest.Manifest, *depgraph.Graph, error) {
	mf := s.Manifest
	tree, err := c.Manifests.Tree(ctx, mf.Owner, mf.Repo, mf.Branch)
	if err != nil {
		if s.IsLocal() {
			return nil, nil, fmt.Errorf("%s: %w", s.RepositoryName(), err)
		}
		return nil, nil, fmt.Errorf("repository %s/%s branch %s: %w", mf.Owner, mf.Repo, mf.Branch, err)
	}
	m, err := manifest.Load(tree, mf.Path, manifest.Options{Variables: mf.Variables, RegistryOverride: c.RegistryOverride})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", s.RepositoryName(), err)
	}
	opts := depgraph.Options{Concurrency: max(1, runtime.GOMAXPROCS(0)), Cache: c.ParseCache}
	if parsed != nil {
		opts.Parsed = parsed(m)
	}
	g, err := depgraph.Build(m, tree, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: manifest %s: %w", s.RepositoryName(), mf.Path, err)
	}
	return m, g, nil
}
