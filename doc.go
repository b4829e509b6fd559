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
// Packages:
//
//   - manifest: the manifest model, includes, variables, platform views and filters.
//   - dockerfile: FROM, ARG and stage extraction on buildkit's Dockerfile parser.
//   - imageinfo: the image-info model, byte-compatible JSON, build- and publish-time merge.
//   - depgraph: the platform graph, staleness with reasons, rebuild sets and build waves.
//   - registry: digest resolution (network, caching, in-memory) behind one interface.
//   - subscription: the subscriptions file format and its sources (git, GitHub, in-memory).
//   - check: the check engine: subscriptions → graphs → one lookup per base → stale sets.
//   - setup: the real check and queue built from plain settings (what the commands wire).
//   - dispatch: queueing rebuilds with guards, on Azure DevOps and GitHub Actions.
//   - watch: rebuilds on registry push events, journaled and debounced.
//
// Check runs the whole flow (subscriptions, sources, stale paths with reasons, queueing) in
// one call.
//
// The examples directory holds thin command-line tools built on these packages.
package baseflow
