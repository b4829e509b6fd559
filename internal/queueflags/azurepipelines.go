package queueflags

import (
	"fmt"
	"io"
	"strings"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/internal/cli"
)

// AzurePipelinesTaskComplete is the logging command with which ImageBuilder's queueBuild ends
// its step when a circuit breaker tripped: the step shows as "succeeded with issues", the
// pipeline goes on.
const AzurePipelinesTaskComplete = "##vso[task.complete result=SucceededWithIssues]"

// WriteAzurePipelinesBreaker writes, when a circuit breaker tripped, one ##[error] line per
// subscription that was not queued (with the failed runs to look at), then
// AzurePipelinesTaskComplete. It writes nothing when no breaker tripped.
func WriteAzurePipelinesBreaker(w io.Writer, results []dispatch.Result) error {
	tripped := false
	for _, r := range results {
		if r.Outcome != dispatch.BreakerTripped {
			continue
		}
		tripped = true
		var urls []string
		for _, run := range r.Runs {
			urls = append(urls, run.WebURL)
		}
		if _, err := fmt.Fprintf(w, "##[error]Unable to queue build due to too many recent build failures: %s (%s): the last %d runs failed: %s\n",
			r.SubscriptionID, r.Target, len(r.Runs), strings.Join(urls, " ")); err != nil {
			return err
		}
	}
	if !tripped {
		return nil
	}
	_, err := fmt.Fprintln(w, AzurePipelinesTaskComplete)
	return err
}

// DispatchStatusFor is DispatchStatus for an output format: with azure-pipelines a tripped
// breaker alone exits 0, the step being marked "succeeded with issues" by
// WriteAzurePipelinesBreaker, as ImageBuilder does.
func DispatchStatusFor(format string, results []dispatch.Result) int {
	code := DispatchStatus(results)
	if code == cli.ExitBreaker && format == "azure-pipelines" {
		return cli.ExitOK
	}
	return code
}

// WriteDispatch writes the dispatch results to w as the commands print them (PrintDispatch,
// then with the azure-pipelines format WriteAzurePipelinesBreaker) and returns the exit
// status (DispatchStatusFor): a tripped breaker exits 0 only when the step was marked
// "succeeded with issues". err is a failed write.
func WriteDispatch(w io.Writer, format string, results []dispatch.Result) (code int, err error) {
	PrintDispatch(w, results)
	if format == "azure-pipelines" {
		if err := WriteAzurePipelinesBreaker(w, results); err != nil {
			return cli.ExitError, err
		}
	}
	return DispatchStatusFor(format, results), nil
}
