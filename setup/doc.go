// Package setup builds a real check and a real queue from plain settings: the git and GitHub
// sources, the registry client with its credentials, mirrors and plain-HTTP hosts, the run-wide
// lookup cache, the base override and filters, the check.Checker, and the dispatch backends with
// their guards. It is what the example commands do between parsing their flags and formatting
// their output, public so that another tool builds the same thing in a few lines, the way
// go-containerregistry's crane package serves the crane command.
//
// Settings are plain structs whose zero values are the commands' defaults; nothing here reads
// flags. Secrets are never settings: tokens are read through a Getenv function (os.Getenv when
// nil) and registry credentials come from the docker config and its credential helpers.
//
// The queue's part (QueueSettings, NewDispatcher) is package dispatch/backends; a program that
// only queues builds imports that instead, and compiles no Dockerfile parser or registry client.
//
//	c, err := setup.NewCheck(setup.CheckSettings{SubscriptionsFile: "subscriptions.json"})
//	if err != nil { ... }
//	defer c.Close()
//	results := c.Checker.Check(ctx, c.Subscriptions)
package setup
