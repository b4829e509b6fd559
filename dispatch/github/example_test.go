package github_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/github"
	"github.com/baseflow/baseflow/githubtest"
)

func ExampleClient_Workflow() {
	// A fake GitHub; against github.com, leave out WithBaseURL and set GITHUB_TOKEN instead
	// of WithToken.
	srv := githubtest.NewServer(nil, githubtest.WithToken("tok"))
	defer srv.Close()
	srv.Workflow("octo", "images", "build.yml")

	c, err := github.New(github.WithBaseURL(srv.URL), github.WithToken("tok"))
	if err != nil {
		panic(err)
	}
	wf := c.Workflow("octo", "images", "build.yml", "main")
	run, err := wf.Queue(context.Background(), dispatch.QueueRequest{
		Branch: "main", Variable: "paths", Value: dispatch.PathArgs([]string{"alpine/3.20"}),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.TrimPrefix(run.WebURL, srv.URL))
	d := srv.Dispatches()[0]
	fmt.Println(d.Ref, d.RawInputs)
	// Output:
	// /octo/images/actions/workflows/build.yml
	// main {"paths": "--path 'alpine/3.20'"}
}
