package imageinfo

import (
	"fmt"
	"strings"

	"github.com/baseflow/baseflow/manifest"
)

// NearMiss is an image-info entry that binds to no manifest platform but differs from one
// only in ways that are easy to get wrong by hand: the letter case of a field, a dockerfile
// value without (or with an extra) "/Dockerfile", the repo name, or the osVersion. Such an
// entry leaves the platform without an entry, which the stale check reads as "rebuild".
type NearMiss struct {
	Repo     *Repo
	Image    *Image
	Platform *Platform
	// Differences lists what differs from the manifest platform, in field order.
	Differences []Difference
}

// Difference is one field of a near miss: what the entry says and what the manifest
// platform binds.
type Difference struct {
	Field, Got, Want string
}

func (d Difference) String() string { return fmt.Sprintf("%s %q (want %q)", d.Field, d.Got, d.Want) }

// String describes the entry and its differences: `repo "app/Runtime" (want "app/runtime"),
// osType "linux" (want "Linux")`.
func (n NearMiss) String() string {
	parts := make([]string, len(n.Differences))
	for i, d := range n.Differences {
		parts[i] = d.String()
	}
	return strings.Join(parts, ", ")
}

// NearMisses returns the entries of d, bound to mp's manifest (see Bind), that bind to no
// platform and differ from mp only as NearMiss describes, in document order. The tag
// presence and product version must agree, and so must the Dockerfile path, OS type and
// architecture up to letter case (and "/Dockerfile"; "arm" for "arm32").
func NearMisses(d *Document, mp *manifest.Platform) []NearMiss {
	var out []NearMiss
	for _, r := range d.Repos {
		for _, img := range r.Images {
			for _, p := range img.Platforms {
				if p.manifestPlatform != nil {
					continue
				}
				if diffs, ok := nearMiss(r, img, p, mp); ok {
					out = append(out, NearMiss{Repo: r, Image: img, Platform: p, Differences: diffs})
				}
			}
		}
	}
	return out
}

func nearMiss(r *Repo, img *Image, p *Platform, mp *manifest.Platform) ([]Difference, bool) {
	if p.HasTags() != (len(mp.Tags) > 0) || !ProductVersionsEquivalent(img.ProductVersion, manifestProductVersion(mp.Image)) {
		return nil, false
	}
	var diffs []Difference
	add := func(field, got, want string) { diffs = append(diffs, Difference{field, got, want}) }
	if r.Repo != mp.Repo().Name {
		add("repo", r.Repo, mp.Repo().Name)
	}
	if p.Dockerfile != mp.DockerfilePath {
		if !sameDockerfile(p.Dockerfile, mp.DockerfilePath) {
			return nil, false
		}
		add("dockerfile", p.Dockerfile, mp.DockerfilePath)
	}
	for _, f := range []struct{ field, got, want string }{
		{"osType", p.OSType, mp.OSType()},
		{"architecture", p.Architecture, mp.ArchitectureDisplay()},
	} {
		if f.got == f.want {
			continue
		}
		if !strings.EqualFold(f.got, f.want) && (f.field != "architecture" || f.got != "arm" || f.want != "arm32") {
			return nil, false
		}
		add(f.field, f.got, f.want)
	}
	if p.OSVersion != mp.OSVersion {
		add("osVersion", p.OSVersion, mp.OSVersion)
	}
	return diffs, len(diffs) > 0
}

// sameDockerfile reports whether an entry's dockerfile names the bound file up to letter
// case, a missing "/Dockerfile" (the manifest's directory value) or an extra one.
func sameDockerfile(got, want string) bool {
	got, want = strings.ToLower(strings.Trim(got, "/")), strings.ToLower(want)
	return got == want || got+"/dockerfile" == want || got == want+"/dockerfile"
}
