package imageinfo

import (
	"fmt"

	"github.com/baseflow/baseflow/manifest"
)

// BindOptions adjust Bind. The zero value validates, as a build-time merge does.
type BindOptions struct {
	// SkipManifestValidation leaves an image none of whose platforms matches the manifest
	// unbound instead of failing. The stale-image check and publish-time merges skip
	// validation; build-time merges do not.
	SkipManifestValidation bool
}

// UnmatchedError reports an image none of whose platforms matches a platform of the manifest.
// Platform is the image's first platform, the one ImageBuilder names.
type UnmatchedError struct {
	Repo     string
	Image    *Image
	Platform *Platform
}

func (e *UnmatchedError) Error() string {
	p := e.Platform
	tags := "without tags"
	if p.HasTags() {
		tags = "with tags"
	}
	pv := "no product version"
	if e.Image.ProductVersion != nil {
		pv = fmt.Sprintf("product version %q", *e.Image.ProductVersion)
	}
	return fmt.Sprintf("repo %s: no manifest platform matches platform %s (%s, %s, %s, %s, %s)",
		e.Repo, p.Dockerfile, p.Architecture, p.OSType, p.OSVersion, pv, tags)
}

// Bind links d's repos, images and platforms to m (ImageBuilder 2.1), replacing any earlier
// binding; a nil m removes the bindings. A repo binds to the manifest repo of the same name;
// one that the manifest lacks stays unbound, with its images and platforms, and is not an
// error. A platform binds to the first platform, in
// manifest order among the images of its repo, with the same Dockerfile path, architecture
// display name, OS type and OS version, the same tag presence, and an equivalent product
// version (ProductVersionsEquivalent, between the image-info image's version and the manifest
// image's). An image binds to the manifest image of its first bound platform. An image with
// platforms of which none binds is an *UnmatchedError unless opts.SkipManifestValidation.
//
// Merging, identity and lookups use the bindings. Bind again after changing a platform's
// identity fields.
func Bind(d *Document, m *manifest.Manifest, opts BindOptions) error {
	d.manifest = m
	var candidates map[candidateKey][]*manifest.Platform
	if m != nil {
		candidates = make(map[candidateKey][]*manifest.Platform, len(m.Platforms()))
		for _, mp := range m.Platforms() {
			k := candidateKey{mp.Image.Repo, mp.DockerfilePath}
			candidates[k] = append(candidates[k], mp)
		}
	}
	for _, r := range d.Repos {
		r.manifestRepo = nil
		if m != nil {
			r.manifestRepo = m.RepoByName(r.Repo)
		}
		for _, img := range r.Images {
			img.manifestImage = nil
			for _, p := range img.Platforms {
				p.manifestPlatform = nil
				if r.manifestRepo == nil {
					continue
				}
				for _, mp := range candidates[candidateKey{r.manifestRepo, p.Dockerfile}] {
					if platformMatches(img, p, mp) {
						p.manifestPlatform = mp
						if img.manifestImage == nil {
							img.manifestImage = mp.Image
						}
						break
					}
				}
			}
			if r.manifestRepo != nil && !opts.SkipManifestValidation && img.manifestImage == nil && len(img.Platforms) > 0 {
				return &UnmatchedError{Repo: r.Repo, Image: img, Platform: img.Platforms[0]}
			}
		}
	}
	return nil
}

type candidateKey struct {
	repo           *manifest.Repo
	dockerfilePath string
}

// platformMatches is ImageBuilder's ArePlatformsEqual for an image-info platform p of image
// img and a manifest platform mp (its Dockerfile path is already known to be equal).
func platformMatches(img *Image, p *Platform, mp *manifest.Platform) bool {
	return p.HasTags() == (len(mp.Tags) > 0) &&
		p.Architecture == mp.ArchitectureDisplay() &&
		p.OSType == mp.OSType() &&
		p.OSVersion == mp.OSVersion &&
		ProductVersionsEquivalent(img.ProductVersion, manifestProductVersion(mp.Image))
}

// manifestProductVersion is the manifest image's product version, nil when it has none.
func manifestProductVersion(mi *manifest.Image) *string {
	if mi.ProductVersion == "" {
		return nil
	}
	return &mi.ProductVersion
}

// PlatformFor builds the image-info platform a manifest platform would produce, with its
// identity fields (Dockerfile path, architecture, OS type, OS version, tags) filled in and
// bound to mp. Other fields are empty.
func PlatformFor(mp *manifest.Platform) *Platform {
	return &Platform{
		Dockerfile:       mp.DockerfilePath,
		SimpleTags:       manifest.TagNames(mp.Tags),
		OSType:           mp.OSType(),
		OSVersion:        mp.OSVersion,
		Architecture:     mp.ArchitectureDisplay(),
		manifestPlatform: mp,
	}
}
