package imageinfo

import (
	"errors"
	"slices"
)

// MergeOptions select the merge rules. The zero value is a build-time merge.
type MergeOptions struct {
	// Publish replaces tag lists (platform simpleTags, manifest sharedTags and
	// syndicatedDigests) with the source's, sorted, even when the source's is empty. Without
	// it they are unioned and sorted, and an empty source list leaves the target's alone.
	Publish bool
}

// ErrManifestMismatch reports a merge of documents bound to different manifests (or one bound
// and one not): their images could not be matched.
var ErrManifestMismatch = errors.New("imageinfo: documents are bound to different manifests")

// Merge merges src into dst (ImageBuilder 2.3). Repos match by name, images by identity
// (SameImage), platforms by identity (SamePlatform); the first matching dst item is merged
// into, and an unmatched src item is appended as a copy. A list is sorted (see Sort) after a
// non-empty src list was merged into it; an empty dst list takes a copy of the src list, whose
// items keep the order of their own lists, as in ImageBuilder. Within matched items:
//
//   - strings, created and isUnchanged take the source's value, even when it is nil, empty or
//     false;
//   - tag lists follow opts.Publish;
//   - layers are replaced by the source's;
//   - a dst manifest object is removed when the source image has none, and copied when only
//     the source has one.
//
// Nothing else is removed. dst never shares memory with src afterwards. dst and src must be
// bound to the same manifest or both unbound; an unbound dst with no repos takes src's
// binding.
func Merge(dst, src *Document, opts MergeOptions) error {
	if dst.manifest != src.manifest {
		if dst.manifest != nil || len(dst.Repos) > 0 {
			return ErrManifestMismatch
		}
		dst.manifest = src.manifest
	}
	dst.Repos = mergeList(dst.Repos, src.Repos,
		func(a, b *Repo) bool { return a.Repo == b.Repo },
		func(r *Repo, add func(any)) { add(r.Repo) },
		func(r *Repo, add func(any)) { add(r.Repo) },
		func(t, s *Repo) { mergeRepo(t, s, opts) },
		(*Repo).Clone, sortRepos)
	return nil
}

// mergeList is ImageBuilder's MergeLists: each src item is merged into the first matching
// target item, items appended earlier in the loop included, or appended as a copy. An empty
// target takes a copy of the whole src list, duplicates and all.
//
// Matching goes through an index rather than a scan of the target per source item, which
// made large merges quadratic: dstKeys and srcKeys give every key under which an item can
// match (two items that are the same must share at least one key; sharing one need not make
// them the same), and same decides among the target items that share a key with the source
// item. A target item's keys are indexed again after something was merged into it, so the
// index only ever holds too many candidates, never too few.
func mergeList[T any](dst, src []*T, same func(src, dst *T) bool, dstKeys, srcKeys func(*T, func(any)), merge func(dst, src *T), clone func(*T) *T, sort func([]*T)) []*T {
	if len(src) == 0 {
		return dst
	}
	if len(dst) == 0 {
		dst = cloneList(src, clone)
		sort(dst)
		return dst
	}
	index := make(map[any][]int, len(dst))
	addKeys := func(i int) {
		index[dst[i]] = append(index[dst[i]], i) // an item is always the same as itself
		dstKeys(dst[i], func(k any) {
			if l := index[k]; len(l) == 0 || l[len(l)-1] != i {
				index[k] = append(l, i)
			}
		})
	}
	for i := range dst {
		addKeys(i)
	}
	for _, s := range src {
		best := -1
		try := func(k any) {
			for _, i := range index[k] {
				if (best < 0 || i < best) && same(s, dst[i]) {
					best = i
				}
			}
		}
		try(s)
		srcKeys(s, try)
		if best >= 0 {
			merge(dst[best], s)
			addKeys(best)
		} else {
			dst = append(dst, clone(s))
			addKeys(len(dst) - 1)
		}
	}
	sort(dst)
	return dst
}

func mergeRepo(dst, src *Repo, opts MergeOptions) {
	dst.Repo = src.Repo
	dst.Images = mergeList(dst.Images, src.Images, SameImage, imageKeys, imageKeys,
		func(t, s *Image) { mergeImage(t, s, opts) },
		(*Image).Clone, sortImages)
}

// sharedTagKey indexes an unbound image by one of its shared tags.
type sharedTagKey string

// imageKeys gives the keys under which SameImage can match img: the manifest image it is bound
// to, or, unbound, each of its platforms' keys and each of its shared tags.
func imageKeys(img *Image, add func(any)) {
	if img.manifestImage != nil {
		add(img.manifestImage)
		return
	}
	mm := imageMajorMinor(img)
	for _, p := range img.Platforms {
		add(keyOf(p, mm))
	}
	if img.Manifest != nil {
		for _, t := range img.Manifest.SharedTags {
			add(sharedTagKey(t))
		}
	}
}

func mergeImage(dst, src *Image, opts MergeOptions) {
	dst.ProductVersion = cloneString(src.ProductVersion)
	switch {
	case src.Manifest == nil:
		dst.Manifest = nil
	case dst.Manifest == nil:
		dst.Manifest = src.Manifest.Clone()
	default:
		m, s := dst.Manifest, src.Manifest
		m.Digest = cloneString(s.Digest)
		m.SyndicatedDigests = mergeTags(m.SyndicatedDigests, s.SyndicatedDigests, opts.Publish)
		m.Created = s.Created
		m.SharedTags = mergeTags(m.SharedTags, s.SharedTags, opts.Publish)
	}
	// The product version was just copied, so both sides' unbound platforms get the same
	// major.minor.
	dstMM, srcMM := imageMajorMinor(dst), imageMajorMinor(src)
	dst.Platforms = mergeList(dst.Platforms, src.Platforms,
		func(s, t *Platform) bool { return keyOf(s, srcMM) == keyOf(t, dstMM) },
		func(t *Platform, add func(any)) { add(keyOf(t, dstMM)) },
		func(s *Platform, add func(any)) { add(keyOf(s, srcMM)) },
		func(t, s *Platform) { mergePlatform(t, s, opts) },
		(*Platform).Clone,
		func(ps []*Platform) { sortPlatformList(ps, dstMM) })
}

func mergePlatform(dst, src *Platform, opts MergeOptions) {
	dst.Dockerfile = src.Dockerfile
	dst.SimpleTags = mergeTags(dst.SimpleTags, src.SimpleTags, opts.Publish)
	dst.Digest = src.Digest
	dst.BaseImageDigest = cloneString(src.BaseImageDigest)
	dst.OSType = src.OSType
	dst.OSVersion = src.OSVersion
	dst.Architecture = src.Architecture
	dst.Created = src.Created
	dst.CommitURL = src.CommitURL
	dst.Layers = cloneLayers(src.Layers)
	dst.IsUnchanged = src.IsUnchanged
}

// mergeTags merges a string list. Publish: the sorted source list. Otherwise an empty source
// changes nothing, and else the result is the sorted union without duplicates. (ImageBuilder
// keeps the source list as is when the target list is null, which only an explicit JSON null
// produces there; a nil list here is an empty list.)
func mergeTags(dst, src []string, publish bool) []string {
	if publish {
		if len(src) == 0 {
			return nil
		}
		out := slices.Clone(src)
		slices.Sort(out)
		return out
	}
	if len(src) == 0 || containsAll(dst, src) {
		return dst
	}
	out := make([]string, 0, len(dst)+len(src))
	out = append(append(out, dst...), src...)
	slices.Sort(out)
	return slices.Compact(out)
}

// containsAll reports whether dst is already the sorted union of dst and src: strictly
// increasing, and holding every element of src.
func containsAll(dst, src []string) bool {
	for i := 1; i < len(dst); i++ {
		if dst[i-1] >= dst[i] {
			return false
		}
	}
	for _, s := range src {
		if _, found := slices.BinarySearch(dst, s); !found {
			return false
		}
	}
	return true
}
