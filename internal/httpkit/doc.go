// Package httpkit is the HTTP layer of this module's REST clients (the Azure DevOps and GitHub
// Actions dispatch backends, the GitHub source): JSON requests with credentials kept out of
// every error and log line, a user agent, one error type ([Error]), and retries that can never
// queue a run twice.
//
// Retries. GET and HEAD requests are retried on 408, 429, 5xx (but 501 and 505), rate-limit
// 403s (GitHub: X-RateLimit-Remaining: 0, or a Retry-After) and connection errors, at most
// Retry.MaxRetries times. The wait is what the server asks for (Retry-After in seconds or as
// an HTTP date, else the X-RateLimit-Reset time plus a second), else an exponential backoff
// from Retry.Backoff, doubling, with ±10% jitter, capped at Retry.MaxWait. A server that asks
// for a longer wait than Retry.MaxWait ends the retries: its answer is the error. Any other
// method (POST, PUT, PATCH, DELETE) is sent again only when the connection was refused or
// could not be made, because only then can the request not have reached the server.
//
// Every client exposes the same three options for this, named as in registry/remote:
// WithMaxRetries(n), WithBackoff(d) and WithMaxRetryWait(d).
//
// Redaction. The Redactor's secrets and the userinfo of every URL are replaced by "***" in
// error messages (server answers are untrusted text that can echo a credential) and logs.
package httpkit
