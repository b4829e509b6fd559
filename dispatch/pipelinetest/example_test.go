package pipelinetest_test

import (
	"errors"
	"testing"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/dispatchtest"
	"github.com/baseflow/baseflow/dispatch/pipelinetest"
	"github.com/baseflow/baseflow/subscription"
)

// A backend runs the suite from a test of its own package: the setup function puts the runs
// on the backend (here the dispatchtest recorder) and says how to read what was queued and how
// to make a call fail.
func ExampleRun() {
	_ = func(t *testing.T) { // func TestConformance(t *testing.T)
		pipelinetest.Run(t, func(t *testing.T, runs []dispatch.Run) pipelinetest.Backend {
			rec := dispatchtest.NewRecorder()
			target := dispatch.Target{Backend: subscription.AzureDevOps, DefinitionID: 1, Branch: "main"}
			p := rec.Pipeline(target).SetHistory(runs...) // and SetActive, newest first, ...
			pipe, _ := rec.Open(target)
			return pipelinetest.Backend{
				Pipeline: pipe,
				Queued: func() []dispatch.QueueRequest {
					var out []dispatch.QueueRequest
					for _, q := range rec.Queued() {
						out = append(out, dispatch.QueueRequest{Branch: q.Branch, Variable: q.Variable, Value: q.Value})
					}
					return out
				},
				Fail: func(op pipelinetest.Op) { p.Fail(dispatchtest.Op(op), errors.New("down")) },
			}
		})
	}
}
