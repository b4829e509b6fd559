package check

import (
	"context"

	"github.com/baseflow/baseflow/registry"
)

// PinnedBase is a base written with a digest ("FROM alpine:3.20@sha256:…"): the check uses
// the pinned digest, so the base never reads as moved, whatever its tag does.
type PinnedBase struct {
	// Reference is the base as looked up; Pin is its digest.
	Reference string `json:"reference"`
	Pin       string `json:"pin"`
	// Tag and TagDigest, with Checker.CheckPinned, are the tag's reference and where it
	// points now; Moved is set when that is not the pin (Renovate would propose an update)
	// and, for a pin naming one platform's manifest, the tag's index no longer holds it for
	// any platform built on the base.
	// The image is not marked stale either way.
	Tag       string `json:"tag,omitempty"`
	TagDigest string `json:"tagDigest,omitempty"`
	Moved     bool   `json:"moved,omitempty"`
	// Error is why the tag could not be looked up.
	Error string `json:"error,omitempty"`
}

// pinnedBases returns the pinned references among refs, in order, and with checkTags looks
// each one's tag up (concurrently, through the run's cache: a HEAD per tag, and a GET of the
// index for a tag whose digest is not the pin). platforms holds, per reference, the platforms
// built on it.
func pinnedBases(ctx context.Context, resolver *registry.Cache, refs []string, platforms map[string][]registry.Platform, checkTags bool) []PinnedBase {
	var out []PinnedBase
	for _, ref := range refs {
		n, err := registry.Normalize(ref)
		if err != nil || !n.Pinned() {
			continue
		}
		p := PinnedBase{Reference: ref, Pin: n.Digest.String()}
		if tag, ok := n.Unpinned(); ok && checkTags {
			p.Tag = tag.String()
		}
		out = append(out, p)
	}
	var tags []string
	for _, p := range out {
		if p.Tag != "" {
			tags = append(tags, p.Tag)
		}
	}
	if len(tags) == 0 {
		return out
	}
	digests, errs := resolver.ResolveAll(ctx, tags)
	for i, p := range out {
		if p.Tag == "" {
			continue
		}
		if err := errs[p.Tag]; err != nil {
			out[i].Error = err.Error()
			continue
		}
		out[i].TagDigest = digests[p.Tag].String()
		out[i].Moved = out[i].TagDigest != p.Pin && !holdsPin(ctx, resolver, p, platforms[p.Reference])
	}
	return out
}

// holdsPin reports whether the manifest p's tag points to now still holds the pin as the
// manifest of one of the platforms built on p: a pin may name one platform's image manifest
// (the digest a single-platform pull reports) rather than the tag's index, whose digest moves
// whenever any platform or attestation in it changes. One GET of the index, at most.
func holdsPin(ctx context.Context, resolver *registry.Cache, p PinnedBase, platforms []registry.Platform) bool {
	for _, pl := range platforms {
		if d, err := resolver.PlatformDigest(ctx, p.Tag, pl); err == nil && d.String() == p.Pin {
			return true
		}
	}
	return false
}
