// Package baseflow rebuilds container images the moment their base images change.
//
// The flow, in the data formats of the .NET team's ImageBuilder tool:
//
//	build jobs ──► image-info (per job) ──merge──► image-info (published, in git)
//	                                                      │
//	subscriptions ─► manifest + Dockerfiles ─► final-stage bases ─► registry digests
//	                                                      │
//	                          stale images + everything built on them (depgraph)
//	                                                      │
//	                             queue a rebuild (Azure DevOps / GitHub Actions)
//
// For tests of code built on these packages: registry/registrytest (an OCI registry),
// githubtest (the GitHub REST API), dispatch/azdo/azdotest (the Azure DevOps Build API),
// dispatch/dispatchtest (a recording backend) and subscription/gitsource/gittest (git
// repositories). Every implementation of a driver interface passes its conformance suite:
// subscription/sourcetest for sources, dispatch/pipelinetest for pipeline backends.
//
// Check runs the whole flow (subscriptions, sources, stale paths with reasons, queueing) in
// one call.
//
// # Layout
//
// One concept per package; each row may import the pure packages above it, and a package
// never imports a row below it:
//
//	manifest/      manifest model, includes, variables, platform views, filters      (pure)
//	platform/      the OCI platform triple: parse, normalize, match                   (pure)
//	dockerfile/    FROM/ARG/stage extraction on buildkit's parser                     (pure)
//	imageinfo/     image-info model, byte-compatible JSON, merge (MergeFiles), trim    (pure)
//	depgraph/      platform graph, staleness, rebuild sets, build order               (pure)
//	registry/      digest resolution: interface, cache, fakes; remote/ on oras-go
//	subscription/  the subscriptions file format and its sources (git, GitHub, static)
//	check/         the engine: subscriptions → graphs → one lookup per base → stale sets
//	dispatch/      queueing rebuilds: guards, backend table, Azure DevOps, GitHub Actions
//	watch/         push-driven rechecks on top of the engine
//	setup/         the real check and queue built from plain settings (what commands wire)
//	examples/      thin commands: flags → setup settings, output formatting only
//
// Pure packages do no I/O beyond what their caller hands them. Backends (registry, the
// sources, dispatch) sit behind small interfaces with an in-memory implementation beside the
// real one. The subscriptions format imports no engine and dispatch imports nothing but the
// format, so a program that only queues builds compiles no Dockerfile parser and no registry
// client; internal/depcheck's test pins what each layer may import.
//
// The examples directory holds thin command-line tools built on these packages.
package baseflow
