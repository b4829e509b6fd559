package gitsource_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/baseflow/baseflow/subscription/gitsource"
)

func Example() {
	// A repository at <base>/acme/app with a manifest and a Dockerfile on branch main.
	base, err := os.MkdirTemp("", "gitsource-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(base)
	dir := filepath.Join(base, "acme", "app")
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		log.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(`{"repos":[]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "src", "Dockerfile"), []byte("FROM alpine:3.20\n"), 0o644)
	for _, args := range [][]string{
		{"init", "--quiet", "--initial-branch=main"},
		{"add", "--all"},
		{"-c", "user.name=example", "-c", "user.email=example@example.com", "-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "first"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			log.Fatalf("git %v: %v: %s", args, err, out)
		}
	}

	src, err := gitsource.New(gitsource.WithURLTemplate("file://" + filepath.ToSlash(base) + "/{owner}/{repo}"))
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()
	ctx := context.Background()

	manifest, err := src.ReadFile(ctx, "acme", "app", "main", "manifest.json")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("manifest.json: %s\n", manifest)

	tree, err := src.Tree(ctx, "acme", "app", "main")
	if err != nil {
		log.Fatal(err)
	}
	fs.WalkDir(tree, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			fmt.Println(path)
		}
		return err
	})

	_, err = src.Tree(ctx, "acme", "app", "nightly")
	fmt.Println(errors.Is(err, gitsource.ErrBranchNotFound))
	// Output:
	// manifest.json: {"repos":[]}
	// manifest.json
	// src/Dockerfile
	// true
}

func ExampleRedactURL() {
	fmt.Println(gitsource.RedactURL("https://user:s3cret@git.example.com/acme/app.git"))
	// Output: https://***@git.example.com/acme/app.git
}
