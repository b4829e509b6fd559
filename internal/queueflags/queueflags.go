// Package queueflags maps the queue flags that queue-build, check-base-images and
// watch-registry share onto backends.Settings, and formats what queueing did. It imports
// nothing of the check engine, so queue-build compiles no Dockerfile parser or registry client.
package queueflags

import (
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/azdo"
	"github.com/baseflow/baseflow/dispatch/backends"
	"github.com/baseflow/baseflow/dispatch/github"
	"github.com/baseflow/baseflow/internal/cli"
	"github.com/baseflow/baseflow/subscription"
)

// QueueFlags are the flags of queueing rebuilds, shared by queue-build, check-base-images
// and watch-registry.
type QueueFlags struct {
	AzdoURL      string
	AzdoOrg      string
	AzdoProject  string
	GitHubAPIURL string
	FailureLimit int
	DryRun       bool
	NotifyRepo   string
}

// Register defines the flags on fs. withGitHubAPIURL is false when the command already has a
// --github-api-url flag (from CheckFlags), which then serves both.
func (f *QueueFlags) Register(fs *flag.FlagSet, withGitHubAPIURL bool) {
	fs.StringVar(&f.AzdoURL, "azdo-url", azdo.DefaultBaseURL, "Azure DevOps `URL` (Azure DevOps Server: the collection's parent)")
	fs.StringVar(&f.AzdoOrg, "azdo-org", "", "Azure DevOps organization `ORG` (on Azure DevOps Server, the collection)")
	fs.StringVar(&f.AzdoProject, "azdo-project", "", "Azure DevOps `PROJECT` holding the build definitions")
	if withGitHubAPIURL {
		fs.StringVar(&f.GitHubAPIURL, "github-api-url", github.DefaultBaseURL, "GitHub API `URL` (GitHub Enterprise Server: https://HOST/api/v3)")
	}
	fs.IntVar(&f.FailureLimit, "failure-limit", dispatch.DefaultFailureLimit, "do not queue when the newest `N` runs all failed; 0 turns the breaker off")
	fs.BoolVar(&f.DryRun, "dry-run", false, "print what would be queued (backend, pipeline, branch, parameters); make no call")
	fs.StringVar(&f.NotifyRepo, "notify-repo", "", "post an issue per subscription outcome to `OWNER/REPO` (needs GITHUB_TOKEN)")
}

// Validate reports usage errors.
func (f *QueueFlags) Validate() error {
	if f.FailureLimit < 0 {
		return cli.Usagef("--failure-limit must be 0 or more")
	}
	if f.NotifyRepo != "" {
		owner, repo, ok := strings.Cut(f.NotifyRepo, "/")
		if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
			return cli.Usagef("--notify-repo %q: want OWNER/REPO", f.NotifyRepo)
		}
	}
	return nil
}

// Settings maps the flags to the queue's settings (backends.Settings): --failure-limit 0 turns the breaker off.
func (f *QueueFlags) Settings(getenv func(string) string, log *slog.Logger) backends.Settings {
	s := backends.Settings{
		AzureDevOpsURL:     f.AzdoURL,
		AzureDevOpsOrg:     f.AzdoOrg,
		AzureDevOpsProject: f.AzdoProject,
		GitHubAPIURL:       f.GitHubAPIURL,
		FailureLimit:       f.FailureLimit,
		DryRun:             f.DryRun,
		NotifyRepo:         f.NotifyRepo,
		Getenv:             getenv,
		Logger:             log,
	}
	if f.FailureLimit == 0 {
		s.FailureLimit = -1
	}
	return s
}

// NewDispatcher returns the dispatcher the flags describe for subs (see backends.NewDispatcher);
// a subscription on Azure DevOps without --azdo-org and --azdo-project is a usage error.
func (f *QueueFlags) NewDispatcher(subs []subscription.Subscription, getenv func(string) string, log *slog.Logger) (*dispatch.Dispatcher, error) {
	if id := backends.NeedsAzureDevOps(subs); id != "" && !f.DryRun && (f.AzdoOrg == "" || f.AzdoProject == "") {
		return nil, cli.Usagef("--azdo-org and --azdo-project are required to queue Azure DevOps pipelines (subscription %s)", id)
	}
	return backends.NewDispatcher(f.Settings(getenv, log), subs)
}

// WithPaths returns the subscriptions of the jobs that have paths to queue.
func WithPaths(jobs []dispatch.Job) []subscription.Subscription {
	var subs []subscription.Subscription
	for _, j := range jobs {
		if len(j.Paths) > 0 {
			subs = append(subs, j.Subscription)
		}
	}
	return subs
}

// PrintDispatch writes one line per subscription: outcome, id, pipeline and detail (the run's
// link, the active runs, the breaker's failed runs, the error, or for a dry run the branch and
// exact parameter string).
func PrintDispatch(w interface{ Write([]byte) (int, error) }, results []dispatch.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range results {
		line := fmt.Sprintf("%s\t%s\t%s", r.Outcome, r.SubscriptionID, r.Target)
		if d := dispatchDetail(r); d != "" {
			line += "\t" + d
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
}

// dryRunPaths is how many paths a dry-run line shows before it summarizes.
const dryRunPaths = 3

func dispatchDetail(r dispatch.Result) string {
	urls := func(runs []dispatch.Run) string {
		var s []string
		for _, run := range runs {
			s = append(s, run.WebURL)
		}
		return strings.Join(s, " ")
	}
	var d string
	switch r.Outcome {
	case dispatch.Queued:
		d = r.Run.WebURL
	case dispatch.SkippedActive:
		d = "active: " + urls(r.Runs)
	case dispatch.BreakerTripped:
		d = fmt.Sprintf("CIRCUIT BREAKER: the last %d runs failed, queue manually after fixing them: %s", len(r.Runs), urls(r.Runs))
	case dispatch.Failed:
		d = "error: " + r.Err.Error()
	case dispatch.DryRun:
		if len(r.Paths) <= dryRunPaths {
			d = fmt.Sprintf("branch %s parameters %s", r.Target.Branch, r.Parameters)
		} else {
			d = fmt.Sprintf("branch %s, %d paths: %s, … and %d more (the exact parameters with --verbose)",
				r.Target.Branch, len(r.Paths), strings.Join(r.Paths[:dryRunPaths], ", "), len(r.Paths)-dryRunPaths)
		}
	}
	if r.NotifyErr != nil {
		d += " (notification failed: " + r.NotifyErr.Error() + ")"
	}
	return d
}

// DispatchStatus is the exit status of queueing: 1 when anything failed (a notification
// included), else 3 when a breaker tripped, else 0.
func DispatchStatus(results []dispatch.Result) int {
	code := cli.ExitOK
	for _, r := range results {
		switch {
		case r.Outcome == dispatch.Failed || r.NotifyErr != nil:
			return cli.ExitError
		case r.Outcome == dispatch.BreakerTripped:
			code = cli.ExitBreaker
		}
	}
	return code
}
