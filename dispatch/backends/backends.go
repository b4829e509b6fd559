// Package backends builds a Dispatcher from plain settings: it opens the client of each CI
// system the subscriptions queue on (Azure DevOps, GitHub Actions), and only those, and sets the
// guards. The clients come from one table keyed by backend kind, so a new CI system is its
// dispatch subpackage and one entry there. Package setup offers the same call beside the
// check's wiring; this package imports nothing of the check engine, so a program that only
// queues builds stays small.
package backends

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/azdo"
	"github.com/baseflow/baseflow/dispatch/github"
	"github.com/baseflow/baseflow/subscription"
)

// Settings say where and with which guards rebuilds are queued.
type Settings struct {
	// AzureDevOpsURL is the Azure DevOps service (Azure DevOps Server: the collection's
	// parent); empty means azdo.DefaultBaseURL.
	AzureDevOpsURL string
	// AzureDevOpsOrg and AzureDevOpsProject hold the build definitions; both are required
	// when a subscription queues on Azure DevOps.
	AzureDevOpsOrg     string
	AzureDevOpsProject string
	// GitHubAPIURL is the GitHub REST API; empty means github.DefaultBaseURL.
	GitHubAPIURL string
	// FailureLimit is how many newest runs must all have failed for the circuit breaker to
	// trip; zero means dispatch.DefaultFailureLimit, negative turns the breaker off.
	FailureLimit int
	// DryRun reports what would be queued and makes no call.
	DryRun bool
	// NotifyRepo, "OWNER/REPO", receives an issue per subscription outcome (GITHUB_TOKEN).
	NotifyRepo string
	// Backends, when set, replaces the clients NewDispatcher would open (an in-memory
	// recorder in tests and demonstrations); NotifyRepo is then not served.
	Backends dispatch.Backends
	// Getenv reads the tokens (AZURE_DEVOPS_TOKEN or SYSTEM_ACCESSTOKEN, GITHUB_TOKEN); nil
	// means os.Getenv.
	Getenv func(string) string
	// Logger receives the requests and outcomes; nil discards them.
	Logger *slog.Logger
}

// Validate reports a setting that cannot work.
func (s Settings) Validate() error {
	if s.NotifyRepo != "" {
		if _, _, ok := splitRepo(s.NotifyRepo); !ok {
			return fmt.Errorf("backends: notify repository %q: want OWNER/REPO", s.NotifyRepo)
		}
	}
	return nil
}

func splitRepo(s string) (owner, repo string, ok bool) {
	owner, repo, ok = strings.Cut(s, "/")
	return owner, repo, ok && owner != "" && repo != "" && !strings.Contains(repo, "/")
}

// backendClients builds the client of each backend kind from the settings, in the order
// their errors are reported. A new CI system is its dispatch subpackage and one entry here.
var backendClients = []struct {
	kind subscription.Backend
	open func(Settings, func(string) string) (dispatch.Opener, error)
}{
	{subscription.AzureDevOps, newAzureDevOps},
	{subscription.GitHubActions, newGitHubActions},
}

func newAzureDevOps(s Settings, env func(string) string) (dispatch.Opener, error) {
	if s.AzureDevOpsOrg == "" || s.AzureDevOpsProject == "" {
		return nil, errors.New("backends: an Azure DevOps organization and project are required to queue Azure DevOps pipelines")
	}
	opts := []azdo.Option{azdo.WithEnv(env), azdo.WithLogger(s.Logger)}
	if s.AzureDevOpsURL != "" {
		opts = append(opts, azdo.WithBaseURL(s.AzureDevOpsURL))
	}
	return azdo.New(s.AzureDevOpsOrg, s.AzureDevOpsProject, opts...)
}

func newGitHubActions(s Settings, env func(string) string) (dispatch.Opener, error) {
	opts := []github.Option{github.WithEnv(env), github.WithLogger(s.Logger)}
	if s.GitHubAPIURL != "" {
		opts = append(opts, github.WithBaseURL(s.GitHubAPIURL))
	}
	return github.New(opts...)
}

// NewDispatcher returns a dispatcher with the backend clients subs need, and only those: a
// run with only GitHub Actions subscriptions needs no Azure DevOps token. NotifyRepo needs
// the GitHub client too. A dry run opens no client at all.
func NewDispatcher(s Settings, subs []subscription.Subscription) (*dispatch.Dispatcher, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	for _, sub := range subs {
		// A check reads subscriptions without a pipelineTrigger; queueing needs one.
		if err := sub.Validate(); err != nil {
			return nil, fmt.Errorf("subscription %s: %w", sub.ID(), err)
		}
	}
	d := &dispatch.Dispatcher{Backends: dispatch.Backends{}, FailureLimit: s.FailureLimit, DryRun: s.DryRun, Logger: s.Logger}
	if s.DryRun {
		return d, nil
	}
	if s.Backends != nil {
		d.Backends = s.Backends
		return d, nil
	}
	needed := map[subscription.Backend]bool{}
	for _, sub := range subs {
		needed[sub.PipelineTrigger.Backend()] = true
	}
	owner, repo, notify := splitRepo(s.NotifyRepo)
	env := getenv(s.Getenv)
	for _, b := range backendClients {
		if !needed[b.kind] && !(notify && b.kind == subscription.GitHubActions) {
			continue
		}
		client, err := b.open(s, env)
		if err != nil {
			return nil, err
		}
		d.Backends[b.kind] = client
	}
	if notify {
		d.Notifier = d.Backends[subscription.GitHubActions].(*github.Client).Notifier(owner, repo)
	}
	return d, nil
}

// NeedsAzureDevOps returns the id of the first subscription that queues on Azure DevOps, or
// "" when none does.
func NeedsAzureDevOps(subs []subscription.Subscription) string {
	for _, sub := range subs {
		if sub.PipelineTrigger.Backend() == subscription.AzureDevOps {
			return sub.ID()
		}
	}
	return ""
}

func getenv(f func(string) string) func(string) string {
	if f == nil {
		return os.Getenv
	}
	return f
}
