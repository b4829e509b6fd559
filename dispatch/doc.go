// Package dispatch queues the rebuilds a stale-image check asks for: exactly the needed ones,
// never twice, never blindly.
//
// The portable part lives here: a [Dispatcher] that takes subscriptions and stale-path results
// ([subscription.ImagePaths]), merges the paths per subscription, refuses any path that could
// inject arguments into a pipeline's command line, and for each subscription applies two guards
// before it queues:
//
//   - an active run (queued, not started or in progress) means the rebuild is already on its
//     way: the subscription is skipped;
//   - when the newest N runs (the failure limit, 3 by default) all completed and failed, the
//     circuit breaker trips: nothing is queued, and the result names the failed runs so a
//     person can look at them.
//
// The guards are applied once per pipeline per Dispatch, before anything is queued on it, so
// two subscriptions on one pipeline are both queued, as in ImageBuilder, whatever the timing
// of the backend: the second never counts the run the first just queued. Between two
// processes the guards are only a check followed by a queue: two processes at once can both
// see no active run and both queue. Serialize them in CI (docs/ci.md).
//
// The paths reach the pipeline as one string in ImageBuilder's format, under the
// subscription's path variable:
//
//	--path 'src/runtime/8.0/bookworm-slim/amd64' --path 'src/aspnet/8.0/bookworm-slim/amd64'
//
// Backends implement the small [Opener] and [Pipeline] interfaces; the Dispatcher picks one per
// subscription from its [Backends] table, keyed by [subscription.PipelineTrigger.Backend].
// Package dispatch/azdo talks to the Azure DevOps Build REST API, package dispatch/github to
// GitHub Actions, and package dispatch/dispatchtest records what would have been queued, in
// memory; a new CI system is one more subpackage and one more entry in the table that
// package dispatch/backends builds from settings. Per-run data, such as the reasons notifications
// quote, travels on each [Job], never on the Dispatcher. Packages dispatch/azdo/azdotest and
// githubtest run in-process fakes of both services that reject any request
// breaking the documented contract, and package dispatch/pipelinetest is the conformance suite
// every backend passes.
//
// The REST backends share one HTTP layer: reads are retried (WithMaxRetries, WithBackoff,
// WithMaxRetryWait, honouring Retry-After), a request that queues a run is never sent twice,
// credentials never appear in errors or logs, and every unexpected answer is an [HTTPError].
//
// This package and its backends import the subscriptions format and nothing of the check
// engine, Dockerfile parser or registry client: a program that only queues builds compiles
// no third-party module.
package dispatch
