// Package remote resolves image references against OCI distribution registries over the
// network, on oras-go v2's auth, credentials and retry packages. Client implements
// registry.Resolver; put a registry.Cache in front of it to resolve each reference once per
// run with bounded concurrency.
//
// What one lookup sends:
//
//   - Digest: HEAD /v2/<name>/manifests/<tag>, accepting the OCI index, Docker manifest list,
//     OCI manifest and Docker manifest types, and reads Docker-Content-Digest. HEAD requests do
//     not count against Docker Hub's pull limit. Only when the registry leaves the header out
//     does the client GET the manifest and hash its body.
//   - PlatformDigest: GET of the manifest, then the matching index entry; for a single image
//     manifest, a GET of its config to check the platform.
//
// Every GET checks the body against Docker-Content-Digest (and against the digest a
// reference is pinned to): a mismatch is an error of kind registry.InvalidResponse, never a
// digest.
//
// Authentication: credentials come from the docker configuration (config.json under
// $DOCKER_CONFIG or ~/.docker, its credsStore and credHelpers) or WithCredential, each host's
// looked up once per Client; anonymous bearer tokens otherwise. Tokens are cached per
// registry and repository scope, so a run asks for each repository's token once: the first
// request to a repository goes alone, and concurrent requests to that repository wait for it
// instead of each meeting the 401 challenge.
//
// Retries: 408, 429 and 5xx responses, connection resets and per-request timeouts are
// retried up to WithMaxRetries times, waiting what Retry-After asks (seconds or a date, capped
// by WithMaxRetryWait) or an exponential backoff with jitter. Waits end when the context does.
// 401, 403 and 404 are not retried; they come back as *registry.Error of kind Unauthorized,
// Forbidden and NotFound.
//
// Transport security: HTTPS with certificate verification, except for hosts named in
// WithPlainHTTP and loopback hosts, which fall back to plain HTTP when they answer HTTPS in
// plain HTTP.
package remote
