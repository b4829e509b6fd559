package gitsource

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/internal/silentserver"
)

// TestStalledServerFailsTheFetch: a server that accepts the connection and never answers
// fails the fetch after the stall timeout, without a deadline on the context.
func TestStalledServerFailsTheFetch(t *testing.T) {
	defer func(d time.Duration) { stallTimeout = d }(stallTimeout)
	stallTimeout = time.Second
	addr := silentserver.Start(t).Addr
	src, err := New(WithURLTemplate("http://"+addr+"/{owner}/{repo}"), WithTempDir(t.TempDir()),
		WithEnv("GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"))
	require.NoError(t, err)
	defer src.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	_, err = src.Tree(ctx, "acme", "app", "main")
	require.Error(t, err)
	require.NoError(t, ctx.Err(), "the fetch waited for the context's deadline")
	require.ErrorContains(t, err, "too slow")
}
