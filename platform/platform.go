// Package platform is the OCI platform triple, os/architecture[/variant], as image indexes
// and the Dockerfile platform arguments spell it, with the os.version that tells Windows
// releases apart: parsing, the normalized spelling, and which index entry serves a requested
// platform (the rules of containerd's platform matcher, kept to the part base-image lookups
// need; Select refuses to guess between Windows releases).
package platform

import (
	"fmt"
	"slices"
	"strings"
)

// Platform is an OCI platform: it selects one manifest inside an index, and sets a
// Dockerfile's TARGETPLATFORM arguments.
//
// OSVersion is the index entry's os.version, which tells Windows images apart: an index may
// list several windows/amd64 manifests, one per Windows release ("10.0.17763.6414" for
// ltsc2019, "10.0.20348.2762" for ltsc2022). A request names a release as its build prefix
// ("10.0.20348"; WindowsOSVersion turns a manifest's osVersion such as "nanoserver-ltsc2022"
// into it); empty matches any version.
type Platform struct{ OS, Architecture, Variant, OSVersion string }

// Parse parses "os/arch" or "os/arch/variant", as in "linux/arm64/v8".
func Parse(s string) (Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return Platform{}, fmt.Errorf("platform %q: want os/arch or os/arch/variant", s)
	}
	p := Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		if parts[2] == "" {
			return Platform{}, fmt.Errorf("platform %q: empty variant", s)
		}
		p.Variant = parts[2]
	}
	return p, nil
}

// String returns "os/arch" or "os/arch/variant", followed by " (os.version V)" when OSVersion
// is set.
func (p Platform) String() string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	if p.OSVersion != "" {
		s += " (os.version " + p.OSVersion + ")"
	}
	return s
}

// Normalize returns p in the spelling image indexes use: lower case, "aarch64" as arm64,
// "x86_64" as amd64, arm64's default variant v8 dropped, and 32-bit arm's default variant v7
// made explicit.
func (p Platform) Normalize() Platform {
	n := Platform{
		OS:           strings.ToLower(p.OS),
		Architecture: strings.ToLower(p.Architecture),
		Variant:      strings.ToLower(p.Variant),
		OSVersion:    p.OSVersion,
	}
	switch n.Architecture {
	case "aarch64", "arm64":
		n.Architecture = "arm64"
		if n.Variant == "v8" || n.Variant == "8" {
			n.Variant = ""
		}
	case "x86_64", "x86-64", "amd64":
		n.Architecture = "amd64"
	case "armhf", "arm":
		n.Architecture = "arm"
		if n.Variant == "" || n.Variant == "7" {
			n.Variant = "v7"
		}
	case "armel":
		n.Architecture, n.Variant = "arm", "v6"
	case "i386", "386":
		n.Architecture = "386"
	}
	return n
}

// Matches reports whether an index entry for candidate satisfies a request for p: same OS and
// architecture after normalization, the same variant when p names one, and when p names an
// OSVersion, a candidate os.version equal to it or extending it ("10.0.20348" matches
// "10.0.20348.2762"). So linux/arm64 matches an entry for linux/arm64/v8 and the other way
// round.
func (p Platform) Matches(candidate Platform) bool {
	want, got := p.Normalize(), candidate.Normalize()
	if want.OS != got.OS || want.Architecture != got.Architecture {
		return false
	}
	if want.OSVersion != "" && got.OSVersion != want.OSVersion && !strings.HasPrefix(got.OSVersion, want.OSVersion+".") {
		return false
	}
	return want.Variant == "" || want.Variant == got.Variant
}

// BestMatch returns the index in candidates of the entry that best satisfies want: the first
// entry equal to it after normalization, else the first that Matches. It returns -1 when none
// matches. Use Select to be told when the choice is ambiguous.
func BestMatch(candidates []Platform, want Platform) int {
	w := want.Normalize()
	for i, c := range candidates {
		if c.Normalize() == w {
			return i
		}
	}
	for i, c := range candidates {
		if want.Matches(c) {
			return i
		}
	}
	return -1
}

// Select returns the index in candidates of the entry for want, chosen as BestMatch does (or,
// when want names an os.version no entry has, the one matching entry without os.version), and
// an *AmbiguousError when several entries match that differ in os.version and want names none
// (an index of Windows images for several releases): picking the first would silently give
// another release's digest. It returns -1 and a nil error when none matches.
func Select(candidates []Platform, want Platform) (int, error) {
	i := BestMatch(candidates, want)
	if i < 0 && want.OSVersion != "" {
		return onlyUnversioned(candidates, want), nil
	}
	if i < 0 || want.OSVersion != "" {
		return i, nil
	}
	var versions []string
	for _, c := range candidates {
		if want.Matches(c) && !slices.Contains(versions, c.OSVersion) {
			versions = append(versions, c.OSVersion)
		}
	}
	if len(versions) > 1 {
		return -1, &AmbiguousError{Platform: want, OSVersions: versions}
	}
	return i, nil
}

// onlyUnversioned returns the index of the one entry that matches want but for carrying no
// os.version (an index made without annotating it), -1 when there is none or several.
func onlyUnversioned(candidates []Platform, want Platform) int {
	loose := want
	loose.OSVersion = ""
	found := -1
	for i, c := range candidates {
		if c.OSVersion == "" && loose.Matches(c) {
			if found >= 0 {
				return -1
			}
			found = i
		}
	}
	return found
}

// AmbiguousError says that an index lists several manifests for a platform, for different
// os.version values, and the request did not say which.
type AmbiguousError struct {
	Platform   Platform
	OSVersions []string // the os.version of each matching entry, in index order
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%s is ambiguous: the index has it for os.version %s; name the os.version",
		e.Platform, strings.Join(e.OSVersions, ", "))
}

// windowsBuilds maps Windows release names, as manifests' osVersion values end, to the
// os.version prefix of their images.
var windowsBuilds = map[string]string{
	"ltsc2016": "10.0.14393",
	"1809":     "10.0.17763",
	"ltsc2019": "10.0.17763",
	"1903":     "10.0.18362",
	"1909":     "10.0.18363",
	"2004":     "10.0.19041",
	"20h2":     "10.0.19042",
	"ltsc2022": "10.0.20348",
	"ltsc2025": "10.0.26100",
}

// WindowsOSVersion returns the os.version prefix of the Windows release a manifest osVersion
// names: "ltsc2022", "nanoserver-ltsc2022" and "windowsservercore-ltsc2022" give "10.0.20348",
// "nanoserver-1809" gives "10.0.17763"; a value that already is a version ("10.0.20348") is
// returned as it is. It reports false for names it does not know, such as Linux ones
// ("noble", "alpine3.20").
func WindowsOSVersion(osVersion string) (string, bool) {
	v := strings.ToLower(osVersion)
	if strings.HasPrefix(v, "10.0.") {
		return osVersion, true
	}
	if i := strings.LastIndex(v, "-"); i >= 0 {
		v = v[i+1:]
	}
	b, ok := windowsBuilds[v]
	return b, ok
}
