package check_test

import (
	"context"
	"fmt"
	"testing/fstest"

	"github.com/opencontainers/go-digest"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/subscription"
)

func ExampleChecker() {
	const alpineNow = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	source := subscription.StaticSource{
		subscription.RepoKey("contoso", "images", "main"): fstest.MapFS{
			"manifest.json": {Data: []byte(`{"repos": [{"name": "contoso/base", "images": [{"platforms": [
			  {"dockerfile": "base", "os": "linux", "osVersion": "alpine", "tags": {"1.0": {}}}]}]}]}`)},
			"base/Dockerfile": {Data: []byte("FROM alpine:3.20\n")},
		},
		subscription.RepoKey("contoso", "versions", "main"): fstest.MapFS{
			"image-info.json": {Data: []byte(`{"schemaVersion": "2.0", "repos": [{"repo": "contoso/base", "images": [{"platforms": [
			  {"dockerfile": "base/Dockerfile", "simpleTags": ["1.0"], "digest": "contoso/base@sha256:aa",
			   "baseImageDigest": "alpine@sha256:1111111111111111111111111111111111111111111111111111111111111111",
			   "osType": "Linux", "osVersion": "alpine", "architecture": "amd64", "commitUrl": ""}]}]}]}`)},
		},
	}
	resolver, _ := registry.NewStatic(map[string]digest.Digest{"alpine:3.20": alpineNow})
	checker := &check.Checker{
		Manifests:   source,
		Resolver:    resolver,
		LoadRecords: depgraph.LoadImageInfoRecords,
	}
	subs, _ := subscription.Parse("subscriptions.json", []byte(`[{
	  "manifest": {"owner": "contoso", "repo": "images", "branch": "main", "path": "manifest.json"},
	  "imageInfo": {"owner": "contoso", "repo": "versions", "branch": "main", "path": "image-info.json"},
	  "pipelineTrigger": {"id": 42, "pathVariable": "imageBuilder.pathArgs"}}]`))

	for _, r := range checker.Check(context.Background(), subs) {
		fmt.Println(r.Subscription.ID(), r.Status(), r.Paths())
		for _, img := range r.Stale.Images {
			fmt.Println(" ", img.Path+":", img.Reason)
		}
	}
	// Output:
	// contoso/images/main/manifest.json stale [base]
	//   base: base alpine:3.20 changed from sha256:111111111111 to sha256:222222222222
}
