package watch_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/remote"
	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/subscription/gitsource"
	"github.com/baseflow/baseflow/watch"
)

// A distribution registry's notification of an index pushed by tag, as received.
func ExampleParse() {
	body := []byte(`{"events": [{
	  "action": "push",
	  "target": {"mediaType": "application/vnd.oci.image.index.v1+json", "repository": "library/alpine", "tag": "3.20",
	             "digest": "sha256:1f0b5a1d1c7e6c3bc3b0bda5f1b6c4b4a8a1b9a2f7b3e3c1d0a9e8f7c6b5a4d3"},
	  "request": {"host": "registry-1.docker.io"}}]}`)
	events, err := watch.Parse("", body) // the format is detected
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range events {
		ref, err := e.Ref()
		fmt.Println(e.Format, e.IsTagPush(), ref, err)
	}
	// Output:
	// distribution true docker.io/library/alpine:3.20 <nil>
}

// The signature header a sender computes over the exact body it posts; the same as
// printf %s "$body" | openssl dgst -sha256 -hmac "$secret".
func ExampleSign() {
	fmt.Println(watch.SignatureHeader+":", watch.Sign("my-secret", []byte(`{"events":[]}`)))
	// Output:
	// X-Baseflow-Signature: sha256=9f313bd2c38b3467a3252047c83b44a724a15c7f0cd008e213dca1910e7bb4a3
}

// A watcher on GitHub repositories and Docker Hub that queues GitHub Actions workflows,
// serving webhooks on 127.0.0.1:8080 until interrupted.
func ExampleWatcher_Serve() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	subs, err := subscription.Load("subscriptions.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	client, err := remote.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	w, err := watch.New(watch.Config{
		Subscriptions: subs,
		Checker:       &check.Checker{Cache: registry.NewCache(client), LoadRecords: depgraph.LoadImageInfoRecords},
		Sources: func() (subscription.Source, subscription.Source, error) {
			src, err := gitsource.New() // a fresh clone per check sees new commits
			return src, src, err
		},
		Dispatcher: &dispatch.Dispatcher{DryRun: true},
		Secret:     os.Getenv("BASEFLOW_WEBHOOK_SECRET"),
		JournalDir: "/var/lib/watch-registry",
		Logger:     slog.Default(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:8080")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := w.Serve(ctx, ln); err != nil {
		fmt.Println(err)
	}
}
