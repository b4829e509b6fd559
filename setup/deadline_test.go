package setup_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/setup"
)

func TestWithRunTimeout(t *testing.T) {
	t.Parallel()
	ctx, cancel := setup.WithRunTimeout(context.Background(), 20*time.Millisecond, "--timeout")
	defer cancel()
	<-ctx.Done()
	err := setup.DeadlinePassed(ctx)
	require.Error(t, err)
	assert.EqualError(t, err, "the run did not finish within --timeout 20ms")
	assert.ErrorIs(t, ctx.Err(), context.DeadlineExceeded)

	// Canceled for another reason (a signal): not the deadline.
	ctx, cancel = setup.WithRunTimeout(context.Background(), time.Hour, "--timeout")
	cancel()
	assert.NoError(t, setup.DeadlinePassed(ctx))

	// No limit.
	ctx, cancel = setup.WithRunTimeout(context.Background(), 0, "--timeout")
	defer cancel()
	_, has := ctx.Deadline()
	assert.False(t, has)
}
