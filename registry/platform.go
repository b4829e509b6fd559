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
