package check_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/subscription"
)

// signalResolver closes looked when the first lookup starts.
type signalResolver struct {
	registry.Resolver
	once   sync.Once
	looked chan struct{}
}

func (r *signalResolver) Digest(ctx context.Context, ref string) (digest.Digest, error) {
	r.once.Do(func() { close(r.looked) })
	return r.Resolver.Digest(ctx, ref)
}

// gatedInfo is a Source whose image-info reads wait until gate is closed.
type gatedInfo struct {
	subscription.StaticSource
	gate <-chan struct{}
}

func (g gatedInfo) ReadFile(ctx context.Context, owner, repo, branch, path string) ([]byte, error) {
	select {
	case <-g.gate:
	case <-time.After(5 * time.Second):
		return nil, errors.New("image-info read waited 5 s for a lookup that never started")
	}
	return g.StaticSource.ReadFile(ctx, owner, repo, branch, path)
}

func TestLookupsStartBeforeImageInfoIsRead(t *testing.T) {
	t.Parallel()
	src := source(t, map[string][2]string{"a": {"alpine:3.20", "alpine"}})
	static, err := registry.NewStatic(map[string]digest.Digest{"alpine:3.20": current})
	require.NoError(t, err)
	res := &signalResolver{Resolver: static, looked: make(chan struct{})}
	c := &check.Checker{
		Manifests:   src,
		ImageInfo:   gatedInfo{StaticSource: src, gate: res.looked},
		Resolver:    registry.NewCache(res),
		LoadRecords: depgraph.LoadImageInfoRecords,
	}
	r := c.CheckOne(t.Context(), sub("a", ""))
	require.NoError(t, r.Err, "the lookup started while image-info was still being read")
	assert.Equal(t, []string{"x"}, r.Paths())
}

func TestDefaultConcurrency(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 4*runtime.GOMAXPROCS(0), check.DefaultConcurrency)
}
