package imageinfo

import "github.com/baseflow/baseflow/manifest"

// Index finds the image-info entry of a manifest platform in a bound document, as the
// stale-image check does (ImageBuilder's GetMatchingPlatformData): in the first repo named
// like the platform's repo, the first image having a platform bound to it, and in that image
// the first such platform. It is a snapshot: build a new one after changing the document.
type Index struct {
	entries map[*manifest.Platform]Entry
}

// Entry is an image-info platform with the repo and image holding it.
type Entry struct {
	Repo     *Repo
	Image    *Image
	Platform *Platform
}

// NewIndex indexes the bound platforms of d (see Bind).
func NewIndex(d *Document) *Index {
	ix := &Index{entries: make(map[*manifest.Platform]Entry)}
	seen := make(map[string]bool, len(d.Repos))
	for _, r := range d.Repos {
		if seen[r.Repo] {
			continue // only the first repo of a name is searched
		}
		seen[r.Repo] = true
		for _, img := range r.Images {
			for _, p := range img.Platforms {
				mp := p.manifestPlatform
				if mp == nil || mp.Image.Repo.Name != r.Repo {
					continue
				}
				if _, dup := ix.entries[mp]; !dup {
					ix.entries[mp] = Entry{Repo: r, Image: img, Platform: p}
				}
			}
		}
	}
	return ix
}

// Lookup returns the entry bound to mp, a platform of the manifest the document was bound to.
func (ix *Index) Lookup(mp *manifest.Platform) (Entry, bool) {
	e, ok := ix.entries[mp]
	return e, ok
}

// Len returns the number of manifest platforms that have an entry.
func (ix *Index) Len() int { return len(ix.entries) }
