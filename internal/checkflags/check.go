package checkflags

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/internal/cli"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/setup"
	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/subscription/githubsource"
	"github.com/baseflow/baseflow/subscription/gitsource"
)

// CheckFlags are the flags of a stale-image check, shared by get-stale-images,
// check-base-images and watch-registry.
type CheckFlags struct {
	Subscriptions     string
	Manifest          string
	ImageInfo         string
	Variables         cli.Variables
	RepoURL           string
	ImageInfoSource   string
	GitHubAPIURL      string
	OSType            string
	Architecture      string
	OSVersions        cli.Strings
	Paths             cli.Strings
	RegistryOverride  string
	BaseOverrideRegex string
	BaseOverrideSub   string
	Mirrors           cli.Strings
	PlainHTTP         cli.Strings
	Concurrency       int
	LookupConcurrency int
	CacheDir          string
	Shard             string
	PlatformAware     bool
	CheckPinned       bool
	// LookupTimeout bounds each registry lookup, retries included (--lookup-timeout; 0: none).
	LookupTimeout time.Duration
	// Timeout bounds the whole run (--timeout, registered by RegisterTimeout; 0: none).
	Timeout time.Duration

	workingCopy bool // RegisterWorkingCopy was called
	// baseOverrideSubSet records that --base-override-sub was given, possibly empty.
	baseOverrideSubSet bool
}

// RegisterTimeout defines --timeout on fs, for the commands that run one check and end.
func (f *CheckFlags) RegisterTimeout(fs *flag.FlagSet) {
	fs.DurationVar(&f.Timeout, "timeout", setup.DefaultRunTimeout, "stop the run after `DURATION` (e.g. 45m); what is not decided by then is reported as failed; 0: no limit")
}

// RunContext returns ctx bounded by --timeout (see setup.WithRunTimeout).
func (f *CheckFlags) RunContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return setup.WithRunTimeout(ctx, f.Timeout, "--timeout")
}

// DeadlinePassed returns the error naming --timeout when ctx ended at it, else nil.
func DeadlinePassed(ctx context.Context) error { return setup.DeadlinePassed(ctx) }

// Register defines the flags on fs.
func (f *CheckFlags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Subscriptions, "subscriptions", "", "subscriptions `FILE` (JSON array in ImageBuilder's format); required")
	fs.StringVar(&f.RepoURL, "repo-url", gitsource.DefaultURLTemplate, "git URL `TEMPLATE` of subscribed repositories, with {owner} and {repo}; any URL git accepts, file:// included; ${NAME} in an http(s) URL's user:password is the environment variable NAME, to keep tokens off the command line")
	fs.StringVar(&f.ImageInfoSource, "image-info-source", "git", "where image-info files are read (`SOURCE`): git (with --repo-url) or github (the REST API, GITHUB_TOKEN)")
	fs.StringVar(&f.GitHubAPIURL, "github-api-url", githubsource.DefaultBaseURL, "GitHub API `URL` for --image-info-source github (GitHub Enterprise: https://HOST/api/v3)")
	fs.StringVar(&f.OSType, "os-type", "", "check only subscriptions and platforms of this OS type `GLOB` (linux, windows, *); empty: all")
	fs.StringVar(&f.Architecture, "architecture", "", "check only platforms of this architecture `GLOB` (amd64, arm64, arm); empty: all")
	fs.Var(&f.OSVersions, "os-version", "check only platforms whose osVersion matches `GLOB` (repeatable)")
	fs.Var(&f.Paths, "path", "check only platforms whose dockerfile value matches `GLOB` (repeatable)")
	fs.StringVar(&f.RegistryOverride, "registry-override", "", "`HOST` that replaces each manifest's registry in repo names")
	fs.StringVar(&f.BaseOverrideRegex, "base-override-regex", "", "`RE` rewriting base references before lookup and comparison")
	fs.Func("base-override-sub", "replacement for --base-override-regex (`SUB`, $1 for groups; '' deletes what matches)", func(v string) error {
		f.BaseOverrideSub, f.baseOverrideSubSet = v, true
		return nil
	})
	fs.Var(&f.Mirrors, "mirror", "look bases under REGISTRY up at TARGET (`REGISTRY=TARGET`, e.g. docker.io=myacr.azurecr.io/mirror; repeatable)")
	fs.Var(&f.PlainHTTP, "plain-http", "talk plain HTTP to registry `HOST` (repeatable; loopback hosts always may)")
	fs.IntVar(&f.Concurrency, "concurrency", check.DefaultConcurrency, "`N` subscriptions checked at once, four per core by default")
	fs.IntVar(&f.LookupConcurrency, "lookup-concurrency", registry.DefaultConcurrency, "`N` registry lookups at once, over all subscriptions")
	fs.StringVar(&f.CacheDir, "cache-dir", "", "keep parsed Dockerfiles in `DIR` across runs (safe for runs at once, at most 256 MB); empty: in memory for the run only")
	fs.DurationVar(&f.LookupTimeout, "lookup-timeout", registry.DefaultLookupTimeout, "give up on one registry lookup, retries included, after `DURATION`: a registry that never answers fails its bases as a network error; 0: no limit")
	fs.StringVar(&f.Shard, "shard", "", "check only shard `I/N` of the subscriptions (stable hash of their ids)")
	fs.BoolVar(&f.PlatformAware, "platform-aware", false, "do not rebuild an image whose base's index moved while the image's own platform in it did not "+
		"(another platform rebuilt, attestations changed); ImageBuilder rebuilds it. Moved bases are compared either way "+
		"(a GET of the recorded and the current index each, a pull on Docker Hub) and --explain says what it saves")
	fs.BoolVar(&f.CheckPinned, "check-pinned", false, "look up the tag of each base pinned to a digest (FROM image:tag@sha256:...) and report "+
		"the ones whose tag moved away from the pin; pinned bases are never stale")
}

// RegisterWorkingCopy defines the flags that check a manifest on disk instead of
// subscriptions (--manifest, --image-info, --var), for a command that only checks.
func (f *CheckFlags) RegisterWorkingCopy(fs *flag.FlagSet) {
	f.workingCopy = true
	fs.Lookup("subscriptions").Usage = "subscriptions `FILE` (JSON array in ImageBuilder's format); required unless --manifest and --image-info are given"
	fs.StringVar(&f.Manifest, "manifest", "", "check the manifest `FILE` on disk, with its Dockerfiles as they are (uncommitted changes included), instead of --subscriptions; the SubscriptionId is FILE as given")
	fs.StringVar(&f.ImageInfo, "image-info", "", "image-info `FILE` on disk to compare with, for --manifest")
	f.Variables = cli.Variables{}
	fs.Var(f.Variables, "var", "set a manifest variable for --manifest (`NAME=VALUE`, repeatable)")
}

// Validate reports usage errors.
func (f *CheckFlags) Validate() error {
	switch {
	case f.Subscriptions != "" && (f.Manifest != "" || f.ImageInfo != ""):
		return cli.Usagef("--subscriptions and --manifest/--image-info do not go together")
	case f.Subscriptions == "" && f.Manifest == "" && f.ImageInfo == "":
		if !f.workingCopy {
			return cli.Usagef("--subscriptions is required")
		}
		return cli.Usagef("--subscriptions (or --manifest and --image-info) is required")
	case f.Subscriptions == "" && (f.Manifest == "" || f.ImageInfo == ""):
		return cli.Usagef("--manifest and --image-info go together")
	case f.Subscriptions != "" && len(f.Variables) > 0:
		return cli.Usagef("--var goes with --manifest; subscriptions carry their own variables")
	case f.Manifest != "" && f.Shard != "":
		return cli.Usagef("--shard goes with --subscriptions")
	case f.ImageInfoSource != "git" && f.ImageInfoSource != "github":
		return cli.Usagef("--image-info-source %q: want git or github", f.ImageInfoSource)
	case f.Concurrency < 1:
		return cli.Usagef("--concurrency must be at least 1")
	case f.LookupConcurrency < 1:
		return cli.Usagef("--lookup-concurrency must be at least 1")
	case f.LookupTimeout < 0 || f.Timeout < 0:
		return cli.Usagef("--timeout and --lookup-timeout must not be negative")
	case f.BaseOverrideSub != "" && f.BaseOverrideRegex == "":
		return cli.Usagef("--base-override-sub needs --base-override-regex")
	case f.BaseOverrideRegex != "" && f.BaseOverrideSub == "" && !f.baseOverrideSubSet:
		return cli.Usagef("--base-override-regex needs --base-override-sub, the replacement (--base-override-sub '' to delete what matches)")
	}
	if _, err := cli.ParseMirrors(f.Mirrors); err != nil {
		return err
	}
	if f.Shard != "" {
		if _, _, err := subscription.ParseShard(f.Shard); err != nil {
			return cli.Usagef("--shard: %v", err)
		}
	}
	if _, err := depgraph.NewBaseOverride(f.BaseOverrideRegex, f.BaseOverrideSub); err != nil {
		return cli.Usagef("--base-override-regex: %v", err)
	}
	return nil
}

// Settings maps the flags to the check's settings. It expects Validate to have passed.
// getenv reads GITHUB_TOKEN; resolver, when not nil, replaces the network registry client
// (tests and the demo).
func (f *CheckFlags) Settings(getenv func(string) string, log *slog.Logger, resolver registry.Resolver) setup.CheckSettings {
	s := setup.CheckSettings{
		SubscriptionsFile: f.Subscriptions,
		Sources:           f.sourceSettings(getenv, log),
		Registry: setup.RegistrySettings{
			PlainHTTP:     f.PlainHTTP,
			Concurrency:   f.LookupConcurrency,
			LookupTimeout: f.LookupTimeout,
			Resolver:      resolver,
			Logger:        log,
		},
		OSType:           f.OSType,
		Architecture:     f.Architecture,
		OSVersions:       f.OSVersions,
		Paths:            f.Paths,
		RegistryOverride: f.RegistryOverride,
		Concurrency:      f.Concurrency,
		CacheDir:         f.CacheDir,
		PlatformAware:    f.PlatformAware,
		CheckPinned:      f.CheckPinned,
		Logger:           log,
	}
	if f.LookupTimeout == 0 {
		s.Registry.LookupTimeout = -1 // --lookup-timeout 0: no limit
	}
	if f.Manifest != "" {
		s.SubscriptionsFile = ""
		s.WorkingCopy = &setup.WorkingCopy{Manifest: f.Manifest, ImageInfo: f.ImageInfo, Variables: f.Variables}
	}
	s.Registry.Mirrors, _ = cli.ParseMirrors(f.Mirrors)
	s.BaseOverride, _ = depgraph.NewBaseOverride(f.BaseOverrideRegex, f.BaseOverrideSub)
	if f.Shard != "" {
		s.Shard.Index, s.Shard.Count, _ = subscription.ParseShard(f.Shard)
	}
	return s
}

func (f *CheckFlags) sourceSettings(getenv func(string) string, log *slog.Logger) setup.SourceSettings {
	return setup.SourceSettings{
		RepoURL:      f.RepoURL,
		ImageInfo:    setup.ImageInfoSource(f.ImageInfoSource),
		GitHubAPIURL: f.GitHubAPIURL,
		Getenv:       getenv,
		Logger:       log,
	}
}

// NewCheck builds the check the flags describe (see setup.NewCheck).
func (f *CheckFlags) NewCheck(getenv func(string) string, log *slog.Logger, resolver registry.Resolver) (*setup.Check, error) {
	return setup.NewCheck(f.Settings(getenv, log, resolver))
}

// SourceOpener returns a function that opens the check's sources afresh (see
// setup.SourceOpener), for watch-registry's passes.
func (f *CheckFlags) SourceOpener(getenv func(string) string, log *slog.Logger) func() (manifests, imageInfo subscription.Source, err error) {
	return setup.SourceOpener(f.sourceSettings(getenv, log))
}
