package registrytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/errdef"

	"github.com/baseflow/baseflow/registry"
)

// Target returns repository repo of the server as an oras-go Target that reads and writes
// the server's memory directly, without HTTP: nothing it does shows in Requests.
func (s *Server) Target(repo string) oras.Target {
	return &memTarget{s: s, name: repo}
}

// PushImage pushes a random OCI image for platform p as repo:tag and returns its manifest
// digest.
func (s *Server) PushImage(repo, tag string, p registry.Platform) (digest.Digest, error) {
	return s.PushImageOfType(repo, tag, ocispec.MediaTypeImageManifest, p)
}

// PushImageOfType is PushImage with a choice of manifest type: ocispec.MediaTypeImageManifest
// or registry.MediaTypeDockerManifest.
func (s *Server) PushImageOfType(repo, tag, mediaType string, p registry.Platform) (digest.Digest, error) {
	desc, err := PushRandomImageOfType(context.Background(), s.Target(repo), tag, mediaType, p)
	return desc.Digest, err
}

// PushIndex pushes one random image per platform and an index of them as repo:tag.
// mediaType is ocispec.MediaTypeImageIndex or registry.MediaTypeDockerManifestList.
func (s *Server) PushIndex(repo, tag, mediaType string, platforms ...registry.Platform) (Index, error) {
	return PushRandomIndex(context.Background(), s.Target(repo), tag, mediaType, platforms...)
}

// MoveTag pushes new random content of the same shape as what repo:tag points to (an index
// of the same type and platforms, or an image of the same type and platform) and moves the
// tag to it, as a base image update does. It returns the tag's new digest.
func (s *Server) MoveTag(repo, tag string) (digest.Digest, error) {
	s.mu.Lock()
	r := s.repo(repo, false)
	var m stored
	ok := false
	if r != nil {
		m, ok = r.manifests[r.tags[tag]]
	}
	s.mu.Unlock()
	if !ok {
		return "", fmt.Errorf("registrytest: %s:%s: %w", repo, tag, errdef.ErrNotFound)
	}
	if registry.IsIndex(m.mediaType) {
		var idx ocispec.Index
		if err := json.Unmarshal(m.body, &idx); err != nil {
			return "", err
		}
		var ps []registry.Platform
		for _, c := range idx.Manifests {
			if c.Platform != nil {
				ps = append(ps, registry.Platform{OS: c.Platform.OS, Architecture: c.Platform.Architecture, Variant: c.Platform.Variant, OSVersion: c.Platform.OSVersion})
			}
		}
		pushed, err := s.PushIndex(repo, tag, m.mediaType, ps...)
		return pushed.Digest, err
	}
	var im ocispec.Manifest
	if err := json.Unmarshal(m.body, &im); err != nil {
		return "", err
	}
	s.mu.Lock()
	config := r.blobs[im.Config.Digest]
	s.mu.Unlock()
	var img ocispec.Image
	if err := json.Unmarshal(config, &img); err != nil {
		return "", fmt.Errorf("registrytest: %s:%s: config: %w", repo, tag, err)
	}
	return s.PushImageOfType(repo, tag, m.mediaType,
		registry.Platform{OS: img.OS, Architecture: img.Architecture, Variant: img.Variant, OSVersion: img.OSVersion})
}

// Tag points repo:tag at the manifest d, which must already be in repo.
func (s *Server) Tag(repo, tag string, d digest.Digest) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(repo, false)
	if r == nil {
		return fmt.Errorf("registrytest: %s: %w", repo, errdef.ErrNotFound)
	}
	if _, ok := r.manifests[d]; !ok {
		return fmt.Errorf("registrytest: %s@%s: %w", repo, d, errdef.ErrNotFound)
	}
	r.tags[tag] = d
	return nil
}

// Digest returns the digest repo:tag points to, as stored (no content negotiation).
func (s *Server) Digest(repo, tag string) (digest.Digest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.repo(repo, false); r != nil {
		if d, ok := r.tags[tag]; ok {
			return d, nil
		}
	}
	return "", fmt.Errorf("registrytest: %s:%s: %w", repo, tag, errdef.ErrNotFound)
}

// DigestOf returns the digest the tag of an image reference points to on this server, as when
// the server stands in for the reference's registry through a mirror: "alpine:3.20" is
// library/alpine:3.20 here, "mcr.microsoft.com/windows/nanoserver:ltsc2022" is
// windows/nanoserver:ltsc2022. The reference's registry is ignored.
func (s *Server) DigestOf(image string) (string, error) {
	ref, err := registry.Normalize(image)
	if err != nil {
		return "", err
	}
	d, err := s.Digest(ref.Path, ref.Tag)
	return d.String(), err
}

// memTarget is an oras.Target over one repository of a Server's memory.
type memTarget struct {
	s    *Server
	name string
}

func (t *memTarget) Fetch(_ context.Context, desc ocispec.Descriptor) (io.ReadCloser, error) {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if r := t.s.repo(t.name, false); r != nil {
		if m, ok := r.manifests[desc.Digest]; ok {
			return io.NopCloser(bytes.NewReader(m.body)), nil
		}
		if b, ok := r.blobs[desc.Digest]; ok {
			return io.NopCloser(bytes.NewReader(b)), nil
		}
	}
	return nil, fmt.Errorf("%s@%s: %w", t.name, desc.Digest, errdef.ErrNotFound)
}

func (t *memTarget) Push(_ context.Context, desc ocispec.Descriptor, content io.Reader) error {
	return t.push(desc, content, "")
}

// PushReference pushes a manifest and tags it at once.
func (t *memTarget) PushReference(_ context.Context, desc ocispec.Descriptor, content io.Reader, reference string) error {
	return t.push(desc, content, reference)
}

func (t *memTarget) push(desc ocispec.Descriptor, content io.Reader, tag string) error {
	body, err := io.ReadAll(content)
	if err != nil {
		return err
	}
	if d := desc.Digest.Algorithm().FromBytes(body); d != desc.Digest || int64(len(body)) != desc.Size {
		return fmt.Errorf("%s: content is %s (%d bytes), want %s (%d bytes)", t.name, d, len(body), desc.Digest, desc.Size)
	}
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if slices.Contains(registry.ManifestMediaTypes(), desc.MediaType) {
		if _, code, msg := t.s.storeManifest(t.name, tag, desc.MediaType, body); code != "" {
			return fmt.Errorf("%s: %s: %s", t.name, code, msg)
		}
		return nil
	}
	t.s.repo(t.name, true).blobs[desc.Digest] = bytes.Clone(body)
	return nil
}

func (t *memTarget) Exists(_ context.Context, desc ocispec.Descriptor) (bool, error) {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	r := t.s.repo(t.name, false)
	if r == nil {
		return false, nil
	}
	_, isManifest := r.manifests[desc.Digest]
	_, isBlob := r.blobs[desc.Digest]
	return isManifest || isBlob, nil
}

func (t *memTarget) Resolve(_ context.Context, reference string) (ocispec.Descriptor, error) {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if r := t.s.repo(t.name, false); r != nil {
		d, ok := r.tags[reference]
		if !ok {
			d = digest.Digest(reference)
		}
		if m, ok := r.manifests[d]; ok {
			return ocispec.Descriptor{MediaType: m.mediaType, Digest: d, Size: int64(len(m.body))}, nil
		}
	}
	return ocispec.Descriptor{}, fmt.Errorf("%s:%s: %w", t.name, reference, errdef.ErrNotFound)
}

func (t *memTarget) Tag(_ context.Context, desc ocispec.Descriptor, reference string) error {
	return t.s.Tag(t.name, reference, desc.Digest)
}

// MovePlatform moves repo:tag, which must point to an index, to a new index in which only p's
// manifest is new (see MoveRandomPlatform).
func (s *Server) MovePlatform(repo, tag string, p registry.Platform) (Index, error) {
	return MoveRandomPlatform(context.Background(), s.Target(repo), tag, p)
}

// Attest moves repo:tag, which must point to an index, to a new index with one more
// attestation manifest (see AddRandomAttestation).
func (s *Server) Attest(repo, tag string) (Index, error) {
	return AddRandomAttestation(context.Background(), s.Target(repo), tag)
}

// Delete removes the manifest d from repo, as a registry's garbage collection does with an
// untagged index, so that lookups of it by digest find nothing.
func (s *Server) Delete(repo string, d digest.Digest) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(repo, false)
	if r == nil {
		return fmt.Errorf("registrytest: %s: %w", repo, errdef.ErrNotFound)
	}
	if _, ok := r.manifests[d]; !ok {
		return fmt.Errorf("registrytest: %s@%s: %w", repo, d, errdef.ErrNotFound)
	}
	delete(r.manifests, d)
	return nil
}
