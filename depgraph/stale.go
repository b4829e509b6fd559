package depgraph

import (
	"errors"
	"fmt"

	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/manifest"
)

// Records tells what an image-info file recorded for the platforms of a manifest.
type Records interface {
	// BaseImageDigest returns the baseImageDigest recorded for p ("" when none was
	// recorded) and whether image-info holds an entry bound to p at all.
	BaseImageDigest(p *manifest.Platform) (digest string, found bool)
	// NearMiss describes, for a platform without an entry, an entry that almost binds to
	// it (a field's letter case, "/Dockerfile", the repo name, the osVersion), or returns
	// "" when there is none. The check names it in the platform's reason.
	NearMiss(p *manifest.Platform) string
}

// DigestLookup returns the current digest ("sha256:…") of a base reference, as the registry
// reports it for the reference's tag (the index digest for multi-platform tags).
type DigestLookup func(ref string) (string, error)

// MapLookup looks digests up in a map; a reference missing from it is an error, so that a
// lookup that was never made cannot pass for an unchanged base.
func MapLookup(digests map[string]string) DigestLookup {
	return func(ref string) (string, error) {
		if d, ok := digests[ref]; ok && d != "" {
			return d, nil
		}
		return "", fmt.Errorf("no digest for %s", ref)
	}
}

// CheckOptions adjust a stale check.
type CheckOptions struct {
	// Filter restricts which platforms are checked; the rebuild set still spans the
	// whole manifest.
	Filter manifest.Filter
	// BaseOverride rewrites external base references before lookup and comparison.
	BaseOverride *BaseOverride
	// ComparePlatform, when set, is asked about each candidate whose base moved (a recorded
	// digest, and a current one that differs): whether the candidate's own platform's
	// manifest is the same in the recorded and the current base (a multi-platform base's
	// index moves when any platform, or only an attestation, changes). Its answer is kept in
	// BaseCheck.PlatformUnchanged; its error fails the candidate's check as a lookup error
	// does.
	ComparePlatform func(BaseCheck) (unchanged bool, err error)
	// PlatformAware makes a candidate whose base moved but whose own platform did not
	// (ComparePlatform said so) up to date instead of stale. ImageBuilder rebuilds it.
	PlatformAware bool
}

// Candidates returns the platforms whose final stage is built on an external image, among
// those the filter keeps, in manifest order. Only these are checked: a platform built on a
// platform of the same manifest is rebuilt when that one is, and a base used only by an
// earlier stage (an installer, say) does not make the image stale.
func (g *Graph) Candidates(filter manifest.Filter) []*Node {
	var out []*Node
	for _, p := range filter.Platforms(g.Manifest) {
		if n := g.Nodes[p.Index]; n.Final.Kind == dockerfile.External {
			out = append(out, n)
		}
	}
	return out
}

// Lookups returns the references whose digests a check needs, without repeats, in the order
// the candidates first need them. A candidate that image-info does not know is stale
// without a lookup, as in ImageBuilder, so it needs none.
func (g *Graph) Lookups(records Records, opts CheckOptions) []string {
	var refs []string
	seen := map[string]bool{}
	for _, n := range g.Candidates(opts.Filter) {
		if _, found := records.BaseImageDigest(n.Platform); !found {
			continue
		}
		ref := opts.BaseOverride.Apply(n.Final.Image)
		if !seen[ref] {
			seen[ref] = true
			refs = append(refs, ref)
		}
	}
	return refs
}

// BaseCheck is the check of one candidate platform's final-stage base.
type BaseCheck struct {
	Platform *manifest.Platform
	// Base is the final stage's base as written; Ref is what was looked up (Base after the
	// base override).
	Base, Ref string
	// Found reports whether image-info has an entry for the platform; Recorded is its
	// baseImageDigest.
	Found    bool
	Recorded string
	// Current is "<repository>@<digest>" built from the lookup, in the spelling image-info
	// records; empty when no lookup was needed or the lookup failed.
	Current string
	Stale   bool
	// PlatformUnchanged is set when the base moved but CheckOptions.ComparePlatform found the
	// candidate's own platform unchanged in it; with CheckOptions.PlatformAware such a
	// candidate is not stale.
	PlatformUnchanged bool
	// Err is the lookup error; such a platform is neither stale nor up to date.
	Err error
}

// Result is the outcome of a stale check of one manifest.
type Result struct {
	// Images are the images to rebuild, one per Dockerfile path, in the order ImageBuilder
	// lists them.
	Images []StaleImage
	// Checks has one entry per candidate platform, in manifest order.
	Checks []BaseCheck
	graph  *Graph
}

// StaleImage is one path to rebuild and why.
type StaleImage struct {
	// Path is the manifest's raw dockerfile value.
	Path string
	// Platforms are the manifest platforms built from Path that are in the rebuild set.
	Platforms []*manifest.Platform
	Reason    Reason
}

// Paths returns the Dockerfile paths to rebuild, in order.
func (r *Result) Paths() []string {
	paths := make([]string, len(r.Images))
	for i, s := range r.Images {
		paths[i] = s.Path
	}
	return paths
}

// Err joins the lookup errors of the check, one per Dockerfile path and base (platforms that
// share a Dockerfile say it once). A result with errors is incomplete: the platforms whose
// lookup failed were not decided either way.
func (r *Result) Err() error {
	var errs []error
	seen := map[[2]string]bool{}
	for _, c := range r.Checks {
		if c.Err == nil || seen[[2]string{c.Platform.Dockerfile, c.Ref}] {
			continue
		}
		seen[[2]string{c.Platform.Dockerfile, c.Ref}] = true
		errs = append(errs, fmt.Errorf("%s: base %s: %w", c.Platform.Dockerfile, c.Ref, c.Err))
	}
	return errors.Join(errs...)
}

// Stale checks every candidate platform (4.2 steps 4 to 6): a candidate is stale when
// image-info has no entry for it, or when its recorded baseImageDigest is not exactly
// "<repository of the base>@<current digest>". Each stale candidate brings in every platform
// connected to it through internal FROMs. The result lists their raw Dockerfile paths in
// ImageBuilder's order, each with the reason it is there.
func Stale(g *Graph, records Records, digests DigestLookup, opts CheckOptions) *Result {
	res := &Result{graph: g}
	set := newRebuildSet(g)
	for _, n := range g.Candidates(opts.Filter) {
		c := BaseCheck{Platform: n.Platform, Base: n.Final.Image, Ref: opts.BaseOverride.Apply(n.Final.Image)}
		c.Recorded, c.Found = records.BaseImageDigest(n.Platform)
		var why Reason
		switch {
		case !c.Found:
			c.Stale = true
			why = Reason{Kind: NotInImageInfo, NearMiss: records.NearMiss(n.Platform)}
		default:
			digest, err := digests(c.Ref)
			if err != nil {
				c.Err = err
				break
			}
			c.Current = g.RecordedRepo(c.Ref) + "@" + digest
			if c.Recorded == c.Current {
				break
			}
			if opts.ComparePlatform != nil && c.Recorded != "" {
				if c.PlatformUnchanged, err = opts.ComparePlatform(c); err != nil {
					c.Err = err
					break
				}
			}
			if !c.PlatformUnchanged || !opts.PlatformAware {
				c.Stale = true
				why = Reason{Kind: BaseChanged, Base: c.Ref, Recorded: c.Recorded, Current: c.Current}
			}
		}
		res.Checks = append(res.Checks, c)
		if c.Stale {
			set.addComponent(n, why)
		}
	}
	res.Images = set.images()
	return res
}
