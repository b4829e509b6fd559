package backends_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/azdo/azdotest"
	"github.com/baseflow/baseflow/dispatch/backends"
	"github.com/baseflow/baseflow/dispatch/dispatchtest"
	"github.com/baseflow/baseflow/subscription"
)

// subs returns an Azure DevOps subscription and a GitHub Actions one.
func subs(t *testing.T) []subscription.Subscription {
	t.Helper()
	s, err := subscription.Parse("subscriptions.json", []byte(`[
	  {"manifest": {"owner": "o", "repo": "azure", "branch": "main", "path": "manifest.json"},
	   "imageInfo": {"owner": "o", "repo": "info", "branch": "main", "path": "a.json"},
	   "pipelineTrigger": {"id": 42, "pathVariable": "imageBuilder.pathArgs"}},
	  {"manifest": {"owner": "o", "repo": "gh", "branch": "main", "path": "manifest.json"},
	   "imageInfo": {"owner": "o", "repo": "info", "branch": "main", "path": "g.json"},
	   "pipelineTrigger": {"workflow": "build.yml", "pathVariable": "paths"}}]`))
	require.NoError(t, err)
	return s
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestNewDispatcherOpensOnlyWhatIsNeeded(t *testing.T) {
	t.Parallel()
	all := subs(t)
	tokens := env(map[string]string{"AZURE_DEVOPS_TOKEN": "pat", "GITHUB_TOKEN": "gh"})
	kinds := func(d *dispatch.Dispatcher) []subscription.Backend {
		var k []subscription.Backend
		for kind := range d.Backends {
			k = append(k, kind)
		}
		slices.Sort(k)
		return k
	}

	d, err := backends.NewDispatcher(backends.Settings{Getenv: env(map[string]string{"GITHUB_TOKEN": "gh"})}, all[1:])
	require.NoError(t, err, "GitHub Actions alone needs no Azure DevOps token or project")
	assert.Equal(t, []subscription.Backend{subscription.GitHubActions}, kinds(d))
	assert.Nil(t, d.Notifier)

	d, err = backends.NewDispatcher(backends.Settings{AzureDevOpsOrg: "org", AzureDevOpsProject: "p", Getenv: tokens, FailureLimit: 5}, all)
	require.NoError(t, err)
	assert.Equal(t, []subscription.Backend{subscription.AzureDevOps, subscription.GitHubActions}, kinds(d))
	assert.Equal(t, 5, d.FailureLimit)

	d, err = backends.NewDispatcher(backends.Settings{AzureDevOpsOrg: "org", AzureDevOpsProject: "p", NotifyRepo: "o/notes", Getenv: tokens}, all[:1])
	require.NoError(t, err)
	assert.Equal(t, []subscription.Backend{subscription.AzureDevOps, subscription.GitHubActions}, kinds(d), "notifications need the GitHub client")
	assert.NotNil(t, d.Notifier)

	d, err = backends.NewDispatcher(backends.Settings{DryRun: true}, all)
	require.NoError(t, err, "a dry run opens nothing, so needs no token")
	assert.Empty(t, d.Backends)
	assert.True(t, d.DryRun)
}

func TestNewDispatcherErrors(t *testing.T) {
	t.Parallel()
	all := subs(t)
	_, err := backends.NewDispatcher(backends.Settings{Getenv: env(nil)}, all[:1])
	assert.ErrorContains(t, err, "Azure DevOps organization and project are required")
	_, err = backends.NewDispatcher(backends.Settings{AzureDevOpsOrg: "org", AzureDevOpsProject: "p", Getenv: env(nil)}, all[:1])
	assert.ErrorContains(t, err, "AZURE_DEVOPS_TOKEN", "no token in the environment")
	_, err = backends.NewDispatcher(backends.Settings{Getenv: env(nil)}, all[1:])
	assert.ErrorContains(t, err, "GITHUB_TOKEN")
	_, err = backends.NewDispatcher(backends.Settings{NotifyRepo: "just-owner", DryRun: true}, all)
	assert.ErrorContains(t, err, `"just-owner": want OWNER/REPO`)
}

func TestNewDispatcherQueuesOnAzureDevOps(t *testing.T) {
	t.Parallel()
	srv := azdotest.NewServer(t, "org", "proj", "pat")
	srv.Definition(42)
	all := subs(t)
	d, err := backends.NewDispatcher(backends.Settings{AzureDevOpsURL: srv.URL, AzureDevOpsOrg: "org", AzureDevOpsProject: "proj",
		Getenv: env(map[string]string{"AZURE_DEVOPS_TOKEN": "pat"})}, all[:1])
	require.NoError(t, err)
	results, err := d.Dispatch(context.Background(), all[:1], []subscription.ImagePaths{{SubscriptionID: all[0].ID(), ImagePaths: []string{"src/a"}}})
	require.NoError(t, err)
	require.Len(t, results, 1)
	assert.Equal(t, dispatch.Queued, results[0].Outcome, "%v", results[0].Err)
	require.Len(t, srv.Queued(), 1)
	assert.Equal(t, `{"imageBuilder.pathArgs": "--path 'src/a'"}`, srv.Queued()[0].Parameters)
}

func TestNewDispatcherWithGivenBackends(t *testing.T) {
	t.Parallel()
	all := subs(t)
	rec := dispatchtest.NewRecorder()
	d, err := backends.NewDispatcher(backends.Settings{Backends: dispatch.Backends{subscription.AzureDevOps: rec}, FailureLimit: -1, Getenv: env(nil)}, all)
	require.NoError(t, err, "given backends need no token")
	assert.Equal(t, -1, d.FailureLimit)
	results, err := d.Dispatch(context.Background(), all, []subscription.ImagePaths{
		{SubscriptionID: all[0].ID(), ImagePaths: []string{"src/a"}},
		{SubscriptionID: all[1].ID(), ImagePaths: []string{"src/g"}},
	})
	require.NoError(t, err)
	assert.Equal(t, dispatch.Queued, results[0].Outcome)
	assert.Equal(t, dispatch.Failed, results[1].Outcome, "no GitHub Actions backend was given")
	assert.ErrorContains(t, results[1].Err, "no github-actions backend is configured")
	require.Len(t, rec.Queued(), 1)
}

// TestNewDispatcherNeedsPipelineTrigger: a subscription the check accepts without a
// pipelineTrigger cannot be queued.
func TestNewDispatcherNeedsPipelineTrigger(t *testing.T) {
	t.Parallel()
	subs, err := subscription.Parse("subs.json", []byte(`[{"manifest": {"owner": "o", "repo": "r", "branch": "main", "path": "manifest.json"},
	  "imageInfo": {"owner": "o", "repo": "versions", "branch": "main", "path": "info.json"}}]`))
	require.NoError(t, err)
	_, err = backends.NewDispatcher(backends.Settings{DryRun: true}, subs)
	assert.EqualError(t, err, "subscription o/r/main/manifest.json: .pipelineTrigger.pathVariable: required")
}
