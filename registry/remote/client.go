package remote

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"

	"github.com/opencontainers/go-digest"
	orasregistry "oras.land/oras-go/v2/registry"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/retry"

	"github.com/baseflow/baseflow/registry"
)

// Client resolves references against registries over the OCI distribution API. It is safe
// for concurrent use; share one per run so that tokens, credentials and connections are
// reused.
type Client struct {
	http     *auth.Client
	stats    *stats
	plain    map[string]bool
	schemes  sync.Map // loopback host → "https" or "http", learnt on first contact
	firsts   firstRequests
	log      *slog.Logger
	maxBytes int64
	retries  int
	backoff  retry.Backoff
}

var _ registry.Resolver = (*Client)(nil)

// New returns a Client. The zero configuration reads credentials from the docker
// configuration ($DOCKER_CONFIG/config.json or ~/.docker/config.json, with its credential
// helpers), falls back to anonymous tokens, and retries as the Default constants say.
func New(opts ...Option) (*Client, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	log := o.logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	base, err := baseTransport(&o)
	if err != nil {
		return nil, err
	}
	cred, err := o.credentialLookup()
	if err != nil {
		return nil, err
	}
	st := &stats{}
	policy := newRetryPolicy(&o, st, log)
	rt := &retry.Transport{
		Base:   &timeoutTransport{base: &countingTransport{base: base, stats: st}, timeout: o.requestTimeout},
		Policy: func() retry.Policy { return policy },
	}
	c := &Client{
		http: &auth.Client{
			Client:     &http.Client{Transport: rt},
			Header:     http.Header{"User-Agent": {o.userAgent}},
			Cache:      auth.NewCache(),
			Credential: cred,
		},
		stats:    st,
		plain:    make(map[string]bool),
		log:      log,
		maxBytes: o.maxBytes,
		retries:  o.maxRetries,
		backoff:  backoff(o.backoff, nil),
	}
	for _, h := range o.plainHTTP {
		c.plain[apiHost(h)] = true
	}
	return c, nil
}

// baseTransport returns the transport under the client's own layers.
func baseTransport(o *options) (http.RoundTripper, error) {
	rt := o.transport
	if rt == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone() // keeps ForceAttemptHTTP2
		tr.MaxIdleConnsPerHost = 64
		rt = tr
	}
	if o.rootCAs == nil {
		return rt, nil
	}
	tr, ok := rt.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("registry client: WithRootCAs needs an *http.Transport, not %T", rt)
	}
	tr = tr.Clone()
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{}
	}
	tr.TLSClientConfig.RootCAs = o.rootCAs
	return tr, nil
}

// Stats returns what the client has sent so far.
func (c *Client) Stats() Stats { return c.stats.snapshot() }

// Digest implements registry.Resolver with one HEAD request (which Docker Hub does not count
// as a pull), reading Docker-Content-Digest. Only when a registry leaves that header out does
// it GET the manifest and compute the digest from the body. A reference pinned to a digest
// resolves to that digest without a request.
func (c *Client) Digest(ctx context.Context, ref string) (digest.Digest, error) {
	r, err := registry.Normalize(ref)
	if err != nil {
		return "", err
	}
	if r.Digest != "" {
		return r.Digest, nil
	}
	resp, err := c.do(ctx, http.MethodHead, r, "manifests", r.Tag, manifestAccept)
	if err != nil {
		return "", c.transportError(ctx, http.MethodHead, r, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", statusError(http.MethodHead, r, resp)
	}
	if h := resp.Header.Get(headerDigest); h != "" {
		d, err := digest.Parse(h)
		if err != nil {
			return "", &registry.Error{Ref: r.String(), Op: http.MethodHead, Kind: registry.InvalidResponse,
				Err: fmt.Errorf("%s header %q: %w", headerDigest, h, err)}
		}
		return d, nil
	}
	c.log.Debug("registry sent no digest header; fetching the manifest", "ref", r.String())
	m, err := c.fetchManifest(ctx, r)
	if err != nil {
		return "", err
	}
	return m.digest, nil
}

// PlatformDigest implements registry.Resolver. It GETs the manifest the reference points to
// (an index cannot be read with HEAD) and picks p's entry as registry.BestMatch does. When
// the reference points to a single image manifest it also GETs the image config to check
// the platform.
func (c *Client) PlatformDigest(ctx context.Context, ref string, p registry.Platform) (digest.Digest, error) {
	r, err := registry.Normalize(ref)
	if err != nil {
		return "", err
	}
	m, err := c.fetchManifest(ctx, r)
	if err != nil {
		return "", err
	}
	return c.selectPlatform(ctx, r, m, p)
}

// do sends one request for /v2/<path>/<kind>/<object> through the auth client, with a pull
// scope for the repository so that tokens are cached per repository.
func (c *Client) do(ctx context.Context, method string, r registry.Ref, kind, object, accept string) (*http.Response, error) {
	host := apiHost(r.Domain)
	ctx = auth.AppendRepositoryScope(ctx, orasregistry.Reference{Registry: r.Domain, Repository: r.Path}, auth.ActionPull)
	path := "/v2/" + r.Path + "/" + kind + "/" + object
	done, err := c.firsts.wait(ctx, host+"/"+r.Path)
	if err != nil {
		return nil, err
	}
	defer done()
	scheme, probe := c.scheme(host)
	resp, err := c.send(ctx, method, scheme+"://"+host+path, accept)
	if !probe {
		return resp, err
	}
	switch {
	case errors.Is(err, http.ErrSchemeMismatch):
		c.log.Debug("loopback registry speaks plain HTTP", "host", host)
		c.schemes.Store(host, "http")
		return c.send(ctx, method, "http://"+host+path, accept)
	case err == nil:
		c.schemes.Store(host, "https")
	}
	return resp, err
}

func (c *Client) send(ctx context.Context, method, url, accept string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, err
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return c.http.Do(req)
}

// firstRequests lets the first request to each repository go alone: concurrent first
// requests would each meet the registry's 401 challenge before any of them has cached the
// repository's token. Once the first request is done, with its token cached (or failed), the
// others go at once.
type firstRequests struct {
	mu    sync.Mutex
	repos map[string]chan struct{}
}

// wait blocks until the first request to repo is done, or returns done to call when the
// caller's request is the first.
func (f *firstRequests) wait(ctx context.Context, repo string) (done func(), err error) {
	f.mu.Lock()
	ch, seen := f.repos[repo]
	if !seen {
		if f.repos == nil {
			f.repos = make(map[string]chan struct{})
		}
		ch = make(chan struct{})
		f.repos[repo] = ch
	}
	f.mu.Unlock()
	if !seen {
		return func() { close(ch) }, nil
	}
	select {
	case <-ch:
		return func() {}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// scheme returns the URL scheme for host, and whether the answer is a guess to be checked:
// loopback hosts try HTTPS first and remember what worked.
func (c *Client) scheme(host string) (scheme string, probe bool) {
	if c.plain[host] || c.plain[hostname(host)] {
		return "http", false
	}
	if !isLoopback(host) {
		return "https", false
	}
	if s, ok := c.schemes.Load(host); ok {
		return s.(string), false
	}
	return "https", true
}

// apiHost returns the host the registry API of domain is served from, as oras addresses it:
// Docker Hub's "docker.io" is served from registry-1.docker.io.
func apiHost(domain string) string {
	return orasregistry.Reference{Registry: domain}.Host()
}

func hostname(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return strings.Trim(host, "[]")
}

func isLoopback(host string) bool {
	h := hostname(host)
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	addr, err := netip.ParseAddr(h)
	return err == nil && addr.IsLoopback()
}

// drain reads what is left of a small response body so the connection can be reused.
func drain(r io.Reader) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r, 64<<10))
}
