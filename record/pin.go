package record

import (
	"context"
	"errors"
	"strings"

	"github.com/distribution/reference"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/registry"
)

// Pin makes a docker buildx build of one platform use, and label, one digest of its
// final-stage base, so that what is recorded afterwards is what was built on, even when the
// base tag moves during the build.
type Pin struct {
	Platform *manifest.Platform
	// Base is the final-stage base as the Dockerfile writes it; Digest the digest its tag
	// (after the base override) points to now, which the flags pin.
	Base, Digest string
	// Flags are the docker buildx build arguments, one element per argument:
	//
	//	--build-context NAME=docker-image://REPOSITORY@DIGEST
	//	--annotation org.opencontainers.image.base.name=BASE
	//	--annotation org.opencontainers.image.base.digest=DIGEST
	//
	// NAME is the base as BuildKit names a FROM's named context (the familiar reference,
	// ":latest" dropped).
	Flags []string
}

// Pins returns the pin of each platform (of g's manifest) built on an external image, in
// the order given, with one digest lookup per distinct base. Platforms built on scratch or
// on an image of the manifest need none and are left out.
func (r *Recorder) Pins(ctx context.Context, g *depgraph.Graph, platforms []*manifest.Platform) ([]Pin, error) {
	if r.Registry == nil {
		return nil, errors.New("record: no registry configured")
	}
	digests := map[string]string{}
	var pins []Pin
	var errs []error
	for _, mp := range platforms {
		n := g.Nodes[mp.Index]
		if n.Final.Kind != dockerfile.External {
			continue
		}
		base := n.Final.Image
		lookup := r.BaseOverride.Apply(base)
		d, ok := digests[lookup]
		if !ok {
			at := lookup
			if len(r.Mirrors) > 0 {
				rewritten, err := r.Mirrors.Rewrite(lookup)
				if err != nil {
					errs = append(errs, &Error{Platform: mp, Err: err})
					continue
				}
				at = rewritten
			}
			got, err := r.Registry.Digest(ctx, at)
			if err != nil {
				errs = append(errs, &Error{Platform: mp, Err: err})
				continue
			}
			d = got.String()
			digests[lookup] = d
		}
		pins = append(pins, Pin{Platform: mp, Base: base, Digest: d, Flags: []string{
			"--build-context", contextName(base) + "=docker-image://" + repository(lookup) + "@" + d,
			"--annotation", registry.AnnotationBaseName + "=" + base,
			"--annotation", registry.AnnotationBaseDigest + "=" + d,
		}})
	}
	return pins, errors.Join(errs...)
}

// contextName is the name BuildKit's Dockerfile frontend looks a FROM's named context up
// by: the familiar form of the reference, without ":latest".
func contextName(ref string) string {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	return strings.TrimSuffix(reference.FamiliarString(named), ":latest")
}

// repository is ref without its tag or digest, as written.
func repository(ref string) string { return dockerfile.RepoOf(ref) }
