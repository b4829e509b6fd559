package registry

import (
	"context"
	"fmt"

	"github.com/opencontainers/go-digest"
)

// PlatformMove is how one platform's manifest fared when a tag moved from the index recorded
// at build time to the one it points to now.
type PlatformMove struct {
	// Platform is the platform compared.
	Platform Platform
	// Recorded and Current are the platform's manifest digests in the recorded and in the
	// current index (each the manifest's own digest when the tag pointed to a single image).
	Recorded, Current digest.Digest
}

// Unchanged reports whether the platform's manifest is the same in both: the index moved
// because another platform, or only attestations, changed.
func (m PlatformMove) Unchanged() bool { return m.Recorded == m.Current }

// ComparePlatform compares p's manifest in the manifest ref's tag pointed to when it was
// recorded (digest recorded) and in the one it points to now (digest current), through r's
// PlatformDigest of ref pinned to each digest, both at once: with the network resolver, a GET
// of each manifest by digest (so only references whose digest moved cost GETs).
//
// Errors, which a caller must not read as "unchanged":
//   - the recorded manifest is gone from the registry: an *Error of kind NotFound (treat the
//     base as moved: that is safe);
//   - current is p's own manifest inside the recorded index: an *Error of kind
//     InvalidResponse, since a tag does not move from an index to one of its own entries; the
//     registry (or a proxy) answered the tag's HEAD with one platform's manifest digest;
//   - any error of r.PlatformDigest.
func ComparePlatform(ctx context.Context, r Resolver, ref string, recorded, current digest.Digest, p Platform) (PlatformMove, error) {
	n, err := Normalize(ref)
	if err != nil {
		return PlatformMove{}, err
	}
	at := func(d digest.Digest) string {
		pinned := n
		pinned.Digest = d
		return pinned.String()
	}
	m := PlatformMove{Platform: p}
	// Both manifests are fetched at once: a comparison costs one round trip, not two.
	var currentErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.Current, currentErr = r.PlatformDigest(ctx, at(current), p)
	}()
	m.Recorded, err = r.PlatformDigest(ctx, at(recorded), p)
	<-done
	if err != nil {
		return m, err
	}
	if m.Recorded == current && recorded != current {
		return m, &Error{Ref: n.String(), Op: "compare", Kind: InvalidResponse, Err: fmt.Errorf(
			"the tag's digest %s is the %s manifest inside the recorded index %s: the registry answered with one platform's manifest, not the tag's index (a proxy answering HEAD for one platform?)",
			current, p, recorded)}
	}
	return m, currentErr
}
