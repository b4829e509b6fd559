package imageinfo

import "github.com/baseflow/baseflow/manifest"

// Validation is how an image-info document binds to a manifest: what the stale check would
// not find, and why.
type Validation struct {
	// Unbound are the entries that bind to no manifest platform, in document order.
	Unbound []Entry
	// Missing are the manifest platforms (of those checked) that have no entry, in manifest
	// order, each with the near misses that might have been meant for it.
	Missing []Missing
}

// Missing is a manifest platform without an entry.
type Missing struct {
	Platform   *manifest.Platform
	NearMisses []NearMiss
}

// OK reports whether every entry binds and every checked platform has one.
func (v Validation) OK() bool { return len(v.Unbound) == 0 && len(v.Missing) == 0 }

// Validate reports how d, bound to a manifest (see Bind), covers platforms, the manifest
// platforms to check (all of them, or those a filter keeps).
func Validate(d *Document, platforms []*manifest.Platform) Validation {
	var v Validation
	for _, r := range d.Repos {
		for _, img := range r.Images {
			for _, p := range img.Platforms {
				if p.manifestPlatform == nil {
					v.Unbound = append(v.Unbound, Entry{Repo: r, Image: img, Platform: p})
				}
			}
		}
	}
	ix := NewIndex(d)
	for _, mp := range platforms {
		if _, ok := ix.Lookup(mp); !ok {
			v.Missing = append(v.Missing, Missing{Platform: mp, NearMisses: NearMisses(d, mp)})
		}
	}
	return v
}
