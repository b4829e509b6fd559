package registry

import (
	"context"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// The OCI image-spec annotations (annotations.md) that name the image an image was built on.
// buildah and podman write them on every image they build, with the base as it was pulled
// ("docker.io/library/alpine:3.20") and the digest of the manifest used, which is the
// platform's manifest when the base tag is a multi-platform index.
const (
	AnnotationBaseName   = ocispec.AnnotationBaseImageName   // "org.opencontainers.image.base.name"
	AnnotationBaseDigest = ocispec.AnnotationBaseImageDigest // "org.opencontainers.image.base.digest"
)

// Image is one image manifest as a registry holds it, with what its config says of the
// platform and the creation time: what recording a build needs beyond its digest.
type Image struct {
	// Digest is the image manifest's digest; MediaType its media type.
	Digest    digest.Digest
	MediaType string
	// Layers are the manifest's layer descriptors, in order (digest and size in bytes).
	Layers []ocispec.Descriptor
	// Annotations are the manifest's annotations (nil when it has none).
	Annotations map[string]string
	// Labels are the config's labels (nil when it has none).
	Labels map[string]string
	// Platform is the config's os, architecture and variant.
	Platform Platform
	// Created is the config's creation time; zero when the config has none.
	Created time.Time
}

// Index is what a tag points to, as a check of a recorded base needs it: the top-level
// digest and, for a multi-platform index, the manifests it lists.
type Index struct {
	// Digest is the digest of the manifest the reference points to.
	Digest    digest.Digest
	MediaType string
	// Manifests are the entries of an OCI index or Docker manifest list; nil for an image
	// manifest.
	Manifests []ocispec.Descriptor
}

// Lists reports whether d is the index's own digest or one of the manifests it lists.
func (ix *Index) Lists(d digest.Digest) bool {
	if ix.Digest == d {
		return true
	}
	for _, m := range ix.Manifests {
		if m.Digest == d {
			return true
		}
	}
	return false
}

// ImageReader reads what a build pushed and what its bases point to. The network client
// (registry/remote) implements it.
type ImageReader interface {
	Resolver
	// Image returns the image manifest ref points to (by tag or digest) and its config.
	// A reference that points to an index is an error of kind InvalidResponse: a platform
	// image was expected.
	Image(ctx context.Context, ref string) (*Image, error)
	// Index returns the manifest ref points to: its digest and, for an index, its entries.
	Index(ctx context.Context, ref string) (*Index, error)
}
