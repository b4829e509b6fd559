package registrytest

import (
	"encoding/json"
	"strings"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/baseflow/baseflow/registry"
)

// acceptSet parses Accept header values into the set of media types they name, ignoring
// parameters such as q (distribution does too).
func acceptSet(values []string) map[string]bool {
	set := make(map[string]bool)
	for _, v := range values {
		for _, mt := range strings.Split(v, ",") {
			mt, _, _ = strings.Cut(mt, ";")
			if mt = strings.TrimSpace(mt); mt != "" {
				set[mt] = true
			}
		}
	}
	return set
}

// negotiate decides what a GET or HEAD of manifest m (digest d, addressed by tag when byTag)
// returns for a request accepting accept, as distribution 2.8 does:
//
//   - an OCI image manifest or OCI index the request does not accept: 404 MANIFEST_UNKNOWN,
//     by tag or by digest;
//   - a Docker manifest list requested by tag without the list type: the list's linux/amd64
//     entry instead, with that entry's digest (404 when there is none);
//   - a Docker image manifest requested by tag without the Docker manifest type: distribution
//     converts it to schema 1; this server answers 404 MANIFEST_UNKNOWN instead (schema 1 is
//     long deprecated, and a 404 is as wrong a digest as a conversion is);
//   - anything else: m itself.
//
// It returns the manifest to serve and its digest, or a non-empty 404 message. Callers hold
// the server's lock.
func negotiate(repo *repository, m stored, d digest.Digest, byTag bool, accept map[string]bool) (stored, digest.Digest, string) {
	switch m.mediaType {
	case ocispec.MediaTypeImageManifest:
		if !accept[ocispec.MediaTypeImageManifest] {
			return stored{}, "", "OCI manifest found, but accept header does not support OCI manifests"
		}
	case ocispec.MediaTypeImageIndex:
		if !accept[ocispec.MediaTypeImageIndex] {
			return stored{}, "", "OCI index found, but accept header does not support OCI indexes"
		}
	case registry.MediaTypeDockerManifest:
		if byTag && !accept[registry.MediaTypeDockerManifest] {
			return stored{}, "", "schema 2 manifest found, but accept header asks for a schema 1 conversion, which this registry does not do"
		}
	case registry.MediaTypeDockerManifestList:
		if byTag && !accept[registry.MediaTypeDockerManifestList] {
			var list ocispec.Index
			if err := json.Unmarshal(m.body, &list); err != nil {
				return stored{}, "", "manifest list unreadable"
			}
			for _, c := range list.Manifests {
				if c.Platform != nil && c.Platform.OS == "linux" && c.Platform.Architecture == "amd64" {
					child, ok := repo.manifests[c.Digest]
					if !ok {
						break
					}
					return negotiate(repo, child, c.Digest, true, accept)
				}
			}
			return stored{}, "", "manifest list has no linux/amd64 entry to serve in its place"
		}
	}
	return m, d, ""
}
