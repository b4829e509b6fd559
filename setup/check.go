package setup

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/diskcache"
	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/remote"
	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/subscription/gitsource"
)

// CheckSettings are a whole stale-image check: which subscriptions, where their repositories
// are read, how bases are looked up, and which platforms count.
type CheckSettings struct {
	// SubscriptionsFile is the subscriptions file (ImageBuilder's JSON array); required unless
	// Subscriptions is set.
	SubscriptionsFile string
	// Subscriptions, when not nil, are checked instead of SubscriptionsFile's.
	Subscriptions []subscription.Subscription
	// WorkingCopy, when set, checks one manifest and image-info file on the local disk, as
	// they are, instead of subscriptions: no git, no subscriptions file, no Sources.
	WorkingCopy *WorkingCopy
	// Shard keeps only the subscriptions of one shard (see subscription.Shard); the zero
	// Shard keeps them all.
	Shard Shard

	Sources  SourceSettings
	Registry RegistrySettings

	// OSType is a glob gating both subscriptions (their osType) and platforms; empty: all.
	OSType string
	// Architecture, OSVersions and Paths are globs restricting the platforms checked.
	Architecture string
	OSVersions   []string
	Paths        []string
	// RegistryOverride replaces each manifest's registry in repo names.
	RegistryOverride string
	// BaseOverride rewrites base references before lookup and comparison; nil: none.
	BaseOverride *depgraph.BaseOverride
	// PlatformAware leaves an image off the rebuild list when its base's index moved but its
	// own platform's manifest did not (see check.Checker.PlatformAware).
	PlatformAware bool
	// CheckPinned looks up the tags of bases pinned to a digest and reports the ones that
	// moved away from the pin (see check.Checker.CheckPinned).
	CheckPinned bool

	// Concurrency is how many subscriptions are checked at once; zero means
	// check.DefaultConcurrency.
	Concurrency int
	// CacheDir, when set, keeps parsed Dockerfiles in that directory across runs (see
	// diskcache; at most diskcache.DefaultMaxSize). Whether set or not, the check keeps them
	// in memory for its lifetime, shared by every subscription and branch.
	CacheDir string

	// Logger receives progress and diagnostics of the sources, registry and checker, unless
	// Sources or Registry name a logger of their own; nil discards them.
	Logger *slog.Logger
}

// WorkingCopy is a manifest and an image-info file on the local disk (see
// subscription.WorkingCopy): paths as given, which name the check's SubscriptionId.
type WorkingCopy struct {
	Manifest, ImageInfo string
	// Variables override and add manifest variables.
	Variables map[string]string
}

// Shard is shard Index of Count (1 ≤ Index ≤ Count); the zero Shard is everything.
type Shard struct {
	Index, Count int
}

// Check is a configured stale-image check: the subscriptions and the checker, with the
// resources they hold.
type Check struct {
	Subscriptions []subscription.Subscription
	Checker       *check.Checker
	// Registry is the network client behind the checker's resolver, for its request counts;
	// nil when RegistrySettings.Resolver replaced it.
	Registry *remote.Client
	closers  []func() error
	sources  SourceSettings
}

// NewCheck loads the subscriptions, keeps those of the shard, and builds the checker: git
// (and GitHub) sources, the network registry client behind a run-wide cache with mirrors,
// filters and overrides, a parse cache (in CacheDir too when set), and compact results (each
// result keeps its Summary, not its graph). The caller closes the Check.
func NewCheck(s CheckSettings) (*Check, error) {
	if s.RegistryOverride != "" {
		if err := registry.ValidateOverride(s.RegistryOverride); err != nil {
			return nil, err
		}
	}
	subs := s.Subscriptions
	var manifests, info subscription.Source
	if wc := s.WorkingCopy; wc != nil {
		if wc.Manifest == "" || wc.ImageInfo == "" {
			return nil, errors.New("setup: WorkingCopy needs Manifest and ImageInfo")
		}
		var sub subscription.Subscription
		sub, manifests, info = subscription.WorkingCopy(wc.Manifest, wc.ImageInfo, wc.Variables)
		subs = []subscription.Subscription{sub}
	}
	if subs == nil {
		if s.SubscriptionsFile == "" {
			return nil, errors.New("setup: CheckSettings.SubscriptionsFile is required")
		}
		var err error
		if subs, err = subscription.Load(s.SubscriptionsFile); err != nil {
			return nil, err
		}
	}
	if s.Shard != (Shard{}) {
		if s.Shard.Count < 1 || s.Shard.Index < 1 || s.Shard.Index > s.Shard.Count {
			return nil, fmt.Errorf("setup: shard %d/%d: want 1 ≤ index ≤ count", s.Shard.Index, s.Shard.Count)
		}
		subs = subscription.Shard(subs, s.Shard.Index, s.Shard.Count)
	}
	if s.Sources.Logger == nil {
		s.Sources.Logger = s.Logger
	}
	if s.Registry.Logger == nil {
		s.Registry.Logger = s.Logger
	}
	c := &Check{Subscriptions: subs, sources: s.Sources}
	if manifests == nil {
		var err error
		if manifests, info, err = OpenSources(s.Sources); err != nil {
			return nil, err
		}
	}
	c.closers = append(c.closers, manifests.Close)
	if info != manifests {
		c.closers = append(c.closers, info.Close)
	}
	cache, client, err := NewResolver(s.Registry)
	if err != nil {
		return nil, errors.Join(err, c.Close())
	}
	c.Registry = client
	parseCache, closeCache, err := NewParseCache(s.CacheDir)
	if err != nil {
		return nil, errors.Join(err, c.Close())
	}
	c.closers = append(c.closers, closeCache)
	c.Checker = &check.Checker{
		Manifests:        manifests,
		ImageInfo:        info,
		Cache:            cache,
		LoadRecords:      depgraph.LoadImageInfoRecords,
		OSType:           s.OSType,
		Filter:           manifest.Filter{OSType: s.OSType, Architecture: s.Architecture, OSVersions: s.OSVersions, Paths: s.Paths},
		RegistryOverride: s.RegistryOverride,
		BaseOverride:     s.BaseOverride,
		ParseCache:       parseCache,
		Concurrency:      s.Concurrency,
		Compact:          true,
		PlatformAware:    s.PlatformAware,
		CheckPinned:      s.CheckPinned,
		Logger:           s.Logger,
	}
	return c, nil
}

// NewParseCache returns the parse cache of a check: in memory, in front of the directory
// dir when it is not empty (created when missing). The function returned trims the directory
// to its bound; call it when done.
func NewParseCache(dir string) (*dockerfile.Cache, func() error, error) {
	if dir == "" {
		return dockerfile.NewCache(), func() error { return nil }, nil
	}
	store, err := diskcache.Open(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("setup: cache directory: %w", err)
	}
	return dockerfile.NewCache(dockerfile.WithStore(store)), store.Close, nil
}

// PassSources returns, for a long-running program (watch.Config.Sources), the function that
// gives the sources of one pass: the check's git source, refreshed (gitsource.Source.Refresh:
// each branch is fetched again into the repository already there on its next read, which
// transfers nothing when it did not move) instead of cloned anew, and, when image-info comes
// from the GitHub API, a GitHub source opened for the pass. Other sources (a working copy) are
// handed out as they are. Closing what it returns closes the GitHub source only; the others
// live until Close.
func (c *Check) PassSources() func() (manifests, imageInfo subscription.Source, err error) {
	return func() (subscription.Source, subscription.Source, error) {
		m := c.Checker.Manifests
		info := c.Checker.ImageInfo
		if info == nil {
			info = m
		}
		git, ok := m.(*gitsource.Source)
		if !ok {
			return passSource{m}, passSource{info}, nil
		}
		git.Refresh()
		if info == m {
			return passSource{m}, passSource{m}, nil
		}
		gh, err := openGitHub(c.sources)
		if err != nil {
			return nil, nil, err
		}
		return passSource{m}, gh, nil
	}
}

// passSource is a source shared by passes: closing it leaves it open.
type passSource struct{ subscription.Source }

func (passSource) Close() error { return nil }

// Prefetch hands the announcement on to the shared source when it takes one.
func (p passSource) Prefetch(branches []subscription.Branch) {
	if pf, ok := p.Source.(subscription.Prefetcher); ok {
		pf.Prefetch(branches)
	}
}

// Close releases the clones and caches of the check's sources.
func (c *Check) Close() error {
	var errs []error
	for _, f := range c.closers {
		errs = append(errs, f())
	}
	return errors.Join(errs...)
}

// RegistryReport returns the registry traffic of the run so far; nil without a network
// client.
func (c *Check) RegistryReport() *check.RegistryReport {
	if c.Registry == nil {
		return nil
	}
	return RegistryReport(c.Registry.Stats())
}
