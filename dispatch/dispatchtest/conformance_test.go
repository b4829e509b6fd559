package dispatchtest_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/dispatchtest"
	"github.com/baseflow/baseflow/dispatch/pipelinetest"
	"github.com/baseflow/baseflow/subscription"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	pipelinetest.Run(t, func(t *testing.T, runs []dispatch.Run) pipelinetest.Backend {
		rec := dispatchtest.NewRecorder()
		target := dispatch.Target{Backend: subscription.AzureDevOps, DefinitionID: 373, Branch: "main", Variable: "imageBuilder.pathArgs"}
		var active []dispatch.Run
		for i := range runs {
			runs[i].WebURL = fmt.Sprintf("https://ci.invalid/runs/%d", runs[i].ID)
		}
		for _, r := range runs {
			if r.Active() {
				active = append(active, r)
			}
		}
		history := slices.Clone(runs)
		slices.SortFunc(history, func(a, b dispatch.Run) int { return b.QueuedAt.Compare(a.QueuedAt) })
		p := rec.Pipeline(target).SetActive(active...).SetHistory(history...)
		pipe, err := rec.Open(target)
		require.NoError(t, err)
		return pipelinetest.Backend{
			Pipeline: pipe,
			Queued: func() []dispatch.QueueRequest {
				var out []dispatch.QueueRequest
				for _, q := range rec.Queued() {
					out = append(out, dispatch.QueueRequest{Branch: q.Branch, Variable: q.Variable, Value: q.Value})
				}
				return out
			},
			Fail: func(op pipelinetest.Op) { p.Fail(dispatchtest.Op(op), errors.New("injected failure")) },
		}
	})
}
