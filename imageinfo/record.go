package imageinfo

import (
	"fmt"
	"strings"
	"time"

	"github.com/baseflow/baseflow/manifest"
)

// Built is what a build job pushed for one manifest platform: the facts a record is made of.
type Built struct {
	// Platform is the manifest platform that was built.
	Platform *manifest.Platform
	// Digest is the pushed image's manifest digest, "sha256:…".
	Digest string
	// Created is the image's creation time; zero leaves created out.
	Created time.Time
	// Layers are the image's layers, in manifest order.
	Layers []Layer
	// BaseImageDigest is "<repository of the final-stage base>@sha256:…" as the stale check
	// compares it (nil for an image built FROM scratch).
	BaseImageDigest *string
	// CommitURL is the platform's commitUrl; empty is written as "".
	CommitURL string
}

// Record returns the image-info document a build job writes for the platforms it built, as
// ImageBuilder's build writes it (rule 1.4): repos in manifest order with their manifest
// name, one image per manifest image with its productVersion and, when it has shared tags,
// a manifest entry listing their names; per platform its Dockerfile file path, sorted
// simple tags, "<registry>/<repo>@<digest>" (the manifest's own registry, never the
// override: images are recorded where they are published), baseImageDigest, osType,
// osVersion, architecture, created, commitUrl and layers. The document is bound to m and
// sorted as a merge leaves it. Two Built values for one platform are an error, and so is a
// Digest that is not "algorithm:hex".
func Record(m *manifest.Manifest, built []Built) (*Document, error) {
	byPlatform := make(map[*manifest.Platform]Built, len(built))
	for _, b := range built {
		if b.Platform == nil {
			return nil, fmt.Errorf("record: a built image has no manifest platform")
		}
		if _, dup := byPlatform[b.Platform]; dup {
			return nil, fmt.Errorf("record: platform %s: recorded twice", b.Platform)
		}
		if algo, hex, ok := strings.Cut(b.Digest, ":"); !ok || algo == "" || hex == "" || strings.ContainsAny(b.Digest, "@/") {
			return nil, fmt.Errorf("record: platform %s: digest %q is not algorithm:hex", b.Platform, b.Digest)
		}
		byPlatform[b.Platform] = b
	}
	doc := &Document{SchemaVersion: SchemaVersion, manifest: m}
	for _, mr := range m.Repos {
		var repo *Repo
		for _, mi := range mr.Images {
			var img *Image
			for _, mp := range mi.Platforms {
				b, ok := byPlatform[mp]
				if !ok {
					continue
				}
				if img == nil {
					img = &Image{manifestImage: mi}
					img.ProductVersion = cloneString(manifestProductVersion(mi))
					if len(mi.SharedTags) > 0 {
						img.Manifest = &ManifestData{SharedTags: manifest.TagNames(mi.SharedTags)}
					}
				}
				p := PlatformFor(mp)
				p.Digest = PublishedRepo(mp.Repo()) + "@" + b.Digest
				p.BaseImageDigest = cloneString(b.BaseImageDigest)
				if !b.Created.IsZero() {
					p.Created = FormatCreated(b.Created)
				}
				p.CommitURL = b.CommitURL
				p.Layers = cloneLayers(b.Layers)
				img.Platforms = append(img.Platforms, p)
			}
			if img != nil {
				if repo == nil {
					repo = &Repo{Repo: mr.Name, manifestRepo: mr}
				}
				repo.Images = append(repo.Images, img)
			}
		}
		if repo != nil {
			doc.Repos = append(doc.Repos, repo)
		}
	}
	if n := doc.Count().Platforms; n != len(byPlatform) {
		return nil, fmt.Errorf("record: %d of the %d built platforms are not platforms of manifest %s", len(byPlatform)-n, len(byPlatform), m.Path)
	}
	Sort(doc)
	return doc, nil
}

// PublishedRepo is the repository image-info names a repo's images by,
// "<registry>/<name>" with the manifest's own registry (not the registry override), or the
// bare name when the manifest has no registry.
func PublishedRepo(r *manifest.Repo) string {
	reg := ""
	if r.Manifest != nil && r.Manifest.Model != nil {
		reg = r.Manifest.Model.Registry
	}
	if reg == "" {
		return r.Name
	}
	return reg + "/" + r.Name
}

// FormatCreated formats t as ImageBuilder writes dates (Newtonsoft's ISO form): UTC,
// "2006-01-02T15:04:05", up to seven fractional digits with trailing zeros trimmed, "Z".
func FormatCreated(t time.Time) string {
	t = t.UTC()
	s := t.Format("2006-01-02T15:04:05")
	if ticks := t.Nanosecond() / 100; ticks > 0 {
		frac := strings.TrimRight(fmt.Sprintf("%07d", ticks), "0")
		s += "." + frac
	}
	return s + "Z"
}
