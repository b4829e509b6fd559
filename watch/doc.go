// Package watch rebuilds images within seconds of a base image push: it receives registry
// push events over HTTP, checks the subscriptions whose final-stage bases the pushed tag is,
// and queues their rebuilds through a dispatch.Dispatcher with all its guards. A full check
// of every subscription runs on a schedule as a safety net for events that never arrive.
//
// The flow of one event:
//
//	POST /webhook ─► secret (bearer or HMAC) ─► parse ─► match ─► journal (fsync) ─► 202
//	                                                        │
//	       index: pushed tag ─► subscriptions using it as a final-stage base
//	                                                        │
//	       per subscription: wait Debounce, collecting events ─► baseflow.Check ─► dispatch
//	                                                        │
//	                              events handled ─► removed from the journal
//
// # Events
//
// Three payload formats are parsed into one Event: CNCF distribution notifications (an
// envelope of events; a manifest pushed by tag is an event with action "push" and
// target.tag, the registry host is request.host), Docker Hub webhooks (push_data.tag and
// repository.repo_name on docker.io) and Azure Container Registry webhooks (action "push",
// target.repository, target.tag, request.host). Only tag pushes matter: pulls, deletions,
// blob pushes and manifests pushed by digest alone (the platform manifests of an index)
// move no tag, and are counted and ignored.
//
// # Matching
//
// The index maps normalized tags ("docker.io/library/alpine:3.20" for "alpine:3.20") to
// subscriptions. It is built at start-up from every subscription's manifest and Dockerfiles
// (see FinalBases), refreshed every Refresh and after every check, and holds each final-stage
// base as written, after the check's base override, and as the checker's resolver looks it
// up: with a registry.Cache mirroring docker.io to myacr.azurecr.io/mirror, a push of
// myacr.azurecr.io/mirror/library/alpine:3.20 matches FROM alpine:3.20. A base used only by
// an earlier stage of a Dockerfile never triggers a check, and neither does a push by digest.
//
// # Lookups
//
// The checks share the Checker's registry.Cache. A full check resets it, so it asks the
// registry for every base again. A check of events forgets only the tags its events pushed
// (registry.Cache.Forget, which takes a push to a mirror and a push to the registry it mirrors
// alike) and takes the subscriptions' other bases from the cache, unless the cache was last
// reset Config.DigestMaxAge ago (Interval by default) or more: a missed event delays a rebuild
// by at most that long.
//
// # Senders without the secret
//
// A bearer token is checked from the headers, before a byte of the body is read. A body that
// only its signature can authenticate is read in one of Config.MaxUnverified slots (503 when
// all are taken), within Config.BodyTimeout, so that unauthenticated senders hold at most
// MaxUnverified × MaxBodyBytes of memory. Serve also bounds connections
// (Config.MaxConnections), header time and idle time.
//
// # Coalescing
//
// A subscription's check starts Debounce after the first event that concerns it and handles
// every event that arrived by then: a burst of pushes makes one check and at most one
// queued build. Events arriving while its check runs are handled by one follow-up check when
// it ends. A check that fails (a repository or registry unreachable) keeps its events, which
// are tried again after RetryDelay, up to MaxAttempts checks in a row. A check whose rebuild
// was not queued because the pipeline had a run active (dispatch.SkippedActive) keeps its
// events too: that run started before them. They are checked again every ActiveRunRetry,
// until the run has ended or ActiveRunMaxWait has passed.
//
// # Durability and duplicates
//
// Accepted events that concern a subscription are written to the Journal before the 202
// reply (the events of one body in one write) and removed once every subscription they
// concern has been checked, so a restart, or the process being killed, loses none: Run
// replays the journal first. An event's Key is the registry's event id when it sends one,
// else the pushed digest or push time; a delivery whose key is that of its tag's latest push,
// pending or handled within DedupWindow, is a redelivery, answered 202 and changing nothing.
// A tag pushed back to an earlier digest (A → B → A) is checked again.
//
// # Operations
//
// /healthz answers 200 with a JSON status; /metrics writes Stats in the Prometheus text
// format: events by format and kind, rejected requests, checks by trigger and result,
// builds by dispatch outcome, registry lookups, and the time of the last successful full
// check. Serve shuts down gracefully when its context ends.
package watch
