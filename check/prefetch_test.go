package check_test

import (
	"context"
	"io/fs"
	"sync"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/subscription"
)

// prefetchRecorder is a Source that records what was announced before the first read.
type prefetchRecorder struct {
	subscription.StaticSource
	mu        sync.Mutex
	announced []subscription.Branch
	read      bool
	early     bool // announced before any read
}

func (p *prefetchRecorder) Prefetch(b []subscription.Branch) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.announced = append(p.announced, b...)
	p.early = !p.read
}

func (p *prefetchRecorder) Tree(ctx context.Context, owner, repo, branch string) (fs.FS, error) {
	p.mu.Lock()
	p.read = true
	p.mu.Unlock()
	return p.StaticSource.Tree(ctx, owner, repo, branch)
}

func TestCheckAnnouncesBranchesFirst(t *testing.T) {
	t.Parallel()
	src := &prefetchRecorder{StaticSource: source(t, map[string][2]string{"a": {"alpine:3.20", "alpine"}, "b": {"alpine:3.20", "alpine"}})}
	static, err := registry.NewStatic(map[string]digest.Digest{"alpine:3.20": current})
	require.NoError(t, err)
	c := &check.Checker{Manifests: src, Resolver: static, LoadRecords: depgraph.LoadImageInfoRecords}
	subs := []subscription.Subscription{sub("a", ""), sub("b", ""), sub("a", "")}
	for _, r := range c.Check(t.Context(), subs) {
		require.NoError(t, r.Err)
	}
	assert.True(t, src.early, "announced before the first read")
	assert.Equal(t, []subscription.Branch{
		{Owner: "o", Repo: "a", Branch: "main"}, {Owner: "o", Repo: "a-info", Branch: "main"},
		{Owner: "o", Repo: "b", Branch: "main"}, {Owner: "o", Repo: "b-info", Branch: "main"},
	}, src.announced, "each branch once, in first-seen order")
}
