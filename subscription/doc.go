// Package subscription reads subscriptions files and the repositories they name.
//
// A subscriptions file is a JSON array; each entry names a manifest (owner, repo, branch, path,
// optional variables), the image-info file recording what was built from it, the pipeline to
// queue (an Azure DevOps definition id, or a GitHub Actions workflow) with the variable that
// receives the paths, and an optional OS type gate. The subscription's id is
// "<owner>/<repo>/<branch>/<path>" of its manifest.
//
// Repositories are read through a Source: gitsource (the git CLI) and githubsource (GitHub's
// REST API) are the real ones, StaticSource the in-memory one. The package also holds the
// stale-path JSON that get-stale-images writes and queue-build reads (ImagePaths) and the
// sharding of a subscriptions file across CI jobs (Shard).
//
// This package is the format only: it imports no Dockerfile parser, registry client or check
// engine, so a program that only queues builds stays small. The check itself is package check.
package subscription
