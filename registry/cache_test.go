package registry_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/registry"
)

// fakeResolver answers Digest with fn and PlatformDigest with fn of "ref|platform".
type fakeResolver func(ctx context.Context, ref string) (digest.Digest, error)

func (f fakeResolver) Digest(ctx context.Context, ref string) (digest.Digest, error) {
	return f(ctx, ref)
}
func (f fakeResolver) PlatformDigest(ctx context.Context, ref string, p registry.Platform) (digest.Digest, error) {
	return f(ctx, ref+"|"+p.String())
}

func digestOf(s string) digest.Digest { return digest.FromString(s) }

// echo resolves every reference to the digest of its own text.
var echo = fakeResolver(func(_ context.Context, ref string) (digest.Digest, error) { return digestOf(ref), nil })

func TestCacheSingleFlight(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	under := registry.NewCounting(fakeResolver(func(ctx context.Context, ref string) (digest.Digest, error) {
		<-release
		return digestOf(ref), nil
	}))
	c := registry.NewCache(under)
	refs := []string{"alpine:3.20", "debian:bookworm", "mcr.microsoft.com/dotnet/runtime:8.0", "x.io/a/b:1", "ubuntu:noble"}

	var started, done sync.WaitGroup
	results := make([]digest.Digest, 40)
	errs := make([]error, 40)
	for i := range 40 {
		started.Add(1)
		done.Go(func() {
			started.Done()
			results[i], errs[i] = c.Digest(context.Background(), refs[i%len(refs)])
		})
	}
	started.Wait()
	require.Eventually(t, func() bool {
		n := 0
		for _, ref := range refs {
			key, _ := c.LookupRef(ref)
			n += c.Waiters(key)
		}
		return n == 40
	}, 5*time.Second, time.Millisecond, "all 40 callers wait on the 5 lookups")
	require.Eventually(t, func() bool { return under.Total() == len(refs) }, 5*time.Second, time.Millisecond)
	close(release)
	done.Wait()

	for i := range 40 {
		require.NoError(t, errs[i])
		n, _ := registry.Normalize(refs[i%len(refs)])
		assert.Equal(t, digestOf(n.String()), results[i])
	}
	assert.Equal(t, len(refs), under.Total(), "one underlying lookup per distinct reference")
	for _, ref := range refs {
		assert.Equal(t, 1, under.DigestCalls(ref), ref)
	}
	// Later calls are answered from the cache.
	_, err := c.Digest(context.Background(), "docker.io/library/alpine:3.20")
	require.NoError(t, err)
	assert.Equal(t, len(refs), under.Total())
}

func TestCacheErrorsReachWaitersButAreNotKept(t *testing.T) {
	t.Parallel()
	boom := errors.New("registry down")
	release := make(chan struct{})
	var calls atomic.Int32
	c := registry.NewCache(fakeResolver(func(ctx context.Context, ref string) (digest.Digest, error) {
		if calls.Add(1) == 1 {
			<-release
			return "", boom
		}
		return digestOf(ref), nil
	}))

	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		wg.Go(func() { _, errs[i] = c.Digest(context.Background(), "alpine:3.20") })
	}
	require.Eventually(t, func() bool { return calls.Load() == 1 }, 5*time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err != nil {
			assert.ErrorIs(t, err, boom)
			failed++
		}
	}
	assert.GreaterOrEqual(t, failed, 1, "the waiters of the failed lookup get its error")

	d, err := c.Digest(context.Background(), "alpine:3.20")
	require.NoError(t, err, "a failure is not kept: the next call looks up again")
	assert.Equal(t, digestOf("docker.io/library/alpine:3.20"), d)
	assert.Equal(t, int32(2), calls.Load())
}

func TestCacheConcurrencyBound(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		opts []registry.CacheOption
		want int32
	}{
		{"WithConcurrency(3)", []registry.CacheOption{registry.WithConcurrency(3)}, 3},
		{"default", nil, registry.DefaultConcurrency},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var inflight, peak atomic.Int32
			release := make(chan struct{})
			c := registry.NewCache(fakeResolver(func(ctx context.Context, ref string) (digest.Digest, error) {
				n := inflight.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				<-release
				inflight.Add(-1)
				return digestOf(ref), nil
			}), tt.opts...)

			refs := make([]string, 40)
			for i := range refs {
				refs[i] = fmt.Sprintf("x.io/repo:%d", i)
			}
			type result struct {
				digests map[string]digest.Digest
				errs    map[string]error
			}
			out := make(chan result)
			go func() {
				d, e := c.ResolveAll(context.Background(), refs)
				out <- result{d, e}
			}()
			require.Eventually(t, func() bool { return inflight.Load() == tt.want }, 5*time.Second, time.Millisecond)
			for range refs {
				release <- struct{}{}
			}
			res := <-out
			assert.Empty(t, res.errs)
			assert.Len(t, res.digests, len(refs))
			assert.Equal(t, tt.want, peak.Load(), "never more than the bound's lookups at once")
		})
	}
	assert.Equal(t, 16, registry.DefaultConcurrency, "the package doc's figure")
}

func TestCacheCanceledWaiterLeavesOthers(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var calls atomic.Int32
	c := registry.NewCache(fakeResolver(func(ctx context.Context, ref string) (digest.Digest, error) {
		calls.Add(1)
		select {
		case <-release:
			return digestOf(ref), nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}))
	ctx1, cancel1 := context.WithCancel(context.Background())
	first := make(chan error)
	go func() {
		_, err := c.Digest(ctx1, "alpine:3.20")
		first <- err
	}()
	require.Eventually(t, func() bool { return calls.Load() == 1 }, 5*time.Second, time.Millisecond)
	second := make(chan digest.Digest)
	go func() {
		d, _ := c.Digest(context.Background(), "alpine:3.20")
		second <- d
	}()
	require.Eventually(t, func() bool { return c.Waiters("docker.io/library/alpine:3.20") == 2 }, 5*time.Second, time.Millisecond)
	cancel1()
	err := <-first
	assert.Equal(t, registry.Canceled, registry.KindOf(err))
	assert.ErrorIs(t, err, context.Canceled)
	close(release)
	assert.Equal(t, digestOf("docker.io/library/alpine:3.20"), <-second)
	assert.Equal(t, int32(1), calls.Load())
}

func TestCacheLastWaiterCancelsLookup(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	canceled := make(chan struct{})
	c := registry.NewCache(fakeResolver(func(ctx context.Context, ref string) (digest.Digest, error) {
		if calls.Add(1) == 1 {
			<-ctx.Done()
			close(canceled)
			return "", ctx.Err()
		}
		return digestOf(ref), nil
	}))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		require.Eventually(t, func() bool { return calls.Load() == 1 }, 5*time.Second, time.Millisecond)
		cancel()
	}()
	_, err := c.Digest(ctx, "alpine:3.20")
	assert.Equal(t, registry.Canceled, registry.KindOf(err))
	<-canceled // the underlying lookup saw the cancellation

	d, err := c.Digest(context.Background(), "alpine:3.20")
	require.NoError(t, err)
	assert.Equal(t, digestOf("docker.io/library/alpine:3.20"), d)
	assert.Equal(t, int32(2), calls.Load())
}

func TestCacheRewrites(t *testing.T) {
	t.Parallel()
	under := registry.NewCounting(echo)
	c := registry.NewCache(under,
		registry.WithRewrite(func(ref string) string {
			if ref == "alpine:edge" {
				return "alpine:3.21"
			}
			return ref
		}),
		registry.WithMirror("docker.io", "myacr.azurecr.io/mirror"))

	for _, ref := range []string{"alpine:3.21", "docker.io/library/alpine:3.21", "alpine:edge"} {
		d, err := c.Digest(context.Background(), ref)
		require.NoError(t, err)
		assert.Equal(t, digestOf("myacr.azurecr.io/mirror/library/alpine:3.21"), d, ref)
	}
	assert.Equal(t, 1, under.Total())
	assert.Equal(t, 1, under.DigestCalls("myacr.azurecr.io/mirror/library/alpine:3.21"))

	got, err := c.LookupRef("mcr.microsoft.com/dotnet/runtime:8.0")
	require.NoError(t, err)
	assert.Equal(t, "mcr.microsoft.com/dotnet/runtime:8.0", got)

	bad := registry.NewCache(echo, registry.WithRewrite(func(string) string { return "" }))
	_, err = bad.Digest(context.Background(), "alpine")
	assert.Equal(t, registry.InvalidReference, registry.KindOf(err))
}

func TestCacheResolveAll(t *testing.T) {
	t.Parallel()
	c := registry.NewCache(fakeResolver(func(_ context.Context, ref string) (digest.Digest, error) {
		if ref == "docker.io/library/gone:1" {
			return "", &registry.Error{Ref: ref, Op: "HEAD", StatusCode: 404, Kind: registry.NotFound}
		}
		return digestOf(ref), nil
	}))
	digests, errs := c.ResolveAll(context.Background(), []string{"alpine:3.20", "gone:1", "Bad", "alpine:3.20", "debian"})
	assert.Equal(t, map[string]digest.Digest{
		"alpine:3.20": digestOf("docker.io/library/alpine:3.20"),
		"debian":      digestOf("docker.io/library/debian:latest"),
	}, digests)
	require.Len(t, errs, 2)
	assert.Equal(t, registry.NotFound, registry.KindOf(errs["gone:1"]))
	assert.Equal(t, registry.InvalidReference, registry.KindOf(errs["Bad"]))
}

func TestCachePlatformDigest(t *testing.T) {
	t.Parallel()
	under := registry.NewCounting(echo)
	c := registry.NewCache(under)
	arm64 := registry.Platform{OS: "linux", Architecture: "arm64"}
	arm64v8 := registry.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	amd64 := registry.Platform{OS: "linux", Architecture: "amd64"}

	d1, err := c.PlatformDigest(context.Background(), "alpine:3.20", arm64)
	require.NoError(t, err)
	d2, err := c.PlatformDigest(context.Background(), "alpine:3.20", arm64v8)
	require.NoError(t, err)
	assert.Equal(t, d1, d2, "linux/arm64 and linux/arm64/v8 share a lookup")
	_, err = c.PlatformDigest(context.Background(), "alpine:3.20", amd64)
	require.NoError(t, err)
	_, err = c.Digest(context.Background(), "alpine:3.20")
	require.NoError(t, err)
	assert.Equal(t, 2, under.PlatformCalls("alpine:3.20"))
	assert.Equal(t, 1, under.DigestCalls("alpine:3.20"))
}

func TestCacheReset(t *testing.T) {
	t.Parallel()
	under := registry.NewCounting(echo)
	c := registry.NewCache(under)
	_, _ = c.Digest(context.Background(), "alpine")
	_, _ = c.Digest(context.Background(), "alpine")
	c.Reset()
	_, _ = c.Digest(context.Background(), "alpine")
	assert.Equal(t, 2, under.DigestCalls("alpine"))
}

func TestCacheResolveAllStartsWithEveryRepository(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var order []string
	c := registry.NewCache(fakeResolver(func(_ context.Context, ref string) (digest.Digest, error) {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, ref)
		return digestOf(ref), nil
	}), registry.WithConcurrency(1))
	digests, errs := c.ResolveAll(context.Background(), []string{"a:1", "a:2", "a:3", "b:1", "Bad", "b:2", "c:1", "a:1"})
	assert.Len(t, digests, 6)
	assert.Len(t, errs, 1)
	assert.Equal(t, []string{
		"docker.io/library/a:1", "docker.io/library/b:1", "docker.io/library/c:1",
		"docker.io/library/a:2", "docker.io/library/b:2", "docker.io/library/a:3",
	}, order)
}

func TestCacheForget(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	under := registry.NewCounting(echo)
	c := registry.NewCache(under, registry.WithMirror("docker.io", "myacr.azurecr.io/mirror"))
	amd64 := registry.Platform{OS: "linux", Architecture: "amd64"}
	lookAll := func() {
		for _, ref := range []string{"alpine:3.20", "debian:bookworm", "mcr.microsoft.com/dotnet/runtime:8.0"} {
			_, err := c.Digest(ctx, ref)
			require.NoError(t, err)
			_, err = c.PlatformDigest(ctx, ref, amd64)
			require.NoError(t, err)
		}
	}
	calls := func(ref string) [2]int { return [2]int{under.DigestCalls(ref), under.PlatformCalls(ref)} }
	alpine, debian, runtime := "myacr.azurecr.io/mirror/library/alpine:3.20", "myacr.azurecr.io/mirror/library/debian:bookworm", "mcr.microsoft.com/dotnet/runtime:8.0"

	lookAll()
	c.Forget("docker.io/library/alpine:3.20") // as the registry it mirrors names it
	lookAll()
	assert.Equal(t, [2]int{2, 2}, calls(alpine), "the mirror's key is forgotten, top-level and per platform")
	assert.Equal(t, [2]int{1, 1}, calls(debian), "other references stay cached")
	assert.Equal(t, [2]int{1, 1}, calls(runtime))

	c.Forget(debian, "Not A Reference", "") // as the mirror names it; bad references are skipped
	lookAll()
	assert.Equal(t, [2]int{2, 2}, calls(alpine))
	assert.Equal(t, [2]int{2, 2}, calls(debian))
	assert.Equal(t, [2]int{1, 1}, calls(runtime))
}

func TestCacheForgetInFlight(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	release := make(chan struct{})
	var n atomic.Int32
	under := registry.NewCounting(fakeResolver(func(ctx context.Context, ref string) (digest.Digest, error) {
		if n.Add(1) == 1 {
			<-release
			return digestOf("old"), nil
		}
		return digestOf("new"), nil
	}))
	c := registry.NewCache(under)
	first := make(chan digest.Digest, 1)
	go func() {
		d, err := c.Digest(ctx, "alpine:3.20")
		assert.NoError(t, err)
		first <- d
	}()
	require.Eventually(t, func() bool { return c.Waiters("docker.io/library/alpine:3.20") == 1 }, 5*time.Second, time.Millisecond)
	c.Forget("alpine:3.20")
	d, err := c.Digest(ctx, "alpine:3.20")
	require.NoError(t, err)
	assert.Equal(t, digestOf("new"), d, "a caller after Forget starts a new lookup")
	close(release)
	assert.Equal(t, digestOf("old"), <-first, "the caller already waiting gets its lookup's answer")
	d, err = c.Digest(ctx, "alpine:3.20")
	require.NoError(t, err)
	assert.Equal(t, digestOf("new"), d, "the forgotten flight does not replace the new digest")
	assert.Equal(t, 2, under.DigestCalls("alpine:3.20"))
}

// TestCacheForgetConcurrent runs Forget, Reset and lookups at once; run it with -race.
func TestCacheForgetConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := registry.NewCache(echo, registry.WithConcurrency(4))
	refs := []string{"alpine:3.20", "debian:bookworm", "x.io/a/b:1", "ubuntu:noble"}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				ref := refs[(i+j)%len(refs)]
				switch j % 10 {
				case 0:
					c.Forget(ref)
				case 9:
					if i == 0 {
						c.Reset()
					}
				default:
					d, err := c.Digest(ctx, ref)
					if assert.NoError(t, err) {
						n, _ := registry.Normalize(ref)
						assert.Equal(t, digestOf(n.String()), d)
					}
				}
			}
		})
	}
	wg.Wait()
}
