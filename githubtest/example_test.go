package githubtest_test

import (
	"context"
	"fmt"
	"log"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/github"
	"github.com/baseflow/baseflow/githubtest"
	"github.com/baseflow/baseflow/subscription/githubsource"
)

// One fake serves both GitHub clients: the source reads a repository, the dispatcher queues a
// workflow run.
func Example() {
	srv := githubtest.NewServer(nil, githubtest.WithToken("example-token"))
	defer srv.Close()
	srv.SetBranch("octo", "images", "main", map[string]githubtest.File{"manifest.json": {Content: `{"repos":[]}`}})
	srv.Workflow("octo", "images", "build.yml")
	ctx := context.Background()

	src, err := githubsource.New(githubsource.WithBaseURL(srv.URL), githubsource.WithToken("example-token"))
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()
	manifest, err := src.ReadFile(ctx, "octo", "images", "main", "manifest.json")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("manifest.json: %s\n", manifest)

	client, err := github.New(github.WithBaseURL(srv.URL), github.WithToken("example-token"))
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.Workflow("octo", "images", "build.yml", "main").Queue(ctx, dispatch.QueueRequest{
		Branch: "main", Variable: "paths", Value: dispatch.PathArgs([]string{"src/app"}),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("dispatched: %+v\n", srv.Dispatches()[0].Inputs)
	fmt.Println(srv.RequestLines())
	fmt.Println("violations:", len(srv.Violations()))
	// Output:
	// manifest.json: {"repos":[]}
	// dispatched: map[paths:--path 'src/app']
	// [GET /repos/octo/images/git/trees/main GET /repos/octo/images/git/blobs/168760085260bf0227014718a2380fe64ae22ce3 POST /repos/octo/images/actions/workflows/build.yml/dispatches]
	// violations: 0
}
