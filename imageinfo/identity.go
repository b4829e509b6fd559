package imageinfo

import (
	"slices"
	"strings"
)

// platformKey identifies a platform within a repo (ImageBuilder's PlatformData.CompareTo):
// Dockerfile, architecture, OS type, OS version, the major.minor of its product version and
// whether it has tags. Tag names do not count.
type platformKey struct {
	dockerfile, architecture, osType, osVersion, majorMinor string
	hasTags                                                 bool
}

func (k platformKey) identifier() string {
	return k.dockerfile + "-" + k.architecture + "-" + k.osType + "-" + k.osVersion + "-" + k.majorMinor
}

// sortKey orders platforms: by identifier string (ordinal), then platforms without tags first
// (ImageBuilder calls platforms of different tag presence unequal without ordering them).
type sortKey struct {
	id      string
	hasTags bool
}

func (k platformKey) sortKey() sortKey { return sortKey{k.identifier(), k.hasTags} }

func (k sortKey) compare(o sortKey) int {
	if c := strings.Compare(k.id, o.id); c != 0 {
		return c
	}
	switch {
	case k.hasTags == o.hasTags:
		return 0
	case !k.hasTags:
		return -1
	}
	return 1
}

// imageMajorMinor is the major.minor of an image-info image's own product version.
func imageMajorMinor(img *Image) string {
	if img == nil || img.ProductVersion == nil {
		return ""
	}
	return MajorMinor(*img.ProductVersion)
}

// keyOf returns p's key. The major.minor comes from the manifest image p is bound to, as in
// ImageBuilder; for an unbound platform it is imageMM, the major.minor of the image-info image
// holding p (ImageBuilder leaves it empty there, which only makes sense once bound).
func keyOf(p *Platform, imageMM string) platformKey {
	mm := imageMM
	if mp := p.manifestPlatform; mp != nil {
		mm = MajorMinor(mp.Image.ProductVersion)
	}
	return platformKey{
		dockerfile:   p.Dockerfile,
		architecture: p.Architecture,
		osType:       p.OSType,
		osVersion:    p.OSVersion,
		majorMinor:   mm,
		hasTags:      p.HasTags(),
	}
}

// PlatformIdentifier returns the identifier ImageBuilder orders platforms by,
// "{dockerfile}-{architecture}-{osType}-{osVersion}-{MM}", for p as a platform of img. MM is
// the major.minor of the product version of the manifest image p is bound to, or, when p is
// unbound, of img's product version (see MajorMinor).
func (img *Image) PlatformIdentifier(p *Platform) string {
	return keyOf(p, imageMajorMinor(img)).identifier()
}

// SamePlatform reports whether a (a platform of image aImage) and b (of image bImage) are the
// same platform: same Dockerfile, architecture, OS type, OS version, product version
// major.minor and tag presence.
func SamePlatform(aImage *Image, a *Platform, bImage *Image, b *Platform) bool {
	return keyOf(a, imageMajorMinor(aImage)) == keyOf(b, imageMajorMinor(bImage))
}

// SameImage reports whether a and b are the same image. Bound images are the same when they
// are bound to the same manifest image. Two unbound images use the manifest-free identity:
// equivalent product versions (ProductVersionsEquivalent) and either a platform in common
// (SamePlatform) or a shared tag in common. A bound image is never the same as an unbound one.
// An image is always the same as itself.
func SameImage(a, b *Image) bool {
	if a == b {
		return true
	}
	if a.manifestImage != nil || b.manifestImage != nil {
		return a.manifestImage == b.manifestImage
	}
	if !ProductVersionsEquivalent(a.ProductVersion, b.ProductVersion) {
		return false
	}
	if a.Manifest != nil && b.Manifest != nil && len(a.Manifest.SharedTags) > 0 && len(b.Manifest.SharedTags) > 0 {
		for _, t := range a.Manifest.SharedTags {
			if slices.Contains(b.Manifest.SharedTags, t) {
				return true
			}
		}
	}
	amm, bmm := imageMajorMinor(a), imageMajorMinor(b)
	for _, pa := range a.Platforms {
		ka := keyOf(pa, amm)
		for _, pb := range b.Platforms {
			if ka == keyOf(pb, bmm) {
				return true
			}
		}
	}
	return false
}

// Sort orders d as a merge leaves it (ImageBuilder 2.2, with ordinal string comparison):
// repos by name; images by product version (nil first), then by their first platform
// (images without platforms last); platforms by identifier (see PlatformIdentifier), a
// platform without tags before one with tags of the same identifier. Tag lists are sorted.
// The sort is stable: items that compare equal keep their order.
func Sort(d *Document) {
	sortRepos(d.Repos)
	for _, r := range d.Repos {
		for _, img := range r.Images {
			sortPlatforms(img)
			if img.Manifest != nil {
				slices.Sort(img.Manifest.SharedTags)
				slices.Sort(img.Manifest.SyndicatedDigests)
			}
			for _, p := range img.Platforms {
				slices.Sort(p.SimpleTags)
			}
		}
		sortImages(r.Images)
	}
}

func sortRepos(repos []*Repo) {
	slices.SortStableFunc(repos, func(a, b *Repo) int { return strings.Compare(a.Repo, b.Repo) })
}

func sortPlatforms(img *Image) { sortPlatformList(img.Platforms, imageMajorMinor(img)) }

// sortPlatformList sorts the platforms of an image whose own major.minor is imageMM.
func sortPlatformList(platforms []*Platform, imageMM string) {
	if len(platforms) < 2 {
		return
	}
	type keyed struct {
		key sortKey
		p   *Platform
	}
	ks := make([]keyed, len(platforms))
	for i, p := range platforms {
		ks[i] = keyed{keyOf(p, imageMM).sortKey(), p}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int { return a.key.compare(b.key) })
	for i := range ks {
		platforms[i] = ks[i].p
	}
}

// firstPlatformKey returns the smallest key among img's platforms.
func firstPlatformKey(img *Image) (sortKey, bool) {
	mm := imageMajorMinor(img)
	var first sortKey
	for i, p := range img.Platforms {
		k := keyOf(p, mm).sortKey()
		if i == 0 || k.compare(first) < 0 {
			first = k
		}
	}
	return first, len(img.Platforms) > 0
}

// compareImages orders images as ImageBuilder's ImageData.CompareTo does in the well-formed
// case, using the image-info product version on both sides (ImageBuilder compares the bound
// manifest image's version with the other's image-info version, which only differ for
// images not yet rebuilt after a patch bump).
func compareImages(a, b *Image, ak, bk sortKey, aHas, bHas bool) int {
	switch {
	case a.ProductVersion == nil && b.ProductVersion != nil:
		return -1
	case a.ProductVersion != nil && b.ProductVersion == nil:
		return 1
	case a.ProductVersion != nil:
		if c := strings.Compare(*a.ProductVersion, *b.ProductVersion); c != 0 {
			return c
		}
	}
	switch {
	case aHas && bHas:
		return ak.compare(bk)
	case aHas:
		return -1
	case bHas:
		return 1
	}
	return 0
}

func sortImages(images []*Image) {
	if len(images) < 2 {
		return
	}
	type keyed struct {
		img *Image
		key sortKey
		has bool
	}
	ks := make([]keyed, len(images))
	for i, img := range images {
		k, has := firstPlatformKey(img)
		ks[i] = keyed{img, k, has}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int { return compareImages(a.img, b.img, a.key, b.key, a.has, b.has) })
	for i := range ks {
		images[i] = ks[i].img
	}
}
