package dispatch_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/subscription"
)

// testSubscriptions: two Azure DevOps definitions and one GitHub Actions workflow.
const testSubscriptions = `[
  {"manifest": {"owner": "dotnet", "repo": "dotnet-docker", "branch": "main", "path": "manifest.json"},
   "imageInfo": {"owner": "dotnet", "repo": "versions", "branch": "main", "path": "build-info/docker/image-info.dotnet-dotnet-docker-main.json"},
   "pipelineTrigger": {"id": 373, "pathVariable": "imageBuilder.pathArgs"}, "osType": "linux"},
  {"manifest": {"owner": "dotnet", "repo": "dotnet-docker", "branch": "nightly", "path": "manifest.json"},
   "imageInfo": {"owner": "dotnet", "repo": "versions", "branch": "main", "path": "build-info/docker/image-info.dotnet-dotnet-docker-nightly.json"},
   "pipelineTrigger": {"id": 359, "pathVariable": "imageBuilder.pathArgs"}},
  {"manifest": {"owner": "octo", "repo": "images", "branch": "main", "path": "manifest.json"},
   "imageInfo": {"owner": "octo", "repo": "images", "branch": "image-info", "path": "image-info.json"},
   "pipelineTrigger": {"workflow": "build.yml", "pathVariable": "paths"}}
]`

const (
	mainID    = "dotnet/dotnet-docker/main/manifest.json"
	nightlyID = "dotnet/dotnet-docker/nightly/manifest.json"
	octoID    = "octo/images/main/manifest.json"
)

func loadSubs(t *testing.T) []subscription.Subscription {
	t.Helper()
	subs, err := subscription.Parse("subscriptions.json", []byte(testSubscriptions))
	require.NoError(t, err)
	return subs
}

func paths(id string, p ...string) subscription.ImagePaths {
	return subscription.ImagePaths{SubscriptionID: id, ImagePaths: p}
}

func TestConsolidate(t *testing.T) {
	t.Parallel()
	got := dispatch.Consolidate(
		[]subscription.ImagePaths{paths("b", "p1", "p2"), paths("a", "x")},
		[]subscription.ImagePaths{paths("b", "p3", "p1"), paths("c")},
		[]subscription.ImagePaths{paths("a", "y", "x", "y")},
	)
	assert.Equal(t, []subscription.ImagePaths{
		paths("b", "p1", "p2", "p3"),
		paths("a", "x", "y"),
		{SubscriptionID: "c", ImagePaths: []string{}},
	}, got)
	assert.Empty(t, dispatch.Consolidate())
}

func TestPlan(t *testing.T) {
	t.Parallel()
	subs := loadSubs(t)
	jobs, err := dispatch.Plan(subs,
		[]subscription.ImagePaths{paths(octoID, "alpine/3.20"), paths(mainID, "src/a", "src/b")},
		[]subscription.ImagePaths{paths(mainID, "src/c", "src/a")},
	)
	require.NoError(t, err)
	require.Len(t, jobs, 3)

	assert.Equal(t, octoID, jobs[0].Subscription.ID())
	assert.Equal(t, dispatch.Target{Backend: subscription.GitHubActions, Owner: "octo", Repo: "images",
		Workflow: "build.yml", Branch: "main", Variable: "paths"}, jobs[0].Target)
	assert.Equal(t, `{"paths": "--path 'alpine/3.20'"}`, jobs[0].Parameters())

	assert.Equal(t, mainID, jobs[1].Subscription.ID())
	assert.Equal(t, []string{"src/a", "src/b", "src/c"}, jobs[1].Paths)
	assert.Equal(t, dispatch.Target{Backend: subscription.AzureDevOps, DefinitionID: 373, Branch: "main",
		Variable: "imageBuilder.pathArgs"}, jobs[1].Target)
	assert.Equal(t, "--path 'src/a' --path 'src/b' --path 'src/c'", jobs[1].Value())

	// Subscriptions the inputs do not name come last, with nothing to do.
	assert.Equal(t, nightlyID, jobs[2].Subscription.ID())
	assert.Empty(t, jobs[2].Paths)
}

func TestPlanRefusesBadInput(t *testing.T) {
	t.Parallel()
	subs := loadSubs(t)

	_, err := dispatch.Plan(subs, []subscription.ImagePaths{paths("dotnet/nope/main/manifest.json", "src/a")})
	var unknown *dispatch.UnknownSubscriptionError
	require.ErrorAs(t, err, &unknown)
	assert.Equal(t, "dotnet/nope/main/manifest.json", unknown.ID)
	assert.Contains(t, err.Error(), "dotnet/nope/main/manifest.json")

	// Every problem is reported, each naming its path.
	_, err = dispatch.Plan(subs, []subscription.ImagePaths{
		paths(mainID, "src/ok", "src/a' --push 'x", "/etc/passwd"),
		paths(octoID, "../up", "a\nb"),
	})
	require.Error(t, err)
	var pathErrs []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var pe *dispatch.PathError
		require.True(t, errors.As(e, &pe), e.Error())
		pathErrs = append(pathErrs, pe.SubscriptionID+" "+pe.Path)
	}
	assert.Equal(t, []string{
		mainID + " src/a' --push 'x", mainID + " /etc/passwd", octoID + " ../up", octoID + " a\nb",
	}, pathErrs)
	assert.Contains(t, err.Error(), `"a\nb"`, "control characters are shown escaped")
}

func TestTargetString(t *testing.T) {
	t.Parallel()
	subs := loadSubs(t)
	assert.Equal(t, "azure-devops definition 373", dispatch.TargetOf(subs[0]).String())
	assert.Equal(t, "github-actions octo/images workflow build.yml", dispatch.TargetOf(subs[2]).String())
}
