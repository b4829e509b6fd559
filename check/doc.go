// Package check is the stale-image check engine: for each subscription it loads the manifest
// and Dockerfiles from a subscription.Source, reads the image-info file, looks every external
// final-stage base up once per distinct reference for the whole run (a shared registry.Cache),
// and computes the stale images with their reasons and everything built on them (depgraph).
//
// A Checker checks subscriptions concurrently and returns one SubscriptionResult per
// subscription; a failing subscription never reads as up to date and does not stop the others.
// NewReport turns results into the machine-readable Report (--report) and its text form
// (--explain). Building a Checker from settings (git and GitHub sources, the registry client
// with credentials and mirrors) is package setup; queueing what it finds is package dispatch.
package check
