// Package subscription reads subscriptions files and checks each subscription for stale
// images.
//
// A subscriptions file is a JSON array; each entry names a manifest (owner, repo, branch, path,
// optional variables), the image-info file recording what was built from it, the pipeline to
// queue (an Azure DevOps definition id, or a GitHub Actions workflow) with the variable that
// receives the paths, and an optional OS type gate. The subscription's id is
// "<owner>/<repo>/<branch>/<path>" of its manifest.
package subscription
