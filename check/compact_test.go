package check_test

import (
	"context"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/subscription"
)

func TestCompactResultsKeepWhatOutputsNeed(t *testing.T) {
	t.Parallel()
	src := source(t, map[string][2]string{"a": {"alpine:3.20", "alpine"}, "b": {"debian:12", "debian"}})
	static, err := registry.NewStatic(map[string]digest.Digest{"alpine:3.20": current, "debian:12": recorded})
	require.NoError(t, err)
	subs := []subscription.Subscription{sub("a", ""), sub("b", ""), sub("a", "windows")}
	full := &check.Checker{Manifests: src, Resolver: static, LoadRecords: depgraph.LoadImageInfoRecords, OSType: "linux"}
	compact := *full
	compact.Compact = true

	want := full.Check(context.Background(), subs)
	got := compact.Check(context.Background(), subs)
	require.Len(t, got, 3)
	for i, r := range got {
		assert.Nil(t, r.Graph, i)
		assert.Nil(t, r.Stale, i)
		assert.Equal(t, want[i].Status(), r.Status(), i)
		assert.Equal(t, want[i].Paths(), r.Paths(), i)
		assert.Equal(t, want[i].Reasons(), r.Reasons(), i)
		w, g := want[i].Summary, r.Summary
		w.DurationMS, g.DurationMS = 0, 0
		assert.Equal(t, w, g, i)
	}
	assert.Equal(t, []string{"x"}, got[0].Paths())
	assert.Equal(t, map[string]string{"x": want[0].Stale.Images[0].Reason.String()}, got[0].Reasons())
	assert.Equal(t, [][]string{{"x"}}, got[0].Summary.Waves)
	assert.Equal(t, 1, got[0].Summary.Candidates)
	assert.Equal(t, check.StatusUpToDate, got[1].Status())
	assert.Equal(t, check.StatusSkipped, got[2].Status())

	wantReport := check.NewReport(want, nil)
	gotReport := check.NewReport(got, nil)
	for i := range wantReport.Subscriptions {
		wantReport.Subscriptions[i].DurationMS, gotReport.Subscriptions[i].DurationMS = 0, 0
	}
	assert.Equal(t, wantReport, gotReport, "the report is the same from compact results")
}
