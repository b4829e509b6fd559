// Package check is the stale-image check engine: for each subscription it loads the manifest
// and Dockerfiles from a subscription.Source, reads the image-info file, looks every external
// final-stage base up once per distinct reference for the whole run (a shared registry.Cache),
// and computes the stale images with their reasons and everything built on them (depgraph).
//
// A base whose digest moved is compared platform by platform: its recorded and its current
// manifest are fetched by digest (registry.ComparePlatform; two GETs per moved base, none for
// the others), so a result says which candidates' own platform did not move (an index moves
// when any platform is rebuilt or only its attestations change) and how many rebuilds
// Checker.PlatformAware saves by leaving them off; ImageBuilder rebuilds them. A comparison
// can only save a rebuild, never block one: a recorded manifest the registry no longer has,
// or a comparison GET that failed (a 429, a 5xx, a time-out), counts as moved. A tag HEAD
// that named one platform's manifest instead of the index fails the lookup, and so does a
// base with no manifest for the platform. Bases pinned to a digest never move; with
// Checker.CheckPinned their tags are looked up and reported when they left the pin.
//
// A Checker checks subscriptions concurrently and returns one SubscriptionResult per
// subscription; a failing subscription never reads as up to date and does not stop the others.
// NewReport turns results into the machine-readable Report (--report) and its text form
// (--explain). Building a Checker from settings (git and GitHub sources, the registry client
// with credentials and mirrors) is package setup; queueing what it finds is package dispatch.
package check
