// Package registry resolves container image references to the digests of the manifests their
// tags point to now, which is how baseflow notices that a base image changed.
//
// # References
//
// A reference is what a Dockerfile FROM line names, parsed with the Docker reference grammar
// of github.com/distribution/reference:
//
//	reference := [domain "/"] path [":" tag] ["@" digest]
//	domain    := host [":" port]          (a first component with ".", ":" or "localhost")
//	path      := component ("/" component)*   (lower case, digits, ".", "_", "-" separators)
//
// Normalize fills in what Docker implies: the docker.io domain and, for single-component
// Docker Hub names, the library/ namespace; and the tag "latest" when there is neither tag
// nor digest. So "alpine:3.20" is docker.io/library/alpine:3.20 and "mcr.microsoft.com/dotnet/runtime:8.0"
// stays as it is. Variables ($VAR) must be expanded before; a reference that does not parse
// fails with an *Error of kind InvalidReference.
//
// # Which digest
//
// Resolver.Digest returns the digest of the top-level manifest the tag points to: the OCI
// image index or Docker manifest list digest for a multi-platform tag, else the image manifest
// digest. That is the digest ImageBuilder records as a platform's baseImageDigest at build
// time and compares at check time, so comparing it detects any change to any platform of the
// base. Resolver.PlatformDigest returns one platform's manifest digest inside the index, for
// explaining which platform moved (Platform, BestMatch: linux/arm64 and linux/arm64/v8 are the
// same platform; SelectPlatform refuses to guess between Windows releases that differ only in
// os.version). A reference pinned to a digest resolves to that digest; Ref.Pinned says so.
//
// # Backends
//
//   - registry/remote: the network Resolver, on oras-go. One HEAD request per tag with an
//     Accept header naming every index and manifest type (a registry that is not offered the
//     index types answers with one platform's manifest, the wrong digest), reading
//     Docker-Content-Digest, with a GET only when a registry leaves that header out. Docker
//     credentials and anonymous tokens, cached per repository; retries of 429 and 5xx that
//     honour Retry-After; typed errors; Docker Hub rate-limit budget in its Stats.
//   - Static: an in-memory map, for tests and demonstrations.
//   - Counting: counts the calls that reach another Resolver.
//   - registry/registrytest: an in-process OCI registry that negotiates media types like the
//     CNCF distribution registry, helpers to push random images and indexes to it or to any
//     registry, and a runner for Debian's docker-registry in integration tests.
//
// # The cache
//
// Cache sits in front of any Resolver: each distinct reference is resolved once per run,
// whatever the number of goroutines asking at the same time, at most 16 lookups run at once
// (WithConcurrency), failures are handed to every waiter but not kept, and ResolveAll resolves
// a set of references concurrently. Its rewrites (WithMirrors, WithRewrite) redirect lookups,
// for example from Docker Hub to a mirror in a private registry, before the reference becomes
// the cache key.
//
// # Registry behaviours handled
//
// Registries and the proxies in front of them depart from the distribution API in ways users
// meet. The network resolver (registry/remote) handles these, and registry/registrytest can
// behave like each of them:
//
//   - HEAD refused with 405 or 501 (some Harbor and Nexus setups): one GET, verified against
//     the body's digest, and GET for that host's later lookups; warned once per host.
//   - HEAD answered 404 where GET works (some proxies): the GET decides; a 404 from it too is
//     NotFound; warned once per host.
//   - No Docker-Content-Digest (proxies that strip it): one GET, hashed; warned once per host,
//     since on Docker Hub each is a pull.
//   - A HEAD answered with a manifest type the request did not accept (a proxy that drops the
//     Accept header, one that answers a schema 1 conversion): a failed lookup of kind
//     InvalidResponse, never a digest that would read as a moved base.
//   - A redirect to another host that challenges with its own token realm: followed as a new
//     request to that host, authenticated with that host's credentials and challenge; the
//     first host's credentials and tokens never reach it.
//   - Docker token authentication: one 401 challenge per registry host, then each
//     repository's pull token asked for directly; a token never grants more than pull of the
//     one repository.
//   - Loopback registries speaking plain HTTP: one HTTPS probe per host, falling back on any
//     TLS record-header error (not only an "HTTP/" answer), not counted as a failure.
//   - Indexes listing one platform for several Windows releases (os.version): matched on the
//     os.version prefix (WindowsOSVersion maps "nanoserver-ltsc2022" to 10.0.20348), and an
//     AmbiguousPlatform error rather than the first entry when the request names none.
//   - 429 and 5xx with Retry-After, connection resets, responses that never end: retried
//     within bounds; Docker Hub's rate-limit headers read into the client's Stats.
//
// Errors are *Error values: errors.As gives the reference, the operation, the HTTP status and
// a Kind (NotFound, Unauthorized, RateLimited, …) to branch on.
package registry
