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
