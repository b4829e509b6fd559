package registrytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"

	"github.com/baseflow/baseflow/registry"
)

// BuiltImage describes an image as a build pushes it, for PushBuiltImage.
type BuiltImage struct {
	Platform registry.Platform
	// Created is the config's creation time; zero leaves it out.
	Created time.Time
	// Annotations are the manifest's, e.g. registry.AnnotationBaseName and
	// registry.AnnotationBaseDigest as buildah writes them.
	Annotations map[string]string
	// Labels are the config's.
	Labels map[string]string
}

// PushBuiltImage pushes an OCI image with one random layer, img's platform and creation
// time in its config and img's annotations on its manifest, tagged with each of tags, and
// returns its manifest descriptor.
func PushBuiltImage(ctx context.Context, target oras.Target, img BuiltImage, tags ...string) (ocispec.Descriptor, error) {
	layer, diffID, err := randomLayer()
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	cfg := ocispec.Image{
		Platform: ocispec.Platform{OS: img.Platform.OS, Architecture: img.Platform.Architecture, Variant: img.Platform.Variant},
		RootFS:   ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{diffID}},
	}
	if !img.Created.IsZero() {
		cfg.Created = &img.Created
	}
	cfg.Config.Labels = img.Labels
	config, err := json.Marshal(cfg)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	layerDesc, configDesc := descriptor(ocispec.MediaTypeImageLayerGzip, layer), descriptor(ocispec.MediaTypeImageConfig, config)
	for _, b := range []struct {
		desc ocispec.Descriptor
		body []byte
	}{{layerDesc, layer}, {configDesc, config}} {
		if err := target.Push(ctx, b.desc, bytes.NewReader(b.body)); err != nil {
			return ocispec.Descriptor{}, fmt.Errorf("registrytest: push blob %s: %w", b.desc.Digest, err)
		}
	}
	body, err := json.Marshal(ocispec.Manifest{
		Versioned:   specs.Versioned{SchemaVersion: 2},
		MediaType:   ocispec.MediaTypeImageManifest,
		Config:      configDesc,
		Layers:      []ocispec.Descriptor{layerDesc},
		Annotations: img.Annotations,
	})
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	desc := descriptor(ocispec.MediaTypeImageManifest, body)
	if err := pushManifest(ctx, target, desc, body, ""); err != nil {
		return ocispec.Descriptor{}, err
	}
	for _, tag := range tags {
		if err := target.Tag(ctx, desc, tag); err != nil {
			return ocispec.Descriptor{}, fmt.Errorf("registrytest: tag %s: %w", tag, err)
		}
	}
	return desc, nil
}
