package remote_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
)

// A run shares one Client behind one Cache: each reference costs one HEAD, whoever asks.
func Example() {
	srv := registrytest.New()
	defer srv.Close()
	amd64 := registry.Platform{OS: "linux", Architecture: "amd64"}
	for _, tag := range []string{"3.19", "3.20"} {
		if _, err := srv.PushIndex("library/alpine", tag, registry.MediaTypeDockerManifestList, amd64); err != nil {
			panic(err)
		}
	}

	client, err := remote.New(remote.WithMaxRetries(3))
	if err != nil {
		panic(err)
	}
	cache := registry.NewCache(client, registry.WithConcurrency(8))
	refs := []string{srv.Ref("library/alpine", "3.19"), srv.Ref("library/alpine", "3.20"), srv.Ref("library/alpine", "3.19"), srv.Ref("library/alpine", "edge")}
	digests, errs := cache.ResolveAll(context.Background(), refs)

	fmt.Println("resolved:", len(digests))
	var re *registry.Error
	if errors.As(errs[srv.Ref("library/alpine", "edge")], &re) {
		fmt.Println("edge:", re.Kind, re.StatusCode)
	}
	fmt.Println("HEAD requests:", client.Stats().Requests["HEAD"])
	// Output:
	// resolved: 2
	// edge: not found 404
	// HEAD requests: 3
}
