package registry

import ocispec "github.com/opencontainers/image-spec/specs-go/v1"

// Docker manifest media types, which OCI's image-spec does not define.
const (
	// MediaTypeDockerManifest is a Docker image manifest, schema 2.
	MediaTypeDockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
	// MediaTypeDockerManifestList is a Docker manifest list, Docker's multi-platform index.
	MediaTypeDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
)

// ManifestMediaTypes returns the manifest media types a digest lookup must accept, indexes
// first. A request that leaves out the index types makes a distribution registry answer with
// one platform's manifest (or a 404) instead of the index, which gives the wrong digest.
func ManifestMediaTypes() []string {
	return []string{
		ocispec.MediaTypeImageIndex,
		MediaTypeDockerManifestList,
		ocispec.MediaTypeImageManifest,
		MediaTypeDockerManifest,
	}
}

// IsIndex reports whether mediaType is a multi-platform index: an OCI image index or a Docker
// manifest list.
func IsIndex(mediaType string) bool {
	return mediaType == ocispec.MediaTypeImageIndex || mediaType == MediaTypeDockerManifestList
}
