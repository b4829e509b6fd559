package github_test

import (
	"net/http"
	"testing"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/pipelinetest"
	"github.com/baseflow/baseflow/githubtest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	status := map[dispatch.RunStatus]string{dispatch.RunQueued: "queued", dispatch.RunInProgress: "in_progress", dispatch.RunCompleted: "completed"}
	conclusion := map[dispatch.RunResult]string{dispatch.RunSucceeded: "success", dispatch.RunFailed: "failure", dispatch.RunCanceled: "cancelled"}
	pipelinetest.Run(t, func(t *testing.T, runs []dispatch.Run) pipelinetest.Backend {
		srv := githubtest.NewServer(t, githubtest.WithToken(token))
		var ghRuns []githubtest.Run
		for _, r := range runs {
			ghRuns = append(ghRuns, githubtest.Run{ID: r.ID, Status: status[r.Status], Conclusion: conclusion[r.Result],
				Branch: "main", Event: "workflow_dispatch", CreatedAt: r.QueuedAt})
		}
		srv.Workflow("octo", "images", "build.yml", ghRuns...)
		return pipelinetest.Backend{
			Pipeline: newClient(t, srv, nil).Workflow("octo", "images", "build.yml", "main"),
			Queued: func() []dispatch.QueueRequest {
				var out []dispatch.QueueRequest
				for _, d := range srv.Dispatches() {
					for name, value := range d.Inputs {
						out = append(out, dispatch.QueueRequest{Branch: d.Ref, Variable: name, Value: value})
					}
				}
				return out
			},
			Fail: func(op pipelinetest.Op) {
				method := http.MethodGet
				if op == pipelinetest.OpQueue {
					method = http.MethodPost
				}
				srv.FailNext(method, http.StatusInternalServerError, -1)
			},
		}
	})
}
