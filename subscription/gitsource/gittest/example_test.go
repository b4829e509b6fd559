package gittest_test

import (
	"testing"

	"github.com/baseflow/baseflow/subscription/gitsource"
	"github.com/baseflow/baseflow/subscription/gitsource/gittest"
)

// A test makes a repository with two branches and reads it through gitsource.
func ExampleHost() {
	_ = func(t *testing.T) { // func TestSomething(t *testing.T)
		host := gittest.NewHost(t)
		repo := host.Repo("acme", "app")
		repo.SetBranch("main", map[string]string{"manifest.json": `{"repos":[]}`})
		repo.SetBranch("release/8.0", map[string]string{"manifest.json": `{"repos":[]}`, "notes.txt": "8.0"})

		src, err := gitsource.New(gitsource.WithURLTemplate(host.URLTemplate()),
			gitsource.WithTempDir(t.TempDir()), gitsource.WithEnv(gittest.Env...))
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		// src.ReadFile(ctx, "acme", "app", "release/8.0", "notes.txt") returns "8.0".
	}
}
