package baseflow_test

import (
	"context"
	"fmt"
	"testing/fstest"

	"github.com/opencontainers/go-digest"

	"github.com/baseflow/baseflow"
	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/dispatchtest"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/subscription"
)

// ExampleCheck checks one subscription whose runtime-deps base moved, and queues its rebuild:
// runtime-deps, then runtime, which is built on it.
func ExampleCheck() {
	repos := subscription.StaticSource{
		subscription.RepoKey("contoso", "images", "main"): fstest.MapFS{
			"manifest.json": {Data: []byte(`{"registry": "mcr.contoso.com", "repos": [
			  {"id": "runtime-deps", "name": "contoso/runtime-deps", "images": [{"platforms": [
			    {"dockerfile": "src/runtime-deps", "os": "linux", "osVersion": "alpine", "tags": {"1.0": {}}}]}]},
			  {"name": "contoso/runtime", "images": [{"platforms": [
			    {"dockerfile": "src/runtime", "os": "linux", "osVersion": "alpine", "tags": {"1.0": {}},
			     "buildArgs": {"REPO": "$(Repo:runtime-deps)"}}]}]}]}`)},
			"src/runtime-deps/Dockerfile": {Data: []byte("FROM alpine:3.20\n")},
			"src/runtime/Dockerfile":      {Data: []byte("ARG REPO\nFROM $REPO:1.0\n")},
		},
		subscription.RepoKey("contoso", "versions", "main"): fstest.MapFS{
			"image-info.json": {Data: []byte(`{"schemaVersion": "2.0", "repos": [{"repo": "contoso/runtime-deps", "images": [{"platforms": [
			  {"dockerfile": "src/runtime-deps/Dockerfile", "simpleTags": ["1.0"], "digest": "mcr.contoso.com/contoso/runtime-deps@sha256:aa",
			   "baseImageDigest": "alpine@sha256:1111111111111111111111111111111111111111111111111111111111111111",
			   "osType": "Linux", "osVersion": "alpine", "architecture": "amd64", "commitUrl": ""}]}]}]}`)},
		},
	}
	resolver, _ := registry.NewStatic(map[string]digest.Digest{
		"alpine:3.20": "sha256:2222222222222222222222222222222222222222222222222222222222222222",
	})
	subs, _ := subscription.Parse("subscriptions.json", []byte(`[{
	  "manifest": {"owner": "contoso", "repo": "images", "branch": "main", "path": "manifest.json"},
	  "imageInfo": {"owner": "contoso", "repo": "versions", "branch": "main", "path": "image-info.json"},
	  "pipelineTrigger": {"id": 42, "pathVariable": "imageBuilder.pathArgs"}}]`))
	pipelines := dispatchtest.NewRecorder()

	outcome, err := baseflow.Check(context.Background(), baseflow.Config{
		Subscriptions: subs,
		Checker:       &check.Checker{Manifests: repos, Resolver: resolver, LoadRecords: depgraph.LoadImageInfoRecords},
		Dispatcher:    &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: pipelines}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, q := range outcome.Queued {
		fmt.Println(q.Outcome, q.Target, q.Parameters)
	}
	// Output:
	// queued azure-devops definition 42 {"imageBuilder.pathArgs": "--path 'src/runtime-deps' --path 'src/runtime'"}
}
