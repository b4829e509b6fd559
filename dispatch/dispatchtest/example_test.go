package dispatchtest_test

import (
	"context"
	"fmt"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/dispatchtest"
	"github.com/baseflow/baseflow/subscription"
)

func ExampleRecorder() {
	subs, err := subscription.Parse("subscriptions.json", []byte(`[{
	  "manifest": {"owner": "octo", "repo": "images", "branch": "main", "path": "manifest.json"},
	  "imageInfo": {"owner": "octo", "repo": "images", "branch": "image-info", "path": "image-info.json"},
	  "pipelineTrigger": {"workflow": "build.yml", "pathVariable": "paths"}}]`))
	if err != nil {
		panic(err)
	}
	rec := dispatchtest.NewRecorder()
	d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: rec, subscription.GitHubActions: rec}, Notifier: rec}
	stale := []subscription.ImagePaths{{SubscriptionID: "octo/images/main/manifest.json", ImagePaths: []string{"alpine/3.20"}}}

	for range 2 { // the second run finds the first one active
		results, err := d.Dispatch(context.Background(), subs, stale)
		if err != nil {
			panic(err)
		}
		fmt.Println(results[0].Outcome)
	}
	for _, q := range rec.Queued() {
		fmt.Printf("%s on %s: %s\n", q.Pipeline, q.Branch, q.Parameters)
	}
	for _, n := range rec.Notifications() {
		fmt.Println(n.Title())
	}
	// Output:
	// queued
	// skipped-active
	// github-actions octo/images workflow build.yml on main: {"paths": "--path 'alpine/3.20'"}
	// AutoBuilder - Queued - octo/images/main/manifest.json
	// AutoBuilder - Skipped - octo/images/main/manifest.json
}
