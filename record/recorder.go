package record

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"

	"github.com/opencontainers/go-digest"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/registry"
)

// Recorder reads what a build pushed and returns its image-info entries.
type Recorder struct {
	// Registry reads the pushed images and the bases' tags; required.
	Registry registry.ImageReader
	// BaseDigests supplies base digests for images without base annotations: the
	// final-stage base as the Dockerfile writes it after ARG expansion ("alpine:3.20") →
	// "sha256:…" (or "<repository>@sha256:…"). The digest is mapped as an annotation's is.
	BaseDigests map[string]string
	// CommitURL is "<source repository URL>/blob/<commit>"; a platform's commitUrl is
	// CommitURL + "/" + its Dockerfile path. Empty records "". It must be an http or https
	// URL without credentials (the commitUrl is published): Record refuses any other.
	CommitURL string
	// BaseOverride rewrites base references before they are looked up, as in the check.
	BaseOverride *depgraph.BaseOverride
	// Mirrors redirects base lookups, as in the check.
	Mirrors registry.Mirrors
	// Logger receives progress and warnings (a base that moved since the build); nil
	// discards them.
	Logger *slog.Logger
}

// Error is a platform that could not be recorded.
type Error struct {
	Platform *manifest.Platform
	Err      error
}

func (e *Error) Error() string { return "platform " + e.Platform.String() + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// ErrNoBaseDigest reports an image whose base digest is neither annotated nor given.
var ErrNoBaseDigest = errors.New("no base digest")

// Platform is the record of one platform and how its base digest was found.
type Platform struct {
	Built imageinfo.Built
	// Ref is the reference the image was read under.
	Ref string
	// Base is the final-stage base as written; BaseSource says where its digest came from:
	// "annotation", "label" (the same keys as config labels), "flag", or "" for FROM scratch.
	Base, BaseSource string
	// BuiltOn is the digest the image was built on; BaseMoved is set when the base tag no
	// longer points to it (the record then reads as stale).
	BuiltOn   string
	BaseMoved bool
}

// Record reads the pushed image of each platform (platforms of g's manifest, in the order
// given) and returns the image-info document the build job writes, with what was found per
// platform. Platforms are read one after another, each fully, so that an internal base is
// recorded after its parent. Every platform that fails is reported, joined as *Error values;
// no document is returned then. Once ctx is done no further platform is read: the error
// then ends with the reason it stopped, matching ctx.Err() and its cause.
func (r *Recorder) Record(ctx context.Context, g *depgraph.Graph, platforms []*manifest.Platform) (*imageinfo.Document, []Platform, error) {
	if r.Registry == nil {
		return nil, nil, errors.New("record: no registry configured")
	}
	if err := checkCommitURL(r.CommitURL); err != nil {
		return nil, nil, err
	}
	var (
		out  []Platform
		errs []error
	)
	indexes := map[string]*registry.Index{} // one read per base tag for the whole record
	for _, mp := range platforms {
		if ctx.Err() != nil { // stopped: no further platform is read
			errs = append(errs, fmt.Errorf("record: stopped before platform %s: %w", mp, stopped{context.Cause(ctx), ctx.Err()}))
			break
		}
		p, err := r.platform(ctx, g, mp, indexes)
		if err != nil {
			errs = append(errs, &Error{Platform: mp, Err: err})
			continue
		}
		out = append(out, p)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, out, err
	}
	built := make([]imageinfo.Built, len(out))
	for i, p := range out {
		built[i] = p.Built
	}
	doc, err := imageinfo.Record(g.Manifest, built)
	if err != nil {
		return nil, out, err
	}
	return doc, out, nil
}

// stopped is why a context ended: its text is the cause (a signal, a limit), and it matches
// both the cause and the context's error (context.Canceled, context.DeadlineExceeded).
type stopped struct{ cause, ctxErr error }

func (s stopped) Error() string   { return s.cause.Error() }
func (s stopped) Unwrap() []error { return []error{s.cause, s.ctxErr} }

// checkCommitURL refuses a commit URL that is not an absolute http(s) URL or that carries
// credentials, which would be published in every commitUrl. The error never repeats them.
func checkCommitURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		if err != nil || strings.Contains(s, "@") {
			return errors.New("record: commit URL: want an http or https URL, \"https://github.com/OWNER/REPO/blob/SHA\"")
		}
		return fmt.Errorf("record: commit URL %q: want an http or https URL, \"https://github.com/OWNER/REPO/blob/SHA\"", s)
	}
	if u.User != nil {
		u.User = nil
		return fmt.Errorf("record: commit URL %s: carries credentials, which every commitUrl of image-info would publish: give the URL without them", u)
	}
	return nil
}

func (r *Recorder) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return r.Logger
}

func (r *Recorder) platform(ctx context.Context, g *depgraph.Graph, mp *manifest.Platform, indexes map[string]*registry.Index) (Platform, error) {
	refs := mp.TagRefs()
	if len(refs) == 0 {
		return Platform{}, errors.New("has no tags: its pushed image cannot be found")
	}
	p := Platform{Ref: refs[0]}
	img, err := r.Registry.Image(ctx, p.Ref)
	if err != nil {
		return p, fmt.Errorf("image %s: %w", p.Ref, err)
	}
	for _, other := range refs[1:] {
		d, err := r.Registry.Digest(ctx, other)
		if err != nil {
			return p, fmt.Errorf("image %s: %w", other, err)
		}
		if d != img.Digest {
			return p, fmt.Errorf("tag %s points to %s but %s to %s: the tags were pushed from different builds", p.Ref, img.Digest, other, d)
		}
	}
	if err := samePlatform(mp, img.Platform); err != nil {
		return p, fmt.Errorf("image %s: %w", p.Ref, err)
	}
	p.Built = imageinfo.Built{Platform: mp, Digest: img.Digest.String(), Created: img.Created}
	for _, l := range img.Layers {
		p.Built.Layers = append(p.Built.Layers, imageinfo.Layer{Digest: new(l.Digest.String()), Size: l.Size})
	}
	if r.CommitURL != "" {
		p.Built.CommitURL = strings.TrimSuffix(r.CommitURL, "/") + "/" + mp.DockerfilePath
	}
	n := g.Nodes[mp.Index]
	p.Base = n.Final.Image
	if n.Final.Kind == dockerfile.Scratch || p.Base == "" || p.Base == "scratch" {
		return p, nil
	}
	if err := r.base(ctx, g, n, img, &p, indexes); err != nil {
		return p, err
	}
	return p, nil
}

// samePlatform checks the image config's platform against the manifest's; a config that
// says nothing passes.
func samePlatform(mp *manifest.Platform, got registry.Platform) error {
	if got.OS == "" && got.Architecture == "" {
		return nil
	}
	want := registry.Platform{OS: mp.OS, Architecture: mp.Architecture, Variant: mp.Variant}
	if !want.Matches(got) {
		return fmt.Errorf("the manifest says %s but the image is %q", want, got.String())
	}
	return nil
}

// base finds the digest the image was built on and records it as the check will compare it.
func (r *Recorder) base(ctx context.Context, g *depgraph.Graph, n *depgraph.Node, img *registry.Image, p *Platform, indexes map[string]*registry.Index) error {
	lookup := r.BaseOverride.Apply(p.Base)
	repo := g.RecordedRepo(lookup)
	builtOn, name := img.Annotations[registry.AnnotationBaseDigest], img.Annotations[registry.AnnotationBaseName]
	p.BaseSource = "annotation"
	if builtOn == "" {
		// A classic docker build cannot annotate, but can label the config the same way.
		builtOn, name = img.Labels[registry.AnnotationBaseDigest], img.Labels[registry.AnnotationBaseName]
		p.BaseSource = "label"
	}
	// When the final stage is FROM an earlier stage, buildah names the stage's base but gives
	// the digest of the intermediate stage image, which is no base digest at all.
	fromStage := ""
	if f := n.File; f != nil && len(f.Stages) > 0 {
		if last := f.Stages[len(f.Stages)-1]; last.StageRef >= 0 {
			fromStage = last.Base
		}
	}
	if fromStage != "" && builtOn != "" {
		r.logger().Debug("ignoring the base annotation of a final stage built FROM another stage", "platform", n.Platform.String(), "stage", fromStage)
		builtOn, name = "", ""
	}
	if builtOn == "" {
		given, ok := r.BaseDigests[p.Base]
		if !ok && fromStage != "" {
			return fmt.Errorf("%w for FROM %s: the final stage is FROM stage %s, and builders annotate such an image with the digest of that stage, not of its base; give --base-digest %s=DIGEST",
				ErrNoBaseDigest, p.Base, fromStage, p.Base)
		}
		if !ok {
			return fmt.Errorf("%w for FROM %s: image %s has no %s annotation (buildah and podman write it; docker buildx: --annotation) and no --base-digest %s=DIGEST was given",
				ErrNoBaseDigest, p.Base, p.Ref, registry.AnnotationBaseDigest, p.Base)
		}
		builtOn = given
		if _, d, ok := strings.Cut(given, "@"); ok {
			builtOn = d
		}
		p.BaseSource = "flag"
	} else if name != "" && !sameRepository(name, p.Base, lookup) {
		return fmt.Errorf("image %s was built on %q, but the Dockerfile's final stage is FROM %s", p.Ref, name, p.Base)
	}
	d, err := digest.Parse(builtOn)
	if err != nil {
		return fmt.Errorf("base digest %q (%s): %w", builtOn, p.BaseSource, err)
	}
	p.BuiltOn = d.String()
	record := d
	if n.Final.Kind == dockerfile.External {
		record, p.BaseMoved, err = r.topLevel(ctx, lookup, d, indexes)
		if err != nil {
			return fmt.Errorf("base %s: %w", lookup, err)
		}
		if p.BaseMoved {
			r.logger().Warn("base moved since the image was built; its record will read as stale",
				"platform", n.Platform.String(), "base", lookup, "builtOn", d.String())
		}
	}
	p.Built.BaseImageDigest = new(repo + "@" + record.String())
	return nil
}

// topLevel maps the digest an image was built on to the digest the check compares: the
// tag's own digest when it is that digest or an index listing it; otherwise (the tag moved
// or is gone) the digest built on, with moved set.
func (r *Recorder) topLevel(ctx context.Context, ref string, builtOn digest.Digest, indexes map[string]*registry.Index) (digest.Digest, bool, error) {
	lookup := ref
	if len(r.Mirrors) > 0 {
		rewritten, err := r.Mirrors.Rewrite(ref)
		if err != nil {
			return "", false, err
		}
		lookup = rewritten
	}
	ix, ok := indexes[lookup]
	if !ok {
		var err error
		ix, err = r.Registry.Index(ctx, lookup)
		if err != nil && registry.KindOf(err) != registry.NotFound {
			return "", false, err
		}
		indexes[lookup] = ix // nil: the tag is gone
	}
	if ix == nil {
		return builtOn, true, nil
	}
	if ix.Lists(builtOn) {
		return ix.Digest, false, nil
	}
	return builtOn, true, nil
}

// sameRepository reports whether the annotated base name names the repository of the
// Dockerfile's base as written or as looked up.
func sameRepository(annotated string, refs ...string) bool {
	a, err := registry.Normalize(annotated)
	if err != nil {
		return false
	}
	for _, ref := range refs {
		if b, err := registry.Normalize(ref); err == nil && a.Name() == b.Name() {
			return true
		}
	}
	return false
}
