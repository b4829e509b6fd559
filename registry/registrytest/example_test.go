package registrytest_test

import (
	"context"
	"fmt"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
)

// A test starts a registry, pushes a multi-platform base image, resolves it, moves the tag as
// a base image update does, and sees the new digest.
func Example() {
	srv := registrytest.New()
	defer srv.Close()

	linux := func(arch, variant string) registry.Platform {
		return registry.Platform{OS: "linux", Architecture: arch, Variant: variant}
	}
	idx, err := srv.PushIndex("library/alpine", "3.20", ocispec.MediaTypeImageIndex, linux("amd64", ""), linux("arm64", "v8"))
	if err != nil {
		panic(err)
	}

	client, err := remote.New()
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	ref := srv.Ref("library/alpine", "3.20")
	d, _ := client.Digest(ctx, ref)
	arm, _ := client.PlatformDigest(ctx, ref, linux("arm64", ""))
	fmt.Println("index digest matches:", d == idx.Digest)
	fmt.Println("arm64 digest matches:", arm == idx.PlatformDigest(linux("arm64", "v8")))

	moved, _ := srv.MoveTag("library/alpine", "3.20")
	d, _ = client.Digest(ctx, ref)
	fmt.Println("tag moved:", d == moved && d != idx.Digest)

	heads := srv.CountRequests(func(r registrytest.Request) bool { return r.Method == "HEAD" })
	fmt.Println("HEAD requests:", heads)
	// Output:
	// index digest matches: true
	// arm64 digest matches: true
	// tag moved: true
	// HEAD requests: 2
}
