package remote

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/baseflow/baseflow/registry"
)

// Image implements registry.ImageReader: one HEAD for the digest the reference points to now
// (as Digest does), one GET of the manifest pinned to that digest (so that manifest and
// digest cannot come from two different pushes), and one GET of its config blob.
func (c *Client) Image(ctx context.Context, ref string) (*registry.Image, error) {
	r, err := registry.Normalize(ref)
	if err != nil {
		return nil, err
	}
	d, err := c.Digest(ctx, ref)
	if err != nil {
		return nil, err
	}
	pinned := r
	pinned.Digest = d
	m, err := c.fetchManifest(ctx, pinned)
	if err != nil {
		return nil, err
	}
	invalid := func(err error) (*registry.Image, error) {
		return nil, &registry.Error{Ref: r.String(), Op: http.MethodGet, Kind: registry.InvalidResponse, Err: err}
	}
	if registry.IsIndex(m.mediaType) {
		return invalid(fmt.Errorf("%s is a multi-platform index (%s), not a platform image", d, m.mediaType))
	}
	var im ocispec.Manifest
	if err := json.Unmarshal(m.body, &im); err != nil {
		return invalid(fmt.Errorf("manifest %s: %w", d, err))
	}
	if err := im.Config.Digest.Validate(); err != nil {
		return invalid(fmt.Errorf("manifest %s: config digest: %w", d, err))
	}
	blob, err := c.fetchBlob(ctx, r, im.Config.Digest)
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Created      *time.Time `json:"created"`
		OS           string     `json:"os"`
		Architecture string     `json:"architecture"`
		Variant      string     `json:"variant"`
		Config       struct {
			Labels map[string]string `json:"Labels"`
		} `json:"config"`
	}
	if err := json.Unmarshal(blob, &cfg); err != nil {
		return invalid(fmt.Errorf("config %s: %w", im.Config.Digest, err))
	}
	img := &registry.Image{
		Digest:      d,
		MediaType:   m.mediaType,
		Layers:      im.Layers,
		Annotations: im.Annotations,
		Labels:      cfg.Config.Labels,
		Platform:    registry.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant},
	}
	if cfg.Created != nil {
		img.Created = *cfg.Created
	}
	return img, nil
}

// Index implements registry.ImageReader with one GET of the manifest ref points to.
func (c *Client) Index(ctx context.Context, ref string) (*registry.Index, error) {
	r, err := registry.Normalize(ref)
	if err != nil {
		return nil, err
	}
	m, err := c.fetchManifest(ctx, r)
	if err != nil {
		return nil, err
	}
	ix := &registry.Index{Digest: m.digest, MediaType: m.mediaType}
	if registry.IsIndex(m.mediaType) {
		var idx ocispec.Index
		if err := json.Unmarshal(m.body, &idx); err != nil {
			return nil, &registry.Error{Ref: r.String(), Op: http.MethodGet, Kind: registry.InvalidResponse,
				Err: fmt.Errorf("index %s: %w", m.digest, err)}
		}
		ix.Manifests = idx.Manifests
		if ix.Manifests == nil {
			ix.Manifests = []ocispec.Descriptor{}
		}
	}
	return ix, nil
}

var _ registry.ImageReader = (*Client)(nil)
