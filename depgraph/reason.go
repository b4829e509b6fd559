package depgraph

import (
	"fmt"
	"strings"
)

// ReasonKind says why an image is in the rebuild set.
type ReasonKind string

const (
	// BaseChanged: the image's final-stage base now has another digest than image-info records.
	BaseChanged ReasonKind = "base-changed"
	// NotInImageInfo: image-info has no entry for the image, so its base cannot be compared.
	NotInImageInfo ReasonKind = "not-in-image-info"
	// DependsOn: the image is built FROM an image in the rebuild set.
	DependsOn ReasonKind = "depends-on"
	// DependencyOf: an image in the rebuild set is built FROM this one; ImageBuilder rebuilds
	// the whole connected group so that every tag is published from one build.
	DependencyOf ReasonKind = "dependency-of"
)

// Reason explains why an image is rebuilt.
type Reason struct {
	Kind ReasonKind `json:"kind"`
	// Base, Recorded and Current describe a changed base: the reference looked up, the
	// recorded baseImageDigest, and the current "<repository>@<digest>".
	Base     string `json:"base,omitempty"`
	Recorded string `json:"recorded,omitempty"`
	Current  string `json:"current,omitempty"`
	// Via is the chain of Dockerfile paths from the root cause to the image, root first
	// and the image last, for DependsOn and DependencyOf.
	Via []string `json:"via,omitempty"`
	// Root is the reason of the chain's first image, for DependsOn and DependencyOf.
	Root *Reason `json:"root,omitempty"`
	// NearMiss, for NotInImageInfo, names an image-info entry that differs from the image's
	// platform only by a likely mistake, and how (see Records.NearMiss).
	NearMiss string `json:"nearMiss,omitempty"`
}

// Respelled reports a changed base whose digest did not change: image-info recorded the
// same digest under another spelling of the repository (docker.io/library/debian for
// debian, or the repository a base override now gives).
func (r Reason) Respelled() bool {
	if r.Kind != BaseChanged || r.Recorded == "" {
		return false
	}
	_, recorded, ok1 := strings.Cut(r.Recorded, "@")
	_, current, ok2 := strings.Cut(r.Current, "@")
	return ok1 && ok2 && recorded == current
}

// String says the reason in one short sentence.
func (r Reason) String() string {
	switch r.Kind {
	case BaseChanged:
		if r.Respelled() {
			repo, _, _ := strings.Cut(r.Recorded, "@")
			now, _, _ := strings.Cut(r.Current, "@")
			return fmt.Sprintf("base %s has the same digest %s, but image-info records the repository as %s and the check compares %s", r.Base, shortDigest(r.Current), repo, now)
		}
		if r.Recorded == "" {
			return fmt.Sprintf("base %s is now %s; image-info records no base digest", r.Base, shortDigest(r.Current))
		}
		return fmt.Sprintf("base %s changed from %s to %s", r.Base, shortDigest(r.Recorded), shortDigest(r.Current))
	case NotInImageInfo:
		if r.NearMiss != "" {
			return "image-info has no entry for this image; did you mean " + r.NearMiss + "?"
		}
		return "image-info has no entry for this image"
	case DependsOn, DependencyOf:
		verb := "built on"
		if r.Kind == DependencyOf {
			verb = "base of"
		}
		s := verb + " " + r.Via[len(r.Via)-2]
		if len(r.Via) > 2 {
			s += " (via " + strings.Join(r.Via[:len(r.Via)-2], " → ") + ")"
		}
		if r.Root != nil {
			s += ", rebuilt because " + r.Via[0] + ": " + r.Root.String()
		}
		return s
	}
	return string(r.Kind)
}

// Brief says the reason in a few words, for listings where the chain is visible: "base
// alpine:3.20 changed", "built on src/runtime/8.0/noble/amd64".
func (r Reason) Brief() string {
	switch r.Kind {
	case BaseChanged:
		if r.Recorded == "" {
			return "base " + r.Base + ": no digest recorded"
		}
		if r.Respelled() {
			return "base " + r.Base + " respelled (same digest)"
		}
		return "base " + r.Base + " changed"
	case NotInImageInfo:
		if r.NearMiss != "" {
			return "not in image-info; did you mean " + r.NearMiss + "?"
		}
		return "not in image-info"
	case DependsOn:
		return "built on " + r.Via[len(r.Via)-2]
	case DependencyOf:
		return "base of " + r.Via[len(r.Via)-2]
	}
	return string(r.Kind)
}

// shortDigest abbreviates "repo@sha256:0123456789ab…" to "sha256:0123456789ab".
func shortDigest(ref string) string {
	_, d, ok := strings.Cut(ref, "@")
	if !ok {
		d = ref
	}
	if algo, hex, ok := strings.Cut(d, ":"); ok && len(hex) > 12 {
		return algo + ":" + hex[:12]
	}
	return d
}
