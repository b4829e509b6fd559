// Package rest is the HTTP layer shared by the dispatch backends: JSON requests with
// credentials kept out of every error and log line, and retries only where a retry cannot
// queue a run twice.
//
// GET requests are retried on 429, 5xx, rate-limit 403s and connection errors, with
// exponential backoff and jitter, honouring Retry-After, for a bounded number of attempts.
// Other methods are retried only when the connection could not be made at all: once a POST
// may have reached the server, its failure is reported, never repeated.
package rest
