package imageinfo

import "github.com/baseflow/baseflow/manifest"

// SchemaVersion is the schema version every document is written with.
const SchemaVersion = "2.0"

// Document is an image-info file: what was built, for each repo, image and platform of a
// manifest. Fields are declared in the order they are written.
type Document struct {
	// SchemaVersion is the version the document was read with ("1.0" or "2.0"). It is
	// informational: documents are always written as SchemaVersion.
	SchemaVersion string
	Repos         []*Repo

	manifest *manifest.Manifest // set by Bind
}

// Repo is one repository: its name without registry ("dotnet/runtime") and its images.
type Repo struct {
	// Repo is the manifest repo name. It is required: always written, even when empty.
	Repo   string
	Images []*Image

	manifestRepo *manifest.Repo
}

// Image is one manifest image: a product version, the manifest-list data when the image has
// shared tags, and its platforms.
type Image struct {
	// ProductVersion is omitted when nil; an empty string is written as "".
	ProductVersion *string
	// Manifest is the multi-platform manifest list; nil when the image has no shared tags.
	Manifest  *ManifestData
	Platforms []*Platform

	manifestImage *manifest.Image
}

// ManifestData describes the manifest list of an image's shared tags.
type ManifestData struct {
	// Digest is "<registry>/<repo>@sha256:..."; omitted when nil.
	Digest            *string
	SyndicatedDigests []string
	// Created is the creation time exactly as read (e.g. "2026-08-10T17:43:36.2833441Z");
	// omitted when empty.
	Created    string
	SharedTags []string
}

// Platform is one built platform image. Dockerfile, Digest, OSType, OSVersion, Architecture and
// CommitURL are required: they are always written, even when empty.
type Platform struct {
	// Dockerfile is the Dockerfile path relative to the manifest directory, with forward
	// slashes, always naming the file ("src/runtime/8.0/noble/amd64/Dockerfile").
	Dockerfile string
	// SimpleTags are the platform's tag names, without repo.
	SimpleTags []string
	// Digest is "<registry>/<repo>@sha256:..." of the platform image.
	Digest string
	// BaseImageDigest is "<repo of the final-stage base>@sha256:..."; nil for FROM scratch or
	// when it was never computed. An empty string is kept and written as "".
	BaseImageDigest *string
	// OSType is "Linux" or "Windows".
	OSType string
	// OSVersion is the manifest osVersion, verbatim ("noble", "nanoserver-ltsc2022").
	OSVersion string
	// Architecture is "amd64", "arm64" or "arm32".
	Architecture string
	// Created is the creation time exactly as read; omitted when empty.
	Created string
	// CommitURL is "<source repo>/blob/<commit>/<dockerfile>".
	CommitURL string
	Layers    []Layer
	// IsUnchanged marks a platform a build reused rather than built; omitted when false.
	IsUnchanged bool

	manifestPlatform *manifest.Platform
}

// Layer is one layer of a platform image. Schema 1.0 files list layers as digest strings;
// those read as layers of size 0.
type Layer struct {
	// Digest is "sha256:..."; omitted when nil.
	Digest *string
	// Size in bytes; omitted when 0.
	Size int64
}

// Manifest returns the manifest the document is bound to, or nil (see Bind).
func (d *Document) Manifest() *manifest.Manifest { return d.manifest }

// ManifestRepo returns the manifest repo the repo is bound to, or nil.
func (r *Repo) ManifestRepo() *manifest.Repo { return r.manifestRepo }

// ManifestImage returns the manifest image the image is bound to (the image of its first
// matched platform), or nil.
func (i *Image) ManifestImage() *manifest.Image { return i.manifestImage }

// ManifestPlatform returns the manifest platform the platform is bound to, or nil.
func (p *Platform) ManifestPlatform() *manifest.Platform { return p.manifestPlatform }

// HasTags reports whether the platform has at least one simple tag. Tag presence, not tag
// names, is part of a platform's identity.
func (p *Platform) HasTags() bool { return len(p.SimpleTags) > 0 }

// Counts is the number of repos, images and platforms in a document.
type Counts struct {
	Repos, Images, Platforms int
}

// Count returns the number of repos, images and platforms in d.
func (d *Document) Count() Counts {
	c := Counts{Repos: len(d.Repos)}
	for _, r := range d.Repos {
		c.Images += len(r.Images)
		for _, img := range r.Images {
			c.Platforms += len(img.Platforms)
		}
	}
	return c
}

// Clone returns a deep copy of d, bindings included: changing the copy never changes d.
func (d *Document) Clone() *Document {
	if d == nil {
		return nil
	}
	c := &Document{SchemaVersion: d.SchemaVersion, manifest: d.manifest}
	c.Repos = cloneList(d.Repos, (*Repo).Clone)
	return c
}

// Clone returns a deep copy of r, bindings included.
func (r *Repo) Clone() *Repo {
	if r == nil {
		return nil
	}
	c := *r
	c.Images = cloneList(r.Images, (*Image).Clone)
	return &c
}

// Clone returns a deep copy of i, bindings included.
func (i *Image) Clone() *Image {
	if i == nil {
		return nil
	}
	c := *i
	c.ProductVersion = cloneString(i.ProductVersion)
	c.Manifest = i.Manifest.Clone()
	c.Platforms = cloneList(i.Platforms, (*Platform).Clone)
	return &c
}

// Clone returns a deep copy of m.
func (m *ManifestData) Clone() *ManifestData {
	if m == nil {
		return nil
	}
	c := *m
	c.Digest = cloneString(m.Digest)
	c.SyndicatedDigests = cloneStrings(m.SyndicatedDigests)
	c.SharedTags = cloneStrings(m.SharedTags)
	return &c
}

// Clone returns a deep copy of p, binding included.
func (p *Platform) Clone() *Platform {
	if p == nil {
		return nil
	}
	c := *p
	c.SimpleTags = cloneStrings(p.SimpleTags)
	c.BaseImageDigest = cloneString(p.BaseImageDigest)
	c.Layers = cloneLayers(p.Layers)
	return &c
}

func cloneList[T any](items []*T, clone func(*T) *T) []*T {
	if items == nil {
		return nil
	}
	out := make([]*T, len(items))
	for i, it := range items {
		out[i] = clone(it)
	}
	return out
}

func cloneString(s *string) *string {
	if s == nil {
		return nil
	}
	return new(*s)
}

func cloneStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append(make([]string, 0, len(s)), s...)
}

// cloneLayers copies layers; the digests of the copy live in one block.
func cloneLayers(layers []Layer) []Layer {
	if layers == nil {
		return nil
	}
	out := make([]Layer, len(layers))
	digests := make([]string, len(layers))
	for i, l := range layers {
		out[i].Size = l.Size
		if l.Digest != nil {
			digests[i] = *l.Digest
			out[i].Digest = &digests[i]
		}
	}
	return out
}
