// Package registrytest runs OCI registries for tests, in the style of net/http/httptest.
//
// New starts an in-memory distribution registry on 127.0.0.1 that serves the parts of the
// API a resolver and a pusher use (manifests by tag and digest, blobs, monolithic and chunked
// uploads, tag lists) and negotiates manifest media types as the CNCF distribution registry
// 2.8 does, so a client that sends an incomplete Accept header gets the same wrong answer it
// would get from a real registry. Options add Docker token authentication, injected latency,
// TLS and arbitrary middleware for fault injection; every request is logged for assertions
// ("exactly 5 HEADs, no GET"). Other options make it behave like registries and proxies that
// depart from the API: HEAD refused with 405/501 (WithHeadRefused) or answered 404
// (WithHeadNotFound), Docker-Content-Digest stripped (WithoutDigestHeader), a tag HEAD
// answered for one platform (WithHeadForPlatform), content served from a second host with
// its own token realm (WithRedirect), a TLS hello answered with non-TLS bytes
// (WithTLSHelloReply).
//
// PushImage, PushIndex and MoveTag seed a Server without HTTP; MovePlatform, Attest and
// Delete change an index the way base image maintainers and garbage collection do (one
// platform rebuilt, an attestation added, an old index gone), and MoveRandomPlatform and
// AddRandomAttestation do the first two on any registry. PushRandomImage and
// PushRandomIndex push the same kind of content, small but real images, to any registry
// through an oras-go Target, and StartDistribution runs Debian's docker-registry for
// integration tests.
package registrytest
