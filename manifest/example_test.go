package manifest_test

import (
	"fmt"
	"os"

	"github.com/baseflow/baseflow/manifest"
)

func ExampleLoad() {
	m, err := manifest.Load(os.DirFS("../testdata/dotnet-docker"), "manifest.json", manifest.Options{
		RegistryOverride: "myacr.azurecr.io",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	p := m.Platforms()[0]
	repo, _ := p.BuildArgs.Get("REPO")
	fmt.Println(len(m.Repos), "repos,", len(m.Platforms()), "platforms")
	fmt.Println(p.Repo().QualifiedName, manifest.TagNames(p.Tags))
	fmt.Println(p.Dockerfile, "->", p.DockerfilePath)
	fmt.Println(len(manifest.Filter{OSType: "windows"}.Platforms(m)), "windows platforms; REPO build arg of runtime:", repo == "")
	// Output:
	// 7 repos, 601 platforms
	// myacr.azurecr.io/dotnet/runtime-deps [8.0.30-bookworm-slim-amd64 8.0-bookworm-slim-amd64]
	// src/runtime-deps/8.0/bookworm-slim/amd64 -> src/runtime-deps/8.0/bookworm-slim/amd64/Dockerfile
	// 54 windows platforms; REPO build arg of runtime: true
}
