// Package remote resolves image references against OCI distribution registries over the
// network, on oras-go v2's auth, credentials and retry packages. Client implements
// registry.Resolver; put a registry.Cache in front of it to resolve each reference once per
// run with bounded concurrency.
//
// What one lookup sends:
//
//   - Digest: HEAD /v2/<name>/manifests/<tag>, accepting the OCI index, Docker manifest list,
//     OCI manifest and Docker manifest types, and reads Docker-Content-Digest. HEAD requests do
//     not count against Docker Hub's pull limit. Only when HEAD cannot answer (the registry
//     refuses HEAD with 405/501, answers it 404, or leaves the header out) does the client GET
//     the manifest and hash its body; Stats.Warnings names each such registry once. A HEAD
//     answer of a media type the request did not accept is an error, not a digest.
//   - PlatformDigest: GET of the manifest, then the matching index entry; for a single image
//     manifest, a GET of its config to check the platform.
//
// Every GET checks the body against Docker-Content-Digest (and against the digest a
// reference is pinned to): a mismatch is an error of kind registry.InvalidResponse, never a
// digest.
//
// Authentication: credentials come from the docker configuration (config.json under
// $DOCKER_CONFIG or ~/.docker, its credsStore and credHelpers) or WithCredential, each host's
// looked up once per Client; anonymous bearer tokens otherwise. oras-go's auth.Client does the
// token exchange and caches tokens per host and repository scope. Two layers go around it,
// because oras-go asks for a token only after a 401, once per new scope, and answers only
// challenges from the origin a request was sent to:
//
//   - One challenge per registry: the first request to a host goes alone; once the host has
//     answered 401 with a Bearer challenge, its realm and service are kept, and each further
//     unauthenticated pull request to that host gets the same challenge, scoped to its own
//     repository, locally (challenge.go), so oras-go asks for that repository's token at once
//     instead of after a round trip. Tokens stay one per repository, pull only.
//   - Redirects to another host: net/http drops the Authorization header when a redirect
//     leaves the origin, and oras-go hands back the 401 of the host it lands on unanswered
//     (its challenge is not the first host's), so the lookup fails. The client stops such
//     redirects of registry API requests and follows them itself, as a new request through
//     the auth client, so the new host gets its own credentials, challenge and token, and the
//     first host's never; a redirect from HTTPS to plain HTTP is refused (loopback aside).
//
// Retries: 408, 429 and 5xx responses, connection resets and per-request timeouts are
// retried up to WithMaxRetries times, waiting what Retry-After asks (seconds or a date, capped
// by WithMaxRetryWait) or an exponential backoff with jitter. Waits end when the context does.
// 401, 403 and 404 are not retried; they come back as *registry.Error of kind Unauthorized,
// Forbidden and NotFound.
//
// Transport security: HTTPS with certificate verification, except for hosts named in
// WithPlainHTTP and loopback hosts, which fall back to plain HTTP when they answer a TLS
// handshake with anything that is not TLS (an "HTTP/" status line or other bytes: any TLS
// record-header error, as containerd accepts). The probe is made once per host, and its
// failure is not counted in Stats.Failed.
package remote
