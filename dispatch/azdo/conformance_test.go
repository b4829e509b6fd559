package azdo_test

import (
	"net/http"
	"testing"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/azdo/azdotest"
	"github.com/baseflow/baseflow/dispatch/pipelinetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	status := map[dispatch.RunStatus]string{dispatch.RunQueued: "notStarted", dispatch.RunInProgress: "inProgress", dispatch.RunCompleted: "completed"}
	result := map[dispatch.RunResult]string{dispatch.RunSucceeded: "succeeded", dispatch.RunFailed: "failed", dispatch.RunCanceled: "canceled"}
	pipelinetest.Run(t, func(t *testing.T, runs []dispatch.Run) pipelinetest.Backend {
		srv := azdotest.NewServer(t, "dnceng", "internal", token)
		var builds []azdotest.Build
		for _, r := range runs {
			builds = append(builds, azdotest.Build{ID: r.ID, Status: status[r.Status], Result: result[r.Result], QueueTime: r.QueuedAt})
		}
		srv.Definition(373, builds...)
		return pipelinetest.Backend{
			Pipeline: newClient(t, srv, nil).Definition(373),
			Queued: func() []dispatch.QueueRequest {
				var out []dispatch.QueueRequest
				for _, q := range srv.Queued() {
					for name, value := range q.Variables {
						out = append(out, dispatch.QueueRequest{Branch: q.SourceBranch, Variable: name, Value: value})
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
