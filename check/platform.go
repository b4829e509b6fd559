package check

import (
	"context"
	"strings"
	"sync"

	"github.com/opencontainers/go-digest"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/registry"
)

// UnchangedPlatform is a candidate whose base's digest moved while the manifest of the
// candidate's own platform in it did not: another platform was rebuilt, or only an
// attestation changed. With Checker.PlatformAware it is not rebuilt.
type UnchangedPlatform struct {
	// Path is the platform's raw dockerfile value.
	Path string `json:"path"`
	// Base is the reference looked up; Platform the platform compared, "linux/arm64".
	Base     string `json:"base"`
	Platform string `json:"platform"`
	// Manifest is the platform's manifest digest, the same in the recorded and the current
	// base.
	Manifest string `json:"manifest"`
}

// Why says it the way --explain does: "index moved, linux/arm64 unchanged".
func (u UnchangedPlatform) Why() string { return "index moved, " + u.Platform + " unchanged" }

// platformKey is one comparison: a base that moved from recorded to current, seen by one
// platform.
type platformKey struct {
	ref               string
	recorded, current digest.Digest
	platform          registry.Platform
}

// comparison is a finished comparison.
type comparison struct {
	move registry.PlatformMove
	err  error
}

// registryPlatform is the platform of p as image indexes name it: os, architecture, variant,
// and for Windows the os.version of the release its osVersion names ("nanoserver-ltsc2022").
func registryPlatform(p *manifest.Platform) registry.Platform {
	rp := registry.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}
	if strings.EqualFold(p.OS, "windows") {
		rp.OSVersion, _ = registry.WindowsOSVersion(p.OSVersion)
	}
	return rp
}

// comparePlatforms compares, for every candidate whose base moved, its own platform's
// manifest in the recorded and the current base, concurrently (the cache bounds how many
// lookups run at once; the network client keeps each manifest it fetched by digest, so an
// index costs one GET however many platforms ask). Only moved bases cost requests.
func comparePlatforms(ctx context.Context, resolver registry.Resolver, checks []depgraph.BaseCheck) map[platformKey]comparison {
	out := make(map[platformKey]comparison)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range checks {
		k, ok := keyOf(c)
		if !ok {
			continue
		}
		mu.Lock()
		_, seen := out[k]
		out[k] = comparison{}
		mu.Unlock()
		if seen {
			continue
		}
		wg.Go(func() {
			m, err := registry.ComparePlatform(ctx, resolver, k.ref, k.recorded, k.current, k.platform)
			mu.Lock()
			out[k] = comparison{move: m, err: err}
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// keyOf returns the comparison a moved candidate needs; false when its base did not move, or
// was not recorded or looked up.
func keyOf(c depgraph.BaseCheck) (platformKey, bool) {
	if c.Err != nil || c.Recorded == "" || c.Current == "" || c.Recorded == c.Current {
		return platformKey{}, false
	}
	recorded, err1 := digestIn(c.Recorded)
	current, err2 := digestIn(c.Current)
	if err1 != nil || err2 != nil {
		return platformKey{}, false
	}
	return platformKey{ref: c.Ref, recorded: recorded, current: current, platform: registryPlatform(c.Platform)}, true
}

// digestIn returns the digest of "repository@sha256:…".
func digestIn(ref string) (digest.Digest, error) {
	_, d, _ := strings.Cut(ref, "@")
	return digest.Parse(d)
}

// compareFrom answers depgraph's question from the comparisons made: unchanged when the
// platform's manifest is the same. A comparison that failed cannot save a rebuild, so the
// base counts as moved (the safe answer, what ImageBuilder does), whether the recorded base
// is gone from the registry or the registry failed to answer (a 429, a 5xx, a time-out).
// What the registry answered about the content fails the candidate's check instead: an
// inconsistent answer (the tag's digest is one platform's manifest inside the recorded index:
// the base did not really move), a base with no manifest, or several, for the platform; and a
// canceled run.
func compareFrom(done map[platformKey]comparison) func(depgraph.BaseCheck) (bool, error) {
	return func(c depgraph.BaseCheck) (bool, error) {
		k, ok := keyOf(c)
		if !ok {
			return false, nil
		}
		cmp, ok := done[k]
		switch {
		case !ok:
			return false, nil
		case cmp.err != nil:
			switch registry.KindOf(cmp.err) {
			case registry.InvalidResponse, registry.PlatformNotFound, registry.AmbiguousPlatform, registry.Canceled:
				return false, cmp.err
			}
			return false, nil
		}
		return cmp.move.Unchanged(), nil
	}
}
