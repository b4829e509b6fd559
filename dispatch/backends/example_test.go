package backends_test

import (
	"context"
	"fmt"

	"github.com/baseflow/baseflow/dispatch/backends"
	"github.com/baseflow/baseflow/subscription"
)

// ExampleNewDispatcher builds the dispatcher a dry run of queue-build uses: it opens no
// backend and reports what it would queue.
func ExampleNewDispatcher() {
	subs, _ := subscription.Parse("subscriptions.json", []byte(`[{
	  "manifest": {"owner": "contoso", "repo": "images", "branch": "main", "path": "manifest.json"},
	  "imageInfo": {"owner": "contoso", "repo": "versions", "branch": "main", "path": "image-info.json"},
	  "pipelineTrigger": {"id": 42, "pathVariable": "imageBuilder.pathArgs"}}]`))
	d, err := backends.NewDispatcher(backends.Settings{DryRun: true}, subs)
	if err != nil {
		fmt.Println(err)
		return
	}
	results, err := d.Dispatch(context.Background(), subs, []subscription.ImagePaths{
		{SubscriptionID: subs[0].ID(), ImagePaths: []string{"src/runtime"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range results {
		fmt.Println(r.Outcome, r.Target, r.Parameters)
	}
	// Output:
	// dry-run azure-devops definition 42 {"imageBuilder.pathArgs": "--path 'src/runtime'"}
}
