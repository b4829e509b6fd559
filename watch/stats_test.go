package watch_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/watch"
)

func TestWritePrometheus(t *testing.T) {
	t.Parallel()
	s := watch.Stats{
		Events:        map[watch.Format]map[watch.EventKind]int64{watch.Distribution: {watch.KindAccepted: 3, watch.KindIgnored: 7}},
		Rejected:      map[string]int64{watch.RejectUnauthorized: 2},
		Unmatched:     4,
		Checks:        map[watch.Trigger]int64{watch.TriggerEvent: 5, watch.TriggerFull: 10},
		FailedChecks:  map[watch.Trigger]int64{watch.TriggerEvent: 1},
		Builds:        map[dispatch.Outcome]int64{dispatch.Queued: 2},
		Lookups:       12,
		FailedLookups: 1,
		LastFullCheck: time.Unix(1772442847, 0),
		Pending:       1,
		Indexed:       2,
		Unverified:    3,
	}
	var b strings.Builder
	require.NoError(t, s.WritePrometheus(&b))
	out := b.String()
	for _, line := range []string{
		`# TYPE baseflow_watch_events_received_total counter`,
		`baseflow_watch_events_received_total{format="distribution",kind="accepted"} 3`,
		`baseflow_watch_events_received_total{format="distribution",kind="ignored"} 7`,
		`baseflow_watch_events_received_total{format="dockerhub",kind="accepted"} 0`,
		`baseflow_watch_events_received_total{format="acr",kind="duplicate"} 0`,
		`baseflow_watch_requests_rejected_total{reason="unauthorized"} 2`,
		`baseflow_watch_requests_rejected_total{reason="too-large"} 0`,
		`baseflow_watch_requests_rejected_total{reason="busy"} 0`,
		`baseflow_watch_unverified_reads 3`,
		`baseflow_watch_events_unmatched_total 4`,
		`baseflow_watch_checks_total{trigger="event",result="ok"} 4`,
		`baseflow_watch_checks_total{trigger="event",result="failed"} 1`,
		`baseflow_watch_checks_total{trigger="full",result="ok"} 10`,
		`baseflow_watch_builds_total{outcome="queued"} 2`,
		`baseflow_watch_builds_total{outcome="skipped-active"} 0`,
		`baseflow_watch_registry_lookups_total{result="ok"} 11`,
		`baseflow_watch_registry_lookups_total{result="error"} 1`,
		`# TYPE baseflow_watch_last_full_check_success_timestamp_seconds gauge`,
		`baseflow_watch_last_full_check_success_timestamp_seconds 1772442847`,
		`baseflow_watch_events_pending 1`,
		`baseflow_watch_index_subscriptions 2`,
	} {
		assert.Contains(t, out, line+"\n")
	}
	// The exposition format: every sample line is "name{labels} value", every family has
	// HELP and TYPE before its samples.
	families := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			families[strings.Fields(name)[0]] = true
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		fields := strings.Fields(line)
		require.Len(t, fields, 2, line)
		name, _, _ := strings.Cut(fields[0], "{")
		assert.True(t, families[name], "sample before its TYPE line: %s", line)
	}
	assert.Len(t, families, 10)
}

func TestWritePrometheusZero(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	require.NoError(t, watch.Stats{}.WritePrometheus(&b))
	assert.Contains(t, b.String(), "baseflow_watch_last_full_check_success_timestamp_seconds 0\n")
	assert.Contains(t, b.String(), `baseflow_watch_checks_total{trigger="full",result="failed"} 0`+"\n")
}
