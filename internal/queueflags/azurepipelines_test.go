package queueflags

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
		// WriteDispatch prints a line per result, and the ##[error] and ##vso lines only
		// for azure-pipelines: the exit status 0 of a tripped breaker comes with them.
		var b bytes.Buffer
		code, err := WriteDispatch(&b, tc.format, tc.results)
		require.NoError(t, err)
		assert.Equal(t, tc.code, code, "%s %v", tc.format, tc.results)
		assert.Equal(t, len(tc.results)+tc.lines, bytes.Count(b.Bytes(), []byte("\n")), b.String())
		assert.Equal(t, tc.lines, bytes.Count(b.Bytes(), []byte("\n##")), b.String())
	}
}
