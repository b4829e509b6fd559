// Package github dispatches GitHub Actions workflows and posts notification issues through
// the GitHub REST API, on net/http.
//
// A [Client] talks to github.com or a GitHub Enterprise Server ("https://HOST/api/v3");
// [Client.Workflow] returns a workflow as a [dispatch.Pipeline], the Client itself is a
// [dispatch.Opener], and [Client.Notifier] returns a [dispatch.Notifier]. Every request carries
// "Authorization: Bearer <token>", "Accept: application/vnd.github+json" and
// "X-GitHub-Api-Version: 2022-11-28". The calls:
//
//	POST  /repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches  {"ref":"main","inputs":{...}}
//	GET   /repos/{owner}/{repo}/actions/workflows/{workflow}/runs?status={s}&per_page=100
//	GET   /repos/{owner}/{repo}/actions/workflows/{workflow}/runs?branch={b}&event=workflow_dispatch&per_page={n}
//	POST  /repos/{owner}/{repo}/issues
//	PATCH /repos/{owner}/{repo}/issues/{number}  {"state":"closed"}
//
// The status filter of the runs list takes one value, so active runs take one call per
// status in DefaultActiveStatuses: every state before completion, asked in lifecycle order
// so that a run moving on between two calls is still seen by a later one. A workflow
// dispatch answers 204 without the run: the link reported for a queued run is the
// workflow's runs page (unless WithReturnRunDetails is used, where the server supports it).
//
// Reads are retried on 408, 429, 5xx and connection errors, honouring Retry-After
// (WithMaxRetries, WithBackoff, WithMaxRetryWait, as in every client of this module); a
// request that queues a run or writes anything is sent again only when its connection was
// refused, so a run is never queued twice. Every unexpected answer is a [dispatch.HTTPError]
// whose message never holds the token.
package github
