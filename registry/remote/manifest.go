package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/baseflow/baseflow/registry"
)

const headerDigest = "Docker-Content-Digest"

// manifestAccept lists every manifest type a lookup accepts, so that a distribution registry
// returns what the tag points to rather than a conversion (see registry.ManifestMediaTypes).
var manifestAccept = strings.Join(registry.ManifestMediaTypes(), ", ")

// manifest is a fetched and verified manifest.
type manifest struct {
	digest    digest.Digest
	mediaType string
	body      []byte
}

// fetchManifest GETs the manifest r points to, trying again when the body was cut short
// (the transport retries failures before the headers arrive; this covers those after).
// Manifests fetched by digest are kept for the Client's life, and concurrent fetches of one
// share a request: content does not change under a digest, and comparing platforms asks for
// the same index once per platform.
func (c *Client) fetchManifest(ctx context.Context, r registry.Ref) (manifest, error) {
	if r.Digest == "" {
		return c.getManifest(ctx, r)
	}
	key := r.Name() + "@" + r.Digest.String()
	f := &digestFlight{done: make(chan struct{})}
	if prev, loaded := c.byDigest.LoadOrStore(key, f); loaded {
		f = prev.(*digestFlight)
		select {
		case <-f.done:
		case <-ctx.Done():
			return manifest{}, c.transportError(ctx, http.MethodGet, r, ctx.Err())
		}
		if f.err == nil || registry.KindOf(f.err) == registry.NotFound {
			return f.m, f.err
		}
		return c.fetchManifest(ctx, r) // the first fetch failed and was forgotten: try again
	}
	f.m, f.err = c.getManifest(ctx, r)
	if f.err != nil && registry.KindOf(f.err) != registry.NotFound {
		c.byDigest.Delete(key) // a later request may succeed; a digest that is not there stays so
	}
	close(f.done)
	return f.m, f.err
}

// digestFlight is a fetch of a manifest by digest, shared by everyone who asks for it.
type digestFlight struct {
	done chan struct{}
	m    manifest
	err  error
}

func (c *Client) getManifest(ctx context.Context, r registry.Ref) (manifest, error) {
	var m manifest
	err := c.retryBody(ctx, func() error {
		body, resp, err := c.get(ctx, r, "manifests", r.Reference(), manifestAccept)
		if err != nil {
			return err
		}
		d, err := verify(r, resp.Header.Get(headerDigest), r.Digest, body)
		if err != nil {
			return err
		}
		m = manifest{digest: d, mediaType: manifestMediaType(resp.Header.Get("Content-Type"), body), body: body}
		return nil
	})
	return m, err
}

// fetchBlob GETs the blob d of r's repository and checks it against d. Blobs are kept for the
// Client's life, as manifests fetched by digest are.
func (c *Client) fetchBlob(ctx context.Context, r registry.Ref, d digest.Digest) ([]byte, error) {
	key := r.Name() + "@" + d.String() + " blob"
	if b, ok := c.byDigest.Load(key); ok {
		return b.([]byte), nil
	}
	var blob []byte
	defer func() {
		if blob != nil {
			c.byDigest.Store(key, blob)
		}
	}()
	err := c.retryBody(ctx, func() error {
		body, _, err := c.get(ctx, r, "blobs", d.String(), "")
		if err != nil {
			return err
		}
		if _, err := verify(r, "", d, body); err != nil {
			return err
		}
		blob = body
		return nil
	})
	return blob, err
}

// bodyError marks a failure while reading a response body, which fetchManifest retries.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return "reading response body: " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

// get performs one GET and reads the whole body, up to the client's size bound.
func (c *Client) get(ctx context.Context, r registry.Ref, kind, object, accept string) ([]byte, *http.Response, error) {
	resp, err := c.do(ctx, http.MethodGet, r, kind, object, accept)
	if err != nil {
		return nil, nil, c.transportError(ctx, http.MethodGet, r, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, statusError(http.MethodGet, r, resp)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBytes+1))
	if err != nil {
		return nil, nil, c.transportError(ctx, http.MethodGet, r, &bodyError{err: err})
	}
	if int64(len(body)) > c.maxBytes {
		return nil, nil, &registry.Error{Ref: r.String(), Op: http.MethodGet, Kind: registry.InvalidResponse,
			Err: fmt.Errorf("%s %s is larger than %d bytes", kind, object, c.maxBytes)}
	}
	return body, resp, nil
}

// retryBody runs fn again, with backoff, while it fails reading a body.
func (c *Client) retryBody(ctx context.Context, fn func() error) error {
	for attempt := 0; ; attempt++ {
		err := fn()
		var be *bodyError
		if err == nil || attempt >= c.retries || !errors.As(err, &be) || ctx.Err() != nil {
			return err
		}
		wait := c.backoff(attempt, nil)
		c.stats.retried(wait)
		c.log.Debug("registry response body cut short; fetching again", "attempt", attempt+1, "wait", wait, "error", be.err.Error())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// verify checks body against the digest the registry sent (headerValue, may be empty) and the
// digest the reference is pinned to (may be empty), and returns the body's digest: the
// registry's when it sent one, else the sha256 of body.
func verify(r registry.Ref, headerValue string, pinned digest.Digest, body []byte) (digest.Digest, error) {
	fail := func(err error) (digest.Digest, error) {
		return "", &registry.Error{Ref: r.String(), Op: http.MethodGet, Kind: registry.InvalidResponse, Err: err}
	}
	d := digest.FromBytes(body)
	if headerValue != "" {
		hd, err := digest.Parse(headerValue)
		if err != nil {
			return fail(fmt.Errorf("%s header %q: %w", headerDigest, headerValue, err))
		}
		if got := hd.Algorithm().FromBytes(body); got != hd {
			return fail(fmt.Errorf("%s header says %s but the content is %s", headerDigest, hd, got))
		}
		d = hd
	}
	if pinned != "" {
		if err := pinned.Validate(); err != nil {
			return fail(err)
		}
		if got := pinned.Algorithm().FromBytes(body); got != pinned {
			return fail(fmt.Errorf("content is %s, not the requested %s", got, pinned))
		}
		d = pinned
	}
	return d, nil
}

// manifestMediaType returns the manifest's media type: the Content-Type when it names a
// manifest type, else the manifest's own mediaType field, else a guess from its shape.
func manifestMediaType(contentType string, body []byte) string {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && slices.Contains(registry.ManifestMediaTypes(), mt) {
		return mt
	}
	var probe struct {
		MediaType string            `json:"mediaType"`
		Manifests []json.RawMessage `json:"manifests"`
	}
	_ = json.Unmarshal(body, &probe)
	switch {
	case probe.MediaType != "":
		return probe.MediaType
	case probe.Manifests != nil:
		return ocispec.MediaTypeImageIndex
	}
	return ocispec.MediaTypeImageManifest
}

// selectPlatform returns the digest of p's manifest: an index entry, or m itself when m is an
// image manifest whose config says it is for p (or says nothing).
func (c *Client) selectPlatform(ctx context.Context, r registry.Ref, m manifest, p registry.Platform) (digest.Digest, error) {
	invalid := func(err error) (digest.Digest, error) {
		return "", &registry.Error{Ref: r.String(), Op: http.MethodGet, Kind: registry.InvalidResponse, Err: err}
	}
	noMatch := func(have []string) (digest.Digest, error) {
		return "", &registry.Error{Ref: r.String(), Op: http.MethodGet, Kind: registry.PlatformNotFound,
			Err: fmt.Errorf("%s not among [%s]", p, strings.Join(have, ", "))}
	}
	if registry.IsIndex(m.mediaType) {
		var idx ocispec.Index
		if err := json.Unmarshal(m.body, &idx); err != nil {
			return invalid(fmt.Errorf("index %s: %w", m.digest, err))
		}
		ps := make([]registry.Platform, len(idx.Manifests))
		have := make([]string, 0, len(idx.Manifests))
		for i, d := range idx.Manifests {
			if d.Platform != nil {
				ps[i] = registry.Platform{OS: d.Platform.OS, Architecture: d.Platform.Architecture,
					Variant: d.Platform.Variant, OSVersion: d.Platform.OSVersion}
				have = append(have, ps[i].String())
			}
		}
		i, err := registry.SelectPlatform(ps, p)
		if err != nil {
			return "", &registry.Error{Ref: r.String(), Op: http.MethodGet, Kind: registry.AmbiguousPlatform,
				Err: fmt.Errorf("index %s: %w", m.digest, err)}
		}
		if i >= 0 {
			return idx.Manifests[i].Digest, nil
		}
		return noMatch(have)
	}
	var im ocispec.Manifest
	if err := json.Unmarshal(m.body, &im); err != nil {
		return invalid(fmt.Errorf("manifest %s: %w", m.digest, err))
	}
	if err := im.Config.Digest.Validate(); err != nil {
		return invalid(fmt.Errorf("manifest %s: config digest: %w", m.digest, err))
	}
	blob, err := c.fetchBlob(ctx, r, im.Config.Digest)
	if err != nil {
		return "", err
	}
	var cfg struct {
		OS           string `json:"os"`
		Architecture string `json:"architecture"`
		Variant      string `json:"variant"`
		OSVersion    string `json:"os.version"`
	}
	if err := json.Unmarshal(blob, &cfg); err != nil {
		return invalid(fmt.Errorf("config %s: %w", im.Config.Digest, err))
	}
	if cfg.OS == "" && cfg.Architecture == "" {
		return m.digest, nil // the config does not say; take the only manifest there is
	}
	got := registry.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant, OSVersion: cfg.OSVersion}
	if p.Matches(got) {
		return m.digest, nil
	}
	return noMatch([]string{got.String()})
}
