package imageinfo

import (
	"math"
	"strconv"
	"strings"
)

// parseVersion parses a version as .NET's Version.TryParse does for the values manifests use:
// 2 to 4 dot-separated components, each a decimal number from 0 to 2147483647. It returns the
// major and minor components.
func parseVersion(v string) (major, minor int, ok bool) {
	major, minor, _, ok = parseVersionEnd(v)
	return major, minor, ok
}

// parseVersionEnd is parseVersion, also returning where the minor component ends.
func parseVersionEnd(v string) (major, minor, minorEnd int, ok bool) {
	var nums [2]int
	parts := 0
	for start := 0; ; {
		end := strings.IndexByte(v[start:], '.')
		if end < 0 {
			end = len(v)
		} else {
			end += start
		}
		n, ok := parseComponent(v[start:end])
		if !ok || parts == 4 {
			return 0, 0, 0, false
		}
		if parts < 2 {
			nums[parts] = n
		}
		if parts == 1 {
			minorEnd = end
		}
		parts++
		if end == len(v) {
			break
		}
		start = end + 1
	}
	if parts < 2 {
		return 0, 0, 0, false
	}
	return nums[0], nums[1], minorEnd, true
}

// parseComponent parses one version component: decimal digits only, at most 2147483647.
func parseComponent(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > math.MaxInt32 {
			return 0, false
		}
	}
	return n, true
}

// ProductVersionsEquivalent reports whether two product versions name the same release line
// (ImageBuilder 2.1): equal strings (both nil counts as equal), or both parse as 2-4 part
// numeric versions with the same major and minor ("1.0.0" and "1.0.1"). Versions with a
// suffix ("11.0.0-preview.7") do not parse, so they must be equal.
func ProductVersionsEquivalent(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if *a == *b {
		return true
	}
	am, an, ok := parseVersion(*a)
	if !ok {
		return false
	}
	bm, bn, ok := parseVersion(*b)
	return ok && am == bm && an == bn
}

// MajorMinor returns the major.minor part of a product version as a platform identifier uses
// it: any "-suffix" is dropped first, so "5.0.0-preview.3", "5.0" and "5.0.1" all give "5.0".
// Numbers are normalized ("08.0" gives "8.0"). An empty version gives "". A version that does
// not parse as 2-4 numeric parts after dropping the suffix, on which ImageBuilder would throw,
// is returned as is (suffix dropped).
func MajorMinor(version string) string {
	if i := strings.IndexByte(version, '-'); i >= 0 {
		version = version[:i]
	}
	major, minor, end, ok := parseVersionEnd(version)
	if !ok {
		return version
	}
	mm := version[:end]
	dot := strings.IndexByte(mm, '.')
	if noLeadingZero(mm[:dot]) && noLeadingZero(mm[dot+1:]) {
		return mm // already canonical: no allocation
	}
	return strconv.Itoa(major) + "." + strconv.Itoa(minor)
}

func noLeadingZero(digits string) bool { return len(digits) == 1 || digits[0] != '0' }
