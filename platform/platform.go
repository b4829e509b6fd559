// Package platform is the OCI platform triple, os/architecture[/variant], as image indexes
// and the Dockerfile platform arguments spell it: parsing, the normalized spelling, and which
// index entry serves a requested platform (the rules of containerd's platform matcher, kept
// to the part base-image lookups need).
package platform

import (
	"fmt"
	"strings"
)

// Platform is an OCI platform: it selects one manifest inside an index, and sets a
// Dockerfile's TARGETPLATFORM arguments.
type Platform struct{ OS, Architecture, Variant string }

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

// String returns "os/arch" or "os/arch/variant".
func (p Platform) String() string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
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
// architecture after normalization, and the same variant when p names one. So linux/arm64
// matches an entry for linux/arm64/v8 and the other way round.
func (p Platform) Matches(candidate Platform) bool {
	want, got := p.Normalize(), candidate.Normalize()
	if want.OS != got.OS || want.Architecture != got.Architecture {
		return false
	}
	return want.Variant == "" || want.Variant == got.Variant
}

// BestMatch returns the index in candidates of the entry that best satisfies want: the first
// entry equal to it after normalization, else the first that Matches. It returns -1 when none
// matches.
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
