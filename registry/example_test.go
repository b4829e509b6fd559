package registry_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/opencontainers/go-digest"

	"github.com/baseflow/baseflow/registry"
)

// A Cache in front of any Resolver resolves each reference once, however many goroutines
// ask and however the reference is spelled.
func ExampleCache() {
	static, _ := registry.NewStatic(map[string]digest.Digest{
		"alpine:3.20":                          "sha256:1111111111111111111111111111111111111111111111111111111111111111",
		"mcr.microsoft.com/dotnet/runtime:8.0": "sha256:2222222222222222222222222222222222222222222222222222222222222222",
	})
	counting := registry.NewCounting(static)
	cache := registry.NewCache(counting)

	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			_, _ = cache.Digest(context.Background(), "alpine:3.20")
			_, _ = cache.Digest(context.Background(), "docker.io/library/alpine:3.20")
		})
	}
	wg.Wait()
	d, _ := cache.Digest(context.Background(), "mcr.microsoft.com/dotnet/runtime:8.0")
	fmt.Println(d.Encoded()[:12])
	fmt.Println("lookups of alpine:", counting.Calls("alpine:3.20"))
	// Output:
	// 222222222222
	// lookups of alpine: 1
}

// A mirror redirects lookups of Docker Hub images to a copy in a private registry, as
// ImageBuilder's --source-repo-prefix does.
func ExampleMirrors() {
	m := registry.Mirrors{"docker.io": "myacr.azurecr.io/mirror"}
	for _, ref := range []string{"alpine:3.20", "amd64/alpine:3.23", "mcr.microsoft.com/dotnet/sdk:8.0"} {
		out, _ := m.Rewrite(ref)
		fmt.Println(out)
	}
	// Output:
	// myacr.azurecr.io/mirror/library/alpine:3.20
	// myacr.azurecr.io/mirror/amd64/alpine:3.23
	// mcr.microsoft.com/dotnet/sdk:8.0
}

func ExampleNormalize() {
	r, _ := registry.Normalize("alpine:3.20")
	fmt.Println(r.Domain, r.Path, r.Tag)
	fmt.Println(r)
	// Output:
	// docker.io library/alpine 3.20
	// docker.io/library/alpine:3.20
}

// ComparePlatform tells whether one platform's image moved when a multi-platform tag did: here
// the index moved because its linux/arm64 image was rebuilt, and linux/amd64 is unchanged.
func ExampleComparePlatform() {
	const (
		oldIndex = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
		newIndex = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
		amd64    = "sha256:aaaa000000000000000000000000000000000000000000000000000000000000"
		oldArm   = "sha256:bbbb000000000000000000000000000000000000000000000000000000000000"
		newArm   = "sha256:cccc000000000000000000000000000000000000000000000000000000000000"
	)
	linuxAMD64 := registry.Platform{OS: "linux", Architecture: "amd64"}
	linuxARM64 := registry.Platform{OS: "linux", Architecture: "arm64"}
	r, _ := registry.NewStatic(map[string]digest.Digest{"debian:12": newIndex})
	_ = r.SetPlatform("debian:12@"+oldIndex, linuxAMD64, amd64)
	_ = r.SetPlatform("debian:12@"+oldIndex, linuxARM64, oldArm)
	_ = r.SetPlatform("debian:12@"+newIndex, linuxAMD64, amd64)
	_ = r.SetPlatform("debian:12@"+newIndex, linuxARM64, newArm)

	for _, p := range []registry.Platform{linuxAMD64, linuxARM64} {
		m, err := registry.ComparePlatform(context.Background(), r, "debian:12", oldIndex, newIndex, p)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s unchanged: %v\n", p, m.Unchanged())
	}
	// Output:
	// linux/amd64 unchanged: true
	// linux/arm64 unchanged: false
}
