package registry

import (
	"errors"
	"fmt"
	"strings"

	_ "crypto/sha256" // registers sha256 for go-digest: without it digest references fail to parse
	_ "crypto/sha512" // registers sha384 and sha512 for go-digest

	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
)

// Ref is a normalized image reference: a fully qualified repository name with a tag, a digest
// or both.
type Ref struct {
	// Domain is the registry host, with its port if any: "docker.io", "mcr.microsoft.com",
	// "127.0.0.1:5000". Docker Hub is always "docker.io", never its API host.
	Domain string
	// Path is the repository path inside the registry: "library/alpine", "dotnet/runtime".
	Path string
	// Tag is the tag, "latest" when the reference named neither a tag nor a digest.
	Tag string
	// Digest is the digest the reference is pinned to, if any.
	Digest digest.Digest
}

// Normalize parses ref with the Docker reference grammar and fills in the implied parts:
// "alpine:3.20" becomes docker.io/library/alpine:3.20 and "alpine" docker.io/library/alpine:latest.
// A reference with both a tag and a digest keeps both; lookups then use the digest.
// The error is an *Error of kind InvalidReference.
func Normalize(ref string) (Ref, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return Ref{}, &Error{Ref: ref, Op: "parse", Kind: InvalidReference, Err: err}
	}
	named = reference.TagNameOnly(named)
	r := Ref{Domain: reference.Domain(named), Path: reference.Path(named)}
	if t, ok := named.(reference.Tagged); ok {
		r.Tag = t.Tag()
	}
	if d, ok := named.(reference.Digested); ok {
		r.Digest = d.Digest()
	}
	return r, nil
}

// Pinned reports whether the reference names a digest ("alpine:3.20@sha256:…"): lookups of it
// give that digest, whatever its tag points to now.
func (r Ref) Pinned() bool { return r.Digest != "" }

// Unpinned returns the reference without its digest, "docker.io/library/alpine:3.20" for
// "alpine:3.20@sha256:…", to look up where its tag points now. It reports false when the
// reference has no tag to look up ("alpine@sha256:…").
func (r Ref) Unpinned() (Ref, bool) {
	if r.Tag == "" {
		return Ref{}, false
	}
	r.Digest = ""
	return r, true
}

// Name returns the fully qualified repository name, "docker.io/library/alpine".
func (r Ref) Name() string { return r.Domain + "/" + r.Path }

// Reference returns what the registry API addresses a manifest by: the digest when the
// reference is pinned, else the tag.
func (r Ref) Reference() string {
	if r.Digest != "" {
		return r.Digest.String()
	}
	return r.Tag
}

// String returns the fully qualified reference, "docker.io/library/alpine:3.20".
func (r Ref) String() string {
	s := r.Name()
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest.String()
	}
	return s
}

// ValidateOverride checks a registry override (ImageBuilder's --registry-override): a
// registry host with an optional path, as the Docker reference grammar spells the part
// before a repository name ("acr.io", "127.0.0.1:5000", "ghcr.io/contoso"). The error
// repeats the value only when it cannot hold credentials ("user:password@host").
func ValidateOverride(s string) error {
	named, err := reference.ParseNormalizedNamed(s + "/x")
	if err == nil && reference.IsNameOnly(named) && !strings.Contains(s, "@") {
		return nil
	}
	const want = `want a registry host with an optional path ("acr.io", "127.0.0.1:5000", "ghcr.io/contoso")`
	if strings.Contains(s, "@") {
		return errors.New("registry override: " + want + "; credentials belong in the docker config")
	}
	return fmt.Errorf("registry override %q: %s", s, want)
}
