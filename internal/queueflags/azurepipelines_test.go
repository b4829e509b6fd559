package queueflags

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/internal/cli"
)

func TestDispatchStatusFor(t *testing.T) {
	t.Parallel()
	tripped := dispatch.Result{Outcome: dispatch.BreakerTripped, SubscriptionID: "a/b/main/manifest.json", Runs: []dispatch.Run{{WebURL: "https://x/1"}}}
	failed := dispatch.Result{Outcome: dispatch.Failed, Err: errors.New("boom")}
	queued := dispatch.Result{Outcome: dispatch.Queued}
	for _, tc := range []struct {
		format  string
		results []dispatch.Result
		code    int
		lines   int
	}{
		{"text", []dispatch.Result{queued, tripped}, cli.ExitBreaker, 0},
		{"json", []dispatch.Result{queued, tripped}, cli.ExitBreaker, 0},
		{"azure-pipelines", []dispatch.Result{queued, tripped}, cli.ExitOK, 2},
		{"azure-pipelines", []dispatch.Result{tripped, failed}, cli.ExitError, 2},
		{"azure-pipelines", []dispatch.Result{queued}, cli.ExitOK, 0},
	} {
		assert.Equal(t, tc.code, DispatchStatusFor(tc.format, tc.results), "%s %v", tc.format, tc.results)
		if tc.format == "azure-pipelines" {
			var b bytes.Buffer
			assert.NoError(t, WriteAzurePipelinesBreaker(&b, tc.results))
			assert.Equal(t, tc.lines, bytes.Count(b.Bytes(), []byte("\n")), b.String())
		}
	}
}
