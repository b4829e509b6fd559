package registry_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/registry"
)

// hanging never answers: it returns only when its context ends, as a client whose registry
// accepted the connection and went silent.
var hanging = fakeResolver(func(ctx context.Context, ref string) (digest.Digest, error) {
	<-ctx.Done()
	return "", &registry.Error{Ref: ref, Op: "HEAD", Kind: registry.Canceled, Err: ctx.Err()}
})

// TestCacheLookupBudget checks that a lookup of a registry that never answers fails within
// its budget, as a network failure that says the budget was spent, for every reference, and
// that a quick lookup is not affected.
func TestCacheLookupBudget(t *testing.T) {
	t.Parallel()
	const budget = 50 * time.Millisecond
	c := registry.NewCache(hanging, registry.WithLookupTimeout(budget), registry.WithConcurrency(2))
	start := time.Now()
	digests, errs := c.ResolveAll(context.Background(), []string{"alpine:3.20", "debian:12", "ubuntu:noble"})
	elapsed := time.Since(start)
	assert.Empty(t, digests)
	require.Len(t, errs, 3)
	for ref, err := range errs {
		assert.Equal(t, registry.Network, registry.KindOf(err), ref)
		assert.True(t, registry.KindOf(err) != registry.Canceled)
		assert.ErrorContains(t, err, "network error: no answer within the lookup budget of 50ms", ref)
	}
	assert.Less(t, elapsed, 10*budget, "three lookups, two at a time, each bounded by the budget")

	quick := registry.NewCache(fakeResolver(func(context.Context, string) (digest.Digest, error) { return digestOf("x"), nil }), registry.WithLookupTimeout(budget))
	d, err := quick.Digest(context.Background(), "alpine:3.20")
	require.NoError(t, err)
	assert.Equal(t, digestOf("x"), d)
}

// TestCacheRunDeadlineIsNamed checks that a lookup stopped by the caller's deadline is
// Canceled and carries the deadline's cause, so that the run can say which deadline passed.
func TestCacheRunDeadlineIsNamed(t *testing.T) {
	t.Parallel()
	runOver := errors.New("the run's deadline passed (--timeout 40ms)")
	ctx, cancel := context.WithTimeoutCause(context.Background(), 40*time.Millisecond, runOver)
	defer cancel()
	c := registry.NewCache(hanging, registry.WithLookupTimeout(time.Hour))
	_, err := c.Digest(ctx, "alpine:3.20")
	require.Error(t, err)
	assert.Equal(t, registry.Canceled, registry.KindOf(err))
	assert.ErrorIs(t, err, runOver)
	assert.EqualError(t, err, "registry: lookup docker.io/library/alpine:3.20: canceled: the run's deadline passed (--timeout 40ms)")
}

// TestCacheLookupBudgetDisabled checks that WithLookupTimeout(0) leaves lookups unbounded:
// only the caller's context ends them.
func TestCacheLookupBudgetDisabled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 80*time.Millisecond)
	defer cancel()
	c := registry.NewCache(hanging, registry.WithLookupTimeout(0))
	_, err := c.Digest(ctx, "alpine:3.20")
	assert.Equal(t, registry.Canceled, registry.KindOf(err))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}
