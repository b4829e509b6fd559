//go:build unix

package cli_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/internal/cli"
)

// TestSignalContextSIGTERM checks that SIGTERM cancels the context, as SIGINT does.
func TestSignalContextSIGTERM(t *testing.T) {
	ctx, stop := cli.SignalContext(context.Background())
	defer stop()
	require.NoError(t, syscall.Kill(syscall.Getpid(), syscall.SIGTERM))
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("SIGTERM did not cancel the context")
	}
	assert.ErrorIs(t, ctx.Err(), context.Canceled)
}
