package registry_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
)

// BenchmarkCacheHit measures a lookup answered from the cache, from many goroutines.
func BenchmarkCacheHit(b *testing.B) {
	s, err := registry.NewStatic(map[string]digest.Digest{"alpine:3.20": digestOf("x")})
	if err != nil {
		b.Fatal(err)
	}
	c := registry.NewCache(s)
	if _, err := c.Digest(context.Background(), "alpine:3.20"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Digest(context.Background(), "alpine:3.20"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkResolveAll resolves 60 tags in 6 repositories of a loopback registry that adds
// 2 ms to every request (with anonymous token authentication), through a fresh client and
// cache per iteration, one at a time and 16 at a time.
func BenchmarkResolveAll(b *testing.B) {
	srv := registrytest.New(registrytest.WithLatency(2*time.Millisecond), registrytest.WithAnonymousPull())
	defer srv.Close()
	var refs []string
	for i := range 60 {
		repo, tag := fmt.Sprintf("base-%d", i%6), fmt.Sprint(i)
		if _, err := srv.PushIndex(repo, tag, registry.MediaTypeDockerManifestList,
			registry.Platform{OS: "linux", Architecture: "amd64"}); err != nil {
			b.Fatal(err)
		}
		refs = append(refs, srv.Ref(repo, tag))
	}
	for _, concurrency := range []int{1, 16} {
		b.Run(fmt.Sprintf("concurrency=%d", concurrency), func(b *testing.B) {
			requests := 0
			for b.Loop() {
				client, err := remote.New(remote.WithDockerConfig(b.TempDir()), remote.WithPlainHTTP(srv.Host()))
				if err != nil {
					b.Fatal(err)
				}
				digests, errs := registry.NewCache(client, registry.WithConcurrency(concurrency)).ResolveAll(context.Background(), refs)
				if len(errs) > 0 || len(digests) != len(refs) {
					b.Fatalf("resolved %d, errors %v", len(digests), errs)
				}
				st := client.Stats()
				requests += st.Requests["HEAD"] + st.Requests["GET"] + st.TokenRequests
			}
			b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
		})
	}
}
