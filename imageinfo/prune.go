package imageinfo

import (
	"errors"
	"slices"
)

// Removed counts what a clean-up removed.
type Removed struct {
	Repos, Images, Platforms int
}

// ErrNotBound reports an operation that needs a document bound to a manifest (see Bind).
var ErrNotBound = errors.New("imageinfo: document is not bound to a manifest")

// ErrNothingLeft reports a clean-up of out-of-date content that would leave no repo: the
// manifest and the document most likely do not belong together.
var ErrNothingLeft = errors.New("imageinfo: removing out-of-date content would leave no repos")

// RemoveOutOfDateContent removes from a bound document what its manifest no longer has, as a
// publish-time merge does to the published file before merging into it (ImageBuilder 2.5):
// repos whose name no manifest repo has, images bound to no manifest image, and platforms not
// bound to a platform of their image's manifest image. Repos left with no images are kept.
// If no repo would remain, d is left unchanged and the error is ErrNothingLeft.
func RemoveOutOfDateContent(d *Document) (Removed, error) {
	m := d.manifest
	if m == nil {
		return Removed{}, ErrNotBound
	}
	var removed Removed
	repos := make([]*Repo, 0, len(d.Repos))
	for _, r := range d.Repos {
		if m.RepoByName(r.Repo) == nil {
			removed.Repos++
			continue
		}
		repos = append(repos, r)
	}
	if len(repos) == 0 {
		return Removed{}, ErrNothingLeft
	}
	for _, r := range repos {
		r.Images = slices.DeleteFunc(r.Images, func(img *Image) bool {
			if img.manifestImage == nil {
				removed.Images++
				return true
			}
			img.Platforms = slices.DeleteFunc(img.Platforms, func(p *Platform) bool {
				if p.manifestPlatform == nil || p.manifestPlatform.Image != img.manifestImage {
					removed.Platforms++
					return true
				}
				return false
			})
			return false
		})
	}
	d.Repos = repos
	return removed, nil
}

// TrimUnchanged removes the platforms marked isUnchanged, then the images left without
// platforms, then the repos left without images, as ImageBuilder's trimUnchangedPlatforms does
// before a publish. Images and repos that had none to begin with are removed too. It needs no
// manifest.
func TrimUnchanged(d *Document) Removed {
	var removed Removed
	d.Repos = slices.DeleteFunc(d.Repos, func(r *Repo) bool {
		r.Images = slices.DeleteFunc(r.Images, func(img *Image) bool {
			img.Platforms = slices.DeleteFunc(img.Platforms, func(p *Platform) bool {
				if p.IsUnchanged {
					removed.Platforms++
				}
				return p.IsUnchanged
			})
			if len(img.Platforms) == 0 {
				removed.Images++
				return true
			}
			return false
		})
		if len(r.Images) == 0 {
			removed.Repos++
			return true
		}
		return false
	})
	return removed
}
