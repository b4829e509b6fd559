package checkflags

import (
	"errors"
	"flag"
	"log/slog"
	"strings"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/internal/cli"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/remote"
	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/subscription/githubsource"
	"github.com/baseflow/baseflow/subscription/gitsource"
)

// CheckFlags are the flags of a stale-image check, shared by get-stale-images,
// check-base-images and watch-registry.
type CheckFlags struct {
	Subscriptions     string
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
	Shard             string
}

// Register defines the flags on fs.
func (f *CheckFlags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Subscriptions, "subscriptions", "", "subscriptions `FILE` (JSON array in ImageBuilder's format); required")
	fs.StringVar(&f.RepoURL, "repo-url", gitsource.DefaultURLTemplate, "git URL `TEMPLATE` of subscribed repositories, with {owner} and {repo}; any URL git accepts, file:// included")
	fs.StringVar(&f.ImageInfoSource, "image-info-source", "git", "where image-info files are read (`SOURCE`): git (with --repo-url) or github (the REST API, GITHUB_TOKEN)")
	fs.StringVar(&f.GitHubAPIURL, "github-api-url", githubsource.DefaultBaseURL, "GitHub API `URL` for --image-info-source github (GitHub Enterprise: https://HOST/api/v3)")
	fs.StringVar(&f.OSType, "os-type", "", "check only subscriptions and platforms of this OS type `GLOB` (linux, windows, *); empty: all")
	fs.StringVar(&f.Architecture, "architecture", "", "check only platforms of this architecture `GLOB` (amd64, arm64, arm); empty: all")
	fs.Var(&f.OSVersions, "os-version", "check only platforms whose osVersion matches `GLOB` (repeatable)")
	fs.Var(&f.Paths, "path", "check only platforms whose dockerfile value matches `GLOB` (repeatable)")
	fs.StringVar(&f.RegistryOverride, "registry-override", "", "`HOST` that replaces each manifest's registry in repo names")
	fs.StringVar(&f.BaseOverrideRegex, "base-override-regex", "", "`RE` rewriting base references before lookup and comparison")
	fs.StringVar(&f.BaseOverrideSub, "base-override-sub", "", "replacement for --base-override-regex (`SUB`, $1 for groups)")
	fs.Var(&f.Mirrors, "mirror", "look bases under REGISTRY up at TARGET (`REGISTRY=TARGET`, e.g. docker.io=myacr.azurecr.io/mirror; repeatable)")
	fs.Var(&f.PlainHTTP, "plain-http", "talk plain HTTP to registry `HOST` (repeatable; loopback hosts always may)")
	fs.IntVar(&f.Concurrency, "concurrency", registry.DefaultConcurrency, "`N` registry lookups at once")
	fs.StringVar(&f.Shard, "shard", "", "check only shard `I/N` of the subscriptions (stable hash of their ids)")
}

// Validate reports usage errors.
func (f *CheckFlags) Validate() error {
	switch {
	case f.Subscriptions == "":
		return cli.Usagef("--subscriptions is required")
	case f.ImageInfoSource != "git" && f.ImageInfoSource != "github":
		return cli.Usagef("--image-info-source %q: want git or github", f.ImageInfoSource)
	case f.Concurrency < 1:
		return cli.Usagef("--concurrency must be at least 1")
	case f.BaseOverrideSub != "" && f.BaseOverrideRegex == "":
		return cli.Usagef("--base-override-sub needs --base-override-regex")
	}
	if _, err := f.mirrors(); err != nil {
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

func (f *CheckFlags) mirrors() (registry.Mirrors, error) {
	m := registry.Mirrors{}
	for _, v := range f.Mirrors {
		from, to, ok := strings.Cut(v, "=")
		if !ok || from == "" || to == "" {
			return nil, cli.Usagef("--mirror %q: want REGISTRY=TARGET", v)
		}
		m[from] = to
	}
	return m, nil
}

// Check is a configured stale-image check: the subscriptions to check and the checker, with
// the resources it holds.
type Check struct {
	Subscriptions []subscription.Subscription
	Checker       *subscription.Checker
	// Registry is the network client behind the checker's resolver, for its request counts.
	Registry *remote.Client
	closers  []func() error
}

// Close releases the clones and caches of the check's sources.
func (c *Check) Close() error {
	var errs []error
	for _, f := range c.closers {
		errs = append(errs, f())
	}
	return errors.Join(errs...)
}

// RegistryReport returns the registry traffic of the run so far.
func (c *Check) RegistryReport() *subscription.RegistryReport {
	if c.Registry == nil {
		return nil
	}
	return RegistryReport(c.Registry.Stats())
}

// RegistryReport converts a client's counts into the report's form.
func RegistryReport(st remote.Stats) *subscription.RegistryReport {
	rep := &subscription.RegistryReport{Heads: st.Requests["HEAD"], Gets: st.Requests["GET"], TokenRequests: st.TokenRequests, Retries: st.Retries, Failed: st.Failed}
	for _, n := range st.Requests {
		rep.Requests += n
	}
	if st.RateLimitHost != "" {
		rep.RateLimit = &subscription.RateLimitReport{Host: st.RateLimitHost, Limit: st.RateLimit.Limit,
			Remaining: st.RateLimit.Remaining, WindowSeconds: int(st.RateLimit.Window.Seconds())}
	}
	return rep
}

// NewCheck loads the subscriptions file, keeps the subscriptions of the shard, and builds the
// checker: git (and GitHub) sources, the network registry client behind a run-wide cache,
// filters and overrides. getenv reads GITHUB_TOKEN; resolver, when not nil, replaces the
// network registry client (tests and the demo).
func (f *CheckFlags) NewCheck(getenv func(string) string, log *slog.Logger, resolver registry.Resolver) (*Check, error) {
	subs, err := subscription.Load(f.Subscriptions)
	if err != nil {
		return nil, err
	}
	if f.Shard != "" {
		i, n, _ := subscription.ParseShard(f.Shard)
		subs = subscription.Shard(subs, i, n)
	}
	c := &Check{Subscriptions: subs}
	git, err := gitsource.New(gitsource.WithURLTemplate(f.RepoURL), gitsource.WithLogger(log))
	if err != nil {
		return nil, err
	}
	c.closers = append(c.closers, git.Close)
	var info subscription.Source = git
	if f.ImageInfoSource == "github" {
		gh, err := githubsource.New(githubsource.WithBaseURL(f.GitHubAPIURL), githubsource.WithToken(getenv("GITHUB_TOKEN")), githubsource.WithLogger(log))
		if err != nil {
			c.Close()
			return nil, err
		}
		c.closers = append(c.closers, gh.Close)
		info = gh
	}
	if resolver == nil {
		client, err := remote.New(remote.WithPlainHTTP(f.PlainHTTP...), remote.WithLogger(log))
		if err != nil {
			c.Close()
			return nil, err
		}
		c.Registry = client
		resolver = client
	}
	mirrors, _ := f.mirrors()
	override, _ := depgraph.NewBaseOverride(f.BaseOverrideRegex, f.BaseOverrideSub)
	c.Checker = &subscription.Checker{
		Manifests:        git,
		ImageInfo:        info,
		Resolver:         registry.NewCache(resolver, registry.WithConcurrency(f.Concurrency), registry.WithMirrors(mirrors)),
		LoadRecords:      depgraph.LoadImageInfoRecords,
		OSType:           f.OSType,
		Filter:           manifest.Filter{OSType: f.OSType, Architecture: f.Architecture, OSVersions: f.OSVersions, Paths: f.Paths},
		RegistryOverride: f.RegistryOverride,
		BaseOverride:     override,
		Logger:           log,
	}
	return c, nil
}
