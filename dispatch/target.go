package dispatch

import (
	"strconv"

	"github.com/baseflow/baseflow/subscription"
)

// Target is the pipeline a subscription queues, and where.
type Target struct {
	Backend subscription.Backend

	// DefinitionID is the Azure DevOps build definition id.
	DefinitionID int

	// Owner, Repo and Workflow name a GitHub Actions workflow (a file name such as
	// "build.yml", or a numeric id) in the subscription's manifest repository.
	Owner, Repo, Workflow string

	// Branch is the bare branch the run is queued on: the manifest's branch.
	Branch string

	// Variable receives the --path string (subscription pipelineTrigger.pathVariable).
	Variable string
}

// TargetOf returns the target of a subscription: its pipeline trigger, on its manifest's
// branch (and, for GitHub Actions, its manifest's repository).
func TargetOf(s subscription.Subscription) Target {
	t := Target{
		Backend:  s.PipelineTrigger.Backend(),
		Branch:   s.Manifest.Branch,
		Variable: s.PipelineTrigger.PathVariable,
	}
	if t.Backend == subscription.GitHubActions {
		t.Owner, t.Repo, t.Workflow = s.Manifest.Owner, s.Manifest.Repo, s.PipelineTrigger.Workflow
	} else {
		t.DefinitionID = s.PipelineTrigger.ID
	}
	return t
}

// String names the pipeline without its branch, e.g. "azure-devops definition 373" or
// "github-actions dotnet/dotnet-docker workflow build.yml".
func (t Target) String() string {
	if t.Backend == subscription.GitHubActions {
		return string(t.Backend) + " " + t.Owner + "/" + t.Repo + " workflow " + t.Workflow
	}
	return string(t.Backend) + " definition " + strconv.Itoa(t.DefinitionID)
}
