package registrytest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"

	"github.com/baseflow/baseflow/registry"
)

// Docker media types of image parts, which image-spec does not define.
const (
	dockerConfigType = "application/vnd.docker.container.image.v1+json"
	dockerLayerType  = "application/vnd.docker.image.rootfs.diff.tar.gzip"
)

// Index describes a pushed multi-platform index: an OCI image index or a Docker manifest
// list.
type Index struct {
	Digest    digest.Digest
	MediaType string
	Manifests []Manifest
}

// Manifest is one platform's entry in an Index.
type Manifest struct {
	Platform  registry.Platform
	Digest    digest.Digest
	MediaType string
}

// PlatformDigest returns the digest of p's manifest in the index, chosen as
// registry.BestMatch does, or "" when there is none.
func (i Index) PlatformDigest(p registry.Platform) digest.Digest {
	ps := make([]registry.Platform, len(i.Manifests))
	for j, m := range i.Manifests {
		ps[j] = m.Platform
	}
	if j := registry.BestMatch(ps, p); j >= 0 {
		return i.Manifests[j].Digest
	}
	return ""
}

// PushRandomImage pushes a small image with random content for platform p to target (any
// registry repository: an oras-go remote.Repository, or Server.Target) as an OCI image
// manifest, tags it, and returns its descriptor. The image is real: a config naming p and one
// gzipped tar layer holding a random file.
func PushRandomImage(ctx context.Context, target oras.Target, tag string, p registry.Platform) (ocispec.Descriptor, error) {
	return PushRandomImageOfType(ctx, target, tag, ocispec.MediaTypeImageManifest, p)
}

// PushRandomImageOfType is PushRandomImage with a choice of manifest type:
// ocispec.MediaTypeImageManifest or registry.MediaTypeDockerManifest.
func PushRandomImageOfType(ctx context.Context, target oras.Target, tag, mediaType string, p registry.Platform) (ocispec.Descriptor, error) {
	desc, body, err := pushImageParts(ctx, target, mediaType, p)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	if err := pushManifest(ctx, target, desc, body, tag); err != nil {
		return ocispec.Descriptor{}, err
	}
	return desc, nil
}

// PushRandomIndex pushes one random image per platform and an index of them to target, tags
// the index, and describes what it pushed. mediaType is ocispec.MediaTypeImageIndex (with OCI
// image manifests) or registry.MediaTypeDockerManifestList (with Docker manifests).
func PushRandomIndex(ctx context.Context, target oras.Target, tag, mediaType string, platforms ...registry.Platform) (Index, error) {
	childType := ocispec.MediaTypeImageManifest
	switch mediaType {
	case ocispec.MediaTypeImageIndex:
	case registry.MediaTypeDockerManifestList:
		childType = registry.MediaTypeDockerManifest
	default:
		return Index{}, fmt.Errorf("registrytest: %q is not an index media type", mediaType)
	}
	if len(platforms) == 0 {
		return Index{}, fmt.Errorf("registrytest: an index needs at least one platform")
	}
	idx := Index{MediaType: mediaType}
	descs := make([]ocispec.Descriptor, 0, len(platforms))
	for _, p := range platforms {
		desc, body, err := pushImageParts(ctx, target, childType, p)
		if err != nil {
			return Index{}, err
		}
		if err := pushManifest(ctx, target, desc, body, ""); err != nil {
			return Index{}, err
		}
		desc.Platform = &ocispec.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant, OSVersion: p.OSVersion}
		descs = append(descs, desc)
		idx.Manifests = append(idx.Manifests, Manifest{Platform: p, Digest: desc.Digest, MediaType: childType})
	}
	body, err := json.Marshal(ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: mediaType, Manifests: descs})
	if err != nil {
		return Index{}, err
	}
	desc := descriptor(mediaType, body)
	if err := pushManifest(ctx, target, desc, body, tag); err != nil {
		return Index{}, err
	}
	idx.Digest = desc.Digest
	return idx, nil
}

// pushImageParts pushes a random layer and a config for p, and returns the image manifest
// referring to them, not yet pushed.
func pushImageParts(ctx context.Context, target oras.Target, mediaType string, p registry.Platform) (ocispec.Descriptor, []byte, error) {
	configType, layerType := ocispec.MediaTypeImageConfig, ocispec.MediaTypeImageLayerGzip
	switch mediaType {
	case ocispec.MediaTypeImageManifest:
	case registry.MediaTypeDockerManifest:
		configType, layerType = dockerConfigType, dockerLayerType
	default:
		return ocispec.Descriptor{}, nil, fmt.Errorf("registrytest: %q is not an image manifest media type", mediaType)
	}
	layer, diffID, err := randomLayer()
	if err != nil {
		return ocispec.Descriptor{}, nil, err
	}
	config, err := json.Marshal(ocispec.Image{
		Platform: ocispec.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant, OSVersion: p.OSVersion},
		RootFS:   ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{diffID}},
	})
	if err != nil {
		return ocispec.Descriptor{}, nil, err
	}
	layerDesc, configDesc := descriptor(layerType, layer), descriptor(configType, config)
	for _, b := range []struct {
		desc ocispec.Descriptor
		body []byte
	}{{layerDesc, layer}, {configDesc, config}} {
		if err := target.Push(ctx, b.desc, bytes.NewReader(b.body)); err != nil {
			return ocispec.Descriptor{}, nil, fmt.Errorf("registrytest: push blob %s: %w", b.desc.Digest, err)
		}
	}
	manifest, err := json.Marshal(ocispec.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: mediaType,
		Config:    configDesc,
		Layers:    []ocispec.Descriptor{layerDesc},
	})
	if err != nil {
		return ocispec.Descriptor{}, nil, err
	}
	return descriptor(mediaType, manifest), manifest, nil
}

// referencePusher is what oras-go's remote.Repository offers to push and tag in one request.
type referencePusher interface {
	PushReference(ctx context.Context, expected ocispec.Descriptor, content io.Reader, reference string) error
}

// pushManifest pushes a manifest, tagged when tag is not empty.
func pushManifest(ctx context.Context, target oras.Target, desc ocispec.Descriptor, body []byte, tag string) error {
	var err error
	switch rp, ok := target.(referencePusher); {
	case tag != "" && ok:
		err = rp.PushReference(ctx, desc, bytes.NewReader(body), tag)
	default:
		if err = target.Push(ctx, desc, bytes.NewReader(body)); err == nil && tag != "" {
			err = target.Tag(ctx, desc, tag)
		}
	}
	if err != nil {
		return fmt.Errorf("registrytest: push manifest %s: %w", desc.Digest, err)
	}
	return nil
}

// randomLayer returns a gzipped tar holding one file of random bytes, and the digest of the
// uncompressed tar (the image config's diff ID).
func randomLayer() (gz []byte, diffID digest.Digest, err error) {
	data := make([]byte, 256)
	if _, err := rand.Read(data); err != nil {
		return nil, "", err
	}
	var tarBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	hdr := &tar.Header{Name: "random", Mode: 0o644, Size: int64(len(data)), ModTime: time.Unix(0, 0)}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, "", err
	}
	if _, err := tw.Write(data); err != nil {
		return nil, "", err
	}
	if err := tw.Close(); err != nil {
		return nil, "", err
	}
	var gzBuf bytes.Buffer
	zw := gzip.NewWriter(&gzBuf)
	if _, err := zw.Write(tarBuf.Bytes()); err != nil {
		return nil, "", err
	}
	if err := zw.Close(); err != nil {
		return nil, "", err
	}
	return gzBuf.Bytes(), digest.FromBytes(tarBuf.Bytes()), nil
}

func descriptor(mediaType string, body []byte) ocispec.Descriptor {
	return ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(body), Size: int64(len(body))}
}

// MoveRandomPlatform moves tag of target, which must point to an index, to a new index in
// which only p's manifest is new (random content of the same type) and every other entry is
// kept, as when a base image's maintainers rebuild one platform. It returns the new index.
func MoveRandomPlatform(ctx context.Context, target oras.Target, tag string, p registry.Platform) (Index, error) {
	return rewriteIndex(ctx, target, tag, func(idx *ocispec.Index) error {
		for i, c := range idx.Manifests {
			if c.Platform == nil || !p.Matches(platformOf(c.Platform)) {
				continue
			}
			desc, err := PushRandomImageOfType(ctx, target, "", c.MediaType, platformOf(c.Platform))
			if err != nil {
				return err
			}
			desc.Platform = c.Platform
			idx.Manifests[i] = desc
			return nil
		}
		return fmt.Errorf("registrytest: %s has no %s entry", tag, p)
	})
}

// AddRandomAttestation moves tag of target, which must point to an index, to a new index with
// the same platform entries and one more attestation manifest (platform unknown/unknown, as
// BuildKit writes provenance), as when only a base image's attestations change. It returns
// the new index.
func AddRandomAttestation(ctx context.Context, target oras.Target, tag string) (Index, error) {
	return rewriteIndex(ctx, target, tag, func(idx *ocispec.Index) error {
		childType := ocispec.MediaTypeImageManifest
		if idx.MediaType == registry.MediaTypeDockerManifestList {
			childType = registry.MediaTypeDockerManifest
		}
		unknown := registry.Platform{OS: "unknown", Architecture: "unknown"}
		desc, err := PushRandomImageOfType(ctx, target, "", childType, unknown)
		if err != nil {
			return err
		}
		desc.Platform = &ocispec.Platform{OS: unknown.OS, Architecture: unknown.Architecture}
		desc.Annotations = map[string]string{"vnd.docker.reference.type": "attestation-manifest"}
		idx.Manifests = append(idx.Manifests, desc)
		return nil
	})
}

// rewriteIndex pushes edit's change of the index tag points to, and moves the tag to it.
func rewriteIndex(ctx context.Context, target oras.Target, tag string, edit func(*ocispec.Index) error) (Index, error) {
	old, err := target.Resolve(ctx, tag)
	if err != nil {
		return Index{}, fmt.Errorf("registrytest: %s: %w", tag, err)
	}
	if !registry.IsIndex(old.MediaType) {
		return Index{}, fmt.Errorf("registrytest: %s is a %s, not an index", tag, old.MediaType)
	}
	rc, err := target.Fetch(ctx, old)
	if err != nil {
		return Index{}, err
	}
	body, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return Index{}, err
	}
	var idx ocispec.Index
	if err := json.Unmarshal(body, &idx); err != nil {
		return Index{}, err
	}
	if idx.MediaType == "" {
		idx.MediaType = old.MediaType
	}
	if err := edit(&idx); err != nil {
		return Index{}, err
	}
	if body, err = json.Marshal(idx); err != nil {
		return Index{}, err
	}
	desc := descriptor(old.MediaType, body)
	if err := pushManifest(ctx, target, desc, body, tag); err != nil {
		return Index{}, err
	}
	out := Index{Digest: desc.Digest, MediaType: old.MediaType}
	for _, c := range idx.Manifests {
		if c.Platform != nil {
			out.Manifests = append(out.Manifests, Manifest{Platform: platformOf(c.Platform), Digest: c.Digest, MediaType: c.MediaType})
		}
	}
	return out, nil
}

func platformOf(p *ocispec.Platform) registry.Platform {
	return registry.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant, OSVersion: p.OSVersion}
}
