package azdo_test

import (
	"context"
	"fmt"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/azdo"
	"github.com/baseflow/baseflow/dispatch/azdo/azdotest"
)

func ExampleClient() {
	// A fake Azure DevOps project; against the service, leave out WithBaseURL and set
	// AZURE_DEVOPS_TOKEN instead of WithToken.
	srv := azdotest.NewServer(nil, "dnceng", "internal", "pat")
	defer srv.Close()
	srv.Definition(373)

	c, err := azdo.New("dnceng", "internal", azdo.WithBaseURL(srv.URL), azdo.WithToken("pat"))
	if err != nil {
		panic(err)
	}
	def := c.Definition(373)
	run, err := def.Queue(context.Background(), dispatch.QueueRequest{
		Branch:   "main",
		Variable: "imageBuilder.pathArgs",
		Value:    dispatch.PathArgs([]string{"src/runtime/8.0/bookworm-slim/amd64"}),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("queued build", run.ID)
	q := srv.Queued()[0]
	fmt.Println(q.SourceBranch, q.Parameters, q.Tags)

	active, err := def.ActiveRuns(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println("active:", len(active), active[0].Status)
	// Output:
	// queued build 5001
	// main {"imageBuilder.pathArgs": "--path 'src/runtime/8.0/bookworm-slim/amd64'"} [autobuilder]
	// active: 1 queued
}
