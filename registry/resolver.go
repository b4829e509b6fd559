package registry

import (
	"context"

	"github.com/opencontainers/go-digest"
)

// Resolver resolves image references to manifest digests.
//
// References are written as in a Dockerfile FROM line: "alpine:3.20",
// "mcr.microsoft.com/dotnet/runtime:8.0", "127.0.0.1:5000/x/y:tag". See Normalize for the
// accepted grammar.
type Resolver interface {
	// Digest returns the digest of the top-level manifest the reference's tag points to now:
	// the OCI index / Docker manifest list digest for multi-arch tags, else the image manifest
	// digest.
	Digest(ctx context.Context, ref string) (digest.Digest, error)

	// PlatformDigest returns the digest of p's image manifest inside the index ref points to,
	// or the manifest's own digest when ref is a single-platform manifest matching p.
	PlatformDigest(ctx context.Context, ref string, p Platform) (digest.Digest, error)
}
