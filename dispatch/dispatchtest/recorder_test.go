package dispatchtest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/dispatchtest"
	"github.com/baseflow/baseflow/subscription"
)

func TestRecorder(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	rec := &dispatchtest.Recorder{Now: func() time.Time { return now }}
	target := dispatch.Target{Backend: subscription.AzureDevOps, DefinitionID: 7, Branch: "main", Variable: "v"}
	old := dispatch.Run{ID: 1, Status: dispatch.RunCompleted, Result: dispatch.RunFailed}
	rec.Pipeline(target).SetHistory(old)

	p, err := rec.Open(target)
	require.NoError(t, err)
	ctx := context.Background()
	active, err := p.ActiveRuns(ctx)
	require.NoError(t, err)
	assert.Empty(t, active)
	run, err := p.Queue(ctx, dispatch.QueueRequest{Branch: "main", Variable: "v", Value: "--path 'a'"})
	require.NoError(t, err)
	assert.Equal(t, dispatch.Run{ID: 1, Status: dispatch.RunQueued, WebURL: "https://ci.invalid/runs/1", QueuedAt: now}, run)

	active, err = p.ActiveRuns(ctx)
	require.NoError(t, err)
	assert.Equal(t, []dispatch.Run{run}, active, "a queued run is active")
	recent, err := p.RecentRuns(ctx, 5)
	require.NoError(t, err)
	assert.Equal(t, []dispatch.Run{run, old}, recent, "newest first")
	recent, err = p.RecentRuns(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, []dispatch.Run{run}, recent)

	assert.Equal(t, []dispatchtest.Queued{{
		Pipeline: "azure-devops definition 7", Target: target, Branch: "main", Variable: "v",
		Value: "--path 'a'", Parameters: `{"v": "--path 'a'"}`, Run: run,
	}}, rec.Queued())
	var ops []dispatchtest.Op
	for _, c := range rec.Calls() {
		ops = append(ops, c.Op)
	}
	assert.Equal(t, []dispatchtest.Op{"Open", "ActiveRuns", "Queue", "ActiveRuns", "RecentRuns", "RecentRuns"}, ops)

	boom := errors.New("boom")
	rec.Pipeline(target).Fail(dispatchtest.OpQueue, boom)
	_, err = p.Queue(ctx, dispatch.QueueRequest{Branch: "main"})
	assert.ErrorIs(t, err, boom)
	assert.Len(t, rec.Queued(), 1)
	rec.Pipeline(target).Fail(dispatchtest.OpOpen, boom)
	_, err = rec.Open(target)
	assert.ErrorIs(t, err, boom)
	rec.Pipeline(target).Fail(dispatchtest.OpOpen, nil)
	_, err = rec.Open(target)
	assert.NoError(t, err)
}
