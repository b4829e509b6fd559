package dockerfile

import (
	"strings"

	"github.com/baseflow/baseflow/manifest"
)

// Kind says where a base image comes from, relative to one manifest.
type Kind int

// The kinds of base image. The zero Kind is not a valid kind.
const (
	External Kind = iota + 1 // built elsewhere: its digest is watched
	Internal                 // built from the same manifest
	Scratch                  // no base image
)

// String returns "external", "internal" or "scratch" ("unknown" for any
// other value).
func (k Kind) String() string {
	switch k {
	case External:
		return "external"
	case Internal:
		return "internal"
	case Scratch:
		return "scratch"
	}
	return "unknown"
}

// MarshalText encodes the kind as its String form.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Classify returns the kind of an expanded base image given the qualified
// repository names ([registry/]name, e.g. mcr.microsoft.com/dotnet/runtime)
// of the repos built by the same manifest. An image is Internal when it is a
// tag of one of them by manifest.IsRepoTag, the rule the dependency graph
// applies through manifest.Manifest.InternalRepo, so a digest-only or
// differently spelled reference to the same repository is External. An empty
// image or scratch (case-insensitive) is Scratch.
func Classify(image string, internalRepos []string) Kind {
	if image == "" || strings.EqualFold(image, "scratch") {
		return Scratch
	}
	for _, repo := range internalRepos {
		if manifest.IsRepoTag(image, repo) {
			return Internal
		}
	}
	return External
}

// RepoOf returns the repository part of an image reference as ImageBuilder's
// GetRepo computes it for base-image digests: the text before the first '@'
// or, without a digest, before the tag's ':'.
//
// ImageBuilder cuts at the first ':' of the whole reference, which for a
// registry with a port (127.0.0.1:5000/x/y:tag) would give "127.0.0.1".
// RepoOf looks for the tag's ':' only after the last '/', giving
// "127.0.0.1:5000/x/y"; for references without a port, with or without a
// registry, both rules agree. A digest reference keeps any tag before the
// '@' (a:b@sha256:… gives a:b), as ImageBuilder does.
func RepoOf(image string) string {
	if i := strings.IndexByte(image, '@'); i >= 0 {
		return image[:i]
	}
	slash := strings.LastIndexByte(image, '/')
	if i := strings.IndexByte(image[slash+1:], ':'); i >= 0 {
		return image[:slash+1+i]
	}
	return image
}
