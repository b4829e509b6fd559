package gitsource

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestStalledServerFailsTheFetch: a server that accepts the connection and never answers
// fails the fetch after the stall timeout, without a deadline on the context.
func TestStalledServerFailsTheFetch(t *testing.T) {
	defer func(d time.Duration) { stallTimeout = d }(stallTimeout)
	stallTimeout = time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	defer func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}()
	src, err := New(WithURLTemplate("http://"+ln.Addr().String()+"/{owner}/{repo}"), WithTempDir(t.TempDir()),
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
