// Package azdo queues Azure DevOps builds through the Build REST API 7.1, on net/http.
//
// A [Client] is bound to an organization (a collection, on Azure DevOps Server) and a
// project; [Client.Definition] returns a build definition as a [dispatch.Pipeline], and the
// Client itself is a [dispatch.Opener]. The calls it makes, all with ?api-version=7.1 and
// Basic authentication with an empty user and the personal access token:
//
//	GET  {base}/{org}/{project}/_apis/build/builds?definitions={id}&statusFilter=notStarted
//	GET  {base}/{org}/{project}/_apis/build/builds?definitions={id}&statusFilter=inProgress
//	GET  {base}/{org}/{project}/_apis/build/builds?definitions={id}&$top={n}&queryOrder=queueTimeDescending
//	POST {base}/{org}/{project}/_apis/build/builds
//	     {"definition":{"id":373},"sourceBranch":"main","parameters":"{\"imageBuilder.pathArgs\": \"--path 'src/a'\"}"}
//	PUT  {base}/{org}/{project}/_apis/build/builds/{buildId}/tags/autobuilder
//
// Active builds take two calls, not statusFilter=notStarted,inProgress, because the
// comma-separated form is undocumented. notStarted is asked first: a build that starts
// between the two calls is then seen by the second one, in progress.
//
// Reads are retried on 408, 429, 5xx and connection errors, honouring Retry-After
// (WithMaxRetries, WithBackoff, WithMaxRetryWait, as in every client of this module); a
// request that queues a run or writes anything is sent again only when its connection was
// refused, so a run is never queued twice. Every unexpected answer is a [dispatch.HTTPError]
// whose message never holds the token.
package azdo
