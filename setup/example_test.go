package setup_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/opencontainers/go-digest"

	"github.com/baseflow/baseflow/internal/fixture"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/setup"
	"github.com/baseflow/baseflow/subscription"
)

// ExampleNewCheck builds a real check, git sources included, from settings. The repositories
// here are local git repositories and the registry an in-memory one; leave out RepoURL and
// Resolver to read GitHub and ask the real registries, with docker's credentials.
func ExampleNewCheck() {
	dir, _ := os.MkdirTemp("", "example-")
	defer os.RemoveAll(dir)
	fixture.GitRepo(filepath.Join(dir, "contoso", "images"), fixture.Files(map[string]string{
		"manifest.json": `{"repos": [{"name": "contoso/base", "images": [{"platforms": [
		  {"dockerfile": "base", "os": "linux", "osVersion": "alpine", "tags": {"1.0": {}}}]}]}]}`,
		"base/Dockerfile": "FROM alpine:3.20\n",
	}))
	fixture.GitRepo(filepath.Join(dir, "contoso", "versions"), fixture.Files(map[string]string{
		"image-info.json": `{"schemaVersion": "2.0", "repos": [{"repo": "contoso/base", "images": [{"platforms": [
		  {"dockerfile": "base/Dockerfile", "simpleTags": ["1.0"], "digest": "contoso/base@sha256:aa",
		   "baseImageDigest": "alpine@sha256:1111111111111111111111111111111111111111111111111111111111111111",
		   "osType": "Linux", "osVersion": "alpine", "architecture": "amd64", "commitUrl": ""}]}]}]}`,
	}))
	subs, _ := subscription.Parse("subscriptions.json", []byte(`[{
	  "manifest": {"owner": "contoso", "repo": "images", "branch": "main", "path": "manifest.json"},
	  "imageInfo": {"owner": "contoso", "repo": "versions", "branch": "main", "path": "image-info.json"},
	  "pipelineTrigger": {"id": 42, "pathVariable": "imageBuilder.pathArgs"}}]`))
	alpine, _ := registry.NewStatic(map[string]digest.Digest{
		"alpine:3.20": "sha256:2222222222222222222222222222222222222222222222222222222222222222",
	})

	c, err := setup.NewCheck(setup.CheckSettings{
		Subscriptions: subs,
		Sources:       setup.SourceSettings{RepoURL: "file://" + filepath.ToSlash(dir) + "/{owner}/{repo}"},
		Registry:      setup.RegistrySettings{Resolver: alpine},
		OSType:        "linux",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	for _, r := range c.Checker.Check(context.Background(), c.Subscriptions) {
		fmt.Println(r.Subscription.ID(), r.Status(), r.Paths())
	}
	// Output:
	// contoso/images/main/manifest.json stale [base]
}
