package depgraph

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/baseflow/baseflow/dockerfile"
)

// BaseOverride rewrites external base references before they are looked up and compared, as
// ImageBuilder's --base-override-regex and --base-override-sub do (for example, to check
// "amd64/alpine:3.20" at "myacr.azurecr.io/mirror/amd64/alpine:3.20"). The rewritten
// reference is both what the registry is asked for and the repository the recorded
// baseImageDigest is compared with.
type BaseOverride struct {
	Pattern *regexp.Regexp
	// Replacement is expanded as in regexp.Regexp.ReplaceAllString: $1 or ${1} for groups.
	Replacement string
}

// NewBaseOverride compiles a base override; an empty pattern gives nil (no override).
func NewBaseOverride(pattern, replacement string) (*BaseOverride, error) {
	if pattern == "" {
		if replacement != "" {
			return nil, fmt.Errorf("base override: a substitution was given without a pattern")
		}
		return nil, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("base override pattern %q: %w", pattern, err)
	}
	return &BaseOverride{Pattern: re, Replacement: replacement}, nil
}

// Apply returns ref rewritten; a nil override returns ref unchanged.
func (o *BaseOverride) Apply(ref string) string {
	if o == nil || o.Pattern == nil {
		return ref
	}
	return o.Pattern.ReplaceAllString(ref, o.Replacement)
}

// publicRef returns the reference a recorded baseImageDigest names for an external base (4.3
// GetFromImagePublicTag): under a registry override, an image in the override registry is
// named by the manifest's own registry; anything else is the reference after the base override.
func (g *Graph) publicRef(ref string) string {
	m := g.Manifest
	model := m.Model.Registry
	if m.Registry != model && m.Registry != "" && model != "" {
		if rest, ok := strings.CutPrefix(ref, m.Registry+"/"); ok {
			return model + "/" + rest
		}
	}
	return ref
}

// RecordedRepo returns the repository a baseImageDigest names for base ref (after the base
// override): the one Stale compares "<repository>@<current digest>" with, and the one a
// build record writes. Under a registry override an image in the override registry is
// named by the manifest's own registry.
func (g *Graph) RecordedRepo(ref string) string {
	return dockerfile.RepoOf(g.publicRef(ref))
}
