package dispatch_test

import (
	"context"
	"fmt"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/dispatchtest"
	"github.com/baseflow/baseflow/subscription"
)

func ExamplePathArgs() {
	args := dispatch.PathArgs([]string{"src/runtime-deps/8.0/bookworm-slim/amd64", "src/runtime/8.0/bookworm-slim/amd64"})
	fmt.Println(args)
	fmt.Println(dispatch.Parameters("imageBuilder.pathArgs", args))
	// Output:
	// --path 'src/runtime-deps/8.0/bookworm-slim/amd64' --path 'src/runtime/8.0/bookworm-slim/amd64'
	// {"imageBuilder.pathArgs": "--path 'src/runtime-deps/8.0/bookworm-slim/amd64' --path 'src/runtime/8.0/bookworm-slim/amd64'"}
}

func ExampleValidatePath() {
	for _, p := range []string{"src/aspnet/8.0/bookworm-slim/amd64", "src/x' --push 'evil", "../outside"} {
		fmt.Println(dispatch.ValidatePath(p))
	}
	// Output:
	// <nil>
	// path "src/x' --push 'evil": character U+0027 (') at position 6 is not allowed; use letters, digits, spaces and ._-/+@,=~
	// path "../outside": has a ".." segment
}

func ExampleDispatcher() {
	subs, err := subscription.Load("../testdata/check-base-image-subscriptions.json")
	if err != nil {
		panic(err)
	}
	// Two checks reported stale paths; the second repeats one.
	stale := []subscription.ImagePaths{{
		SubscriptionID: "dotnet/dotnet-docker/main/manifest.json",
		ImagePaths:     []string{"src/runtime-deps/8.0/bookworm-slim/amd64", "src/runtime/8.0/bookworm-slim/amd64"},
	}}
	more := []subscription.ImagePaths{{
		SubscriptionID: "dotnet/dotnet-docker/main/manifest.json",
		ImagePaths:     []string{"src/runtime/8.0/bookworm-slim/amd64", "src/aspnet/8.0/bookworm-slim/amd64"},
	}, {
		SubscriptionID: "dotnet/docker-tools/main/src/manifest.json",
		ImagePaths:     []string{"src/Dockerfile.linux"},
	}}

	rec := dispatchtest.NewRecorder()
	// The docker-tools pipeline is already building.
	var tools subscription.Subscription
	for _, s := range subs {
		if s.ID() == "dotnet/docker-tools/main/src/manifest.json" {
			tools = s
		}
	}
	rec.Pipeline(dispatch.TargetOf(tools)).SetActive(dispatch.Run{ID: 41, Status: dispatch.RunInProgress, WebURL: "https://ci.invalid/runs/41"})

	d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: rec, subscription.GitHubActions: rec}}
	results, err := d.Dispatch(context.Background(), subs, stale, more)
	if err != nil {
		panic(err)
	}
	for _, r := range results {
		fmt.Println(r.Outcome, r.SubscriptionID)
	}
	for _, q := range rec.Queued() {
		fmt.Println(q.Pipeline, q.Branch, q.Parameters)
	}
	// Output:
	// queued dotnet/dotnet-docker/main/manifest.json
	// skipped-active dotnet/docker-tools/main/src/manifest.json
	// nothing-to-do dotnet/dotnet-docker/nightly/manifest.json
	// nothing-to-do dotnet/dotnet-docker/main/manifest.samples.json
	// nothing-to-do Microsoft/dotnet-framework-docker/main/manifest.samples.json
	// azure-devops definition 373 main {"imageBuilder.pathArgs": "--path 'src/runtime-deps/8.0/bookworm-slim/amd64' --path 'src/runtime/8.0/bookworm-slim/amd64' --path 'src/aspnet/8.0/bookworm-slim/amd64'"}
}
