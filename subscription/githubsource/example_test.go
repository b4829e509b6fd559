package githubsource_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"

	"github.com/baseflow/baseflow/githubtest"
	"github.com/baseflow/baseflow/subscription/githubsource"
)

func Example() {
	// A fake GitHub Enterprise API with one repository; use githubsource.NewFromEnv() (or
	// WithBaseURL and WithToken) for a real one.
	api := githubtest.NewServer(nil, githubtest.WithPathPrefix("/api/v3"), githubtest.WithToken("example-token"))
	defer api.Close()
	api.SetBranch("dotnet", "versions", "main", map[string]githubtest.File{
		"build-info/docker/image-info.json": {Content: `{"schemaVersion":"2.0","repos":[]}`},
		"manifest.json":                     {Content: `{"repos":[]}`},
		"src/runtime/Dockerfile":            {Content: "FROM alpine:3.20\n"},
	})

	src, err := githubsource.New(githubsource.WithBaseURL(api.URL), githubsource.WithToken("example-token"))
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()
	ctx := context.Background()

	// One file, as ImageBuilder reads its image-info file: a trees request and a blobs request.
	info, err := src.ReadFile(ctx, "dotnet", "versions", "main", "build-info/docker/image-info.json")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", info)
	fmt.Println(api.RequestLines()[0])

	// The whole repository, contents fetched on demand.
	tree, err := src.Tree(ctx, "dotnet", "versions", "main")
	if err != nil {
		log.Fatal(err)
	}
	fs.WalkDir(tree, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			fmt.Println(path)
		}
		return err
	})

	_, err = src.ReadFile(ctx, "dotnet", "versions", "nightly", "manifest.json")
	fmt.Println(errors.Is(err, githubsource.ErrBranchNotFound), errors.Is(err, fs.ErrNotExist))
	// Output:
	// {"schemaVersion":"2.0","repos":[]}
	// GET /repos/dotnet/versions/git/trees/main:build-info%2Fdocker
	// build-info/docker/image-info.json
	// manifest.json
	// src/runtime/Dockerfile
	// true true
}
