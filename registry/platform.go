package registry

import "github.com/baseflow/baseflow/platform"

// Platform selects one manifest inside an index; see package platform.
type Platform = platform.Platform

// ParsePlatform parses "os/arch" or "os/arch/variant", as in "linux/arm64/v8"; see
// platform.Parse.
func ParsePlatform(s string) (Platform, error) { return platform.Parse(s) }

// BestMatch returns the index in candidates of the entry that best satisfies want, or -1; see
// platform.BestMatch.
func BestMatch(candidates []Platform, want Platform) int { return platform.BestMatch(candidates, want) }

// SelectPlatform returns the index in candidates of the entry for want, or an
// *AmbiguousPlatformError when Windows releases differ only in os.version and want names none;
// see platform.Select.
func SelectPlatform(candidates []Platform, want Platform) (int, error) {
	return platform.Select(candidates, want)
}

// AmbiguousPlatformError says an index lists a platform for several os.version values; see
// platform.AmbiguousError.
type AmbiguousPlatformError = platform.AmbiguousError

// WindowsOSVersion returns the os.version prefix of the Windows release a manifest osVersion
// names ("nanoserver-ltsc2022" → "10.0.20348"); see platform.WindowsOSVersion.
func WindowsOSVersion(osVersion string) (string, bool) { return platform.WindowsOSVersion(osVersion) }
