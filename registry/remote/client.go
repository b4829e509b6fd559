package remote

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"slices"
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
	hosts    *hosts
	noHead   sync.Map // host → true once it refused a manifest HEAD
	byDigest sync.Map // "name@digest" → *digestFlight, "name@digest blob" → []byte
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
	hs := &hosts{}
	rt := &challengeTransport{
		base: &retry.Transport{
			Base:   &timeoutTransport{base: &countingTransport{base: base, stats: st}, timeout: o.requestTimeout},
			Policy: func() retry.Policy { return policy },
		},
		hosts: hs,
		stats: st,
	}
	c := &Client{
		hosts: hs,
		http: &auth.Client{
			Client:     &http.Client{Transport: rt, CheckRedirect: stopAtOtherOrigin},
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
// as a pull), reading Docker-Content-Digest. A reference pinned to a digest resolves to that
// digest without a request.
//
// It GETs the manifest, and takes the digest of the verified body, only when HEAD cannot
// answer: the registry refuses HEAD (405 or 501; its later lookups go straight to GET), it
// answers HEAD with 404 (some proxies do; a 404 from the GET too is NotFound), or it sends no
// digest header. Each of these is counted once per host in Stats.Warnings.
//
// A HEAD answer whose Content-Type is not one of the manifest types the request accepted is
// an error of kind InvalidResponse, not a digest: a registry or proxy that ignores the Accept
// header may name a different manifest (one platform's, a schema 1 conversion) than the one
// the tag points to, and every check would read it as a moved base.
func (c *Client) Digest(ctx context.Context, ref string) (digest.Digest, error) {
	r, err := registry.Normalize(ref)
	if err != nil {
		return "", err
	}
	if r.Digest != "" {
		return r.Digest, nil
	}
	host := apiHost(r.Domain)
	if _, refused := c.noHead.Load(host); refused {
		return c.digestByGet(ctx, r, host, HeadRefused)
	}
	resp, err := c.do(ctx, http.MethodHead, r, "manifests", r.Tag, manifestAccept)
	if err != nil {
		return "", c.transportError(ctx, http.MethodHead, r, err)
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusMethodNotAllowed, http.StatusNotImplemented:
		c.noHead.Store(host, true)
		return c.digestByGet(ctx, r, host, HeadRefused)
	case http.StatusNotFound:
		d, err := c.fetchManifest(ctx, r)
		if err != nil {
			if registry.KindOf(err) == registry.NotFound {
				return "", statusError(http.MethodHead, r, resp)
			}
			return "", err
		}
		c.warn(host, HeadNotFound, r)
		return d.digest, nil
	default:
		return "", statusError(http.MethodHead, r, resp)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !slices.Contains(registry.ManifestMediaTypes(), mt) {
			return "", &registry.Error{Ref: r.String(), Op: http.MethodHead, Kind: registry.InvalidResponse,
				Err: fmt.Errorf("answered with a manifest of type %q, which the request did not accept (a proxy that ignores Accept?)", ct)}
		}
	}
	if h := resp.Header.Get(headerDigest); h != "" {
		d, err := digest.Parse(h)
		if err != nil {
			return "", &registry.Error{Ref: r.String(), Op: http.MethodHead, Kind: registry.InvalidResponse,
				Err: fmt.Errorf("%s header %q: %w", headerDigest, h, err)}
		}
		return d, nil
	}
	return c.digestByGet(ctx, r, host, NoDigestHeader)
}

// digestByGet resolves r with a GET of its manifest, counting why in the warnings.
func (c *Client) digestByGet(ctx context.Context, r registry.Ref, host string, why WarningKind) (digest.Digest, error) {
	m, err := c.fetchManifest(ctx, r)
	if err != nil {
		return "", err
	}
	c.warn(host, why, r)
	return m.digest, nil
}

// warn counts a lookup that needed a GET, logging the first of its kind for the host.
func (c *Client) warn(host string, kind WarningKind, r registry.Ref) {
	if c.stats.warn(host, kind) {
		c.log.Warn("registry "+kind.String(), "host", host, "ref", r.String())
	}
}

// PlatformDigest implements registry.Resolver. It GETs the manifest the reference points to
// (an index cannot be read with HEAD) and picks p's entry as registry.SelectPlatform does
// (an AmbiguousPlatform error when Windows releases differ only in os.version). When
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
//
// The first request to a host goes alone; the others wait until the host has answered it
// (the scheme of a loopback host and the host's challenge are then known), and go at once.
func (c *Client) do(ctx context.Context, method string, r registry.Ref, kind, object, accept string) (*http.Response, error) {
	host := apiHost(r.Domain)
	ctx = auth.AppendRepositoryScope(ctx, orasregistry.Reference{Registry: r.Domain, Repository: r.Path}, auth.ActionPull)
	path := "/v2/" + r.Path + "/" + kind + "/" + object
	state, first := c.hosts.get(host)
	if first {
		defer state.markAnswered()
	} else if err := state.wait(ctx); err != nil {
		return nil, err
	}
	scheme, probe := c.scheme(host)
	if !probe {
		return c.send(ctx, method, scheme+"://"+host+path, accept)
	}
	resp, err := c.send(context.WithValue(ctx, probeKey{}, true), method, "https://"+host+path, accept)
	switch {
	case isPlainHTTPAnswer(err):
		c.log.Debug("loopback registry speaks plain HTTP", "host", host)
		c.schemes.Store(host, "http")
		return c.send(ctx, method, "http://"+host+path, accept)
	case err == nil:
		c.schemes.Store(host, "https")
	}
	return resp, err
}

// probeKey marks the context of a request that tries HTTPS on a loopback host which may
// speak plain HTTP: its failure is a discovery, not a failed request.
type probeKey struct{}

// isPlainHTTPAnswer reports whether err says the server answered a TLS handshake with
// something that is not TLS: an "HTTP/" status line (net/http's ErrSchemeMismatch) or any
// other bytes where a TLS record header belongs, as containerd's fallback also accepts.
func isPlainHTTPAnswer(err error) bool {
	var rh tls.RecordHeaderError
	return err != nil && (errors.Is(err, http.ErrSchemeMismatch) || errors.As(err, &rh))
}

// maxRedirects bounds the redirects one request follows, as net/http does.
const maxRedirects = 10

// send sends one request and follows redirects. A redirect within the request's origin is
// followed by net/http; one to another origin is followed here, as a new request through the
// auth client, so that the host it lands on is authenticated with its own credentials and
// its own challenge, and the first host's credentials and tokens never reach it.
func (c *Client) send(ctx context.Context, method, target, accept string) (*http.Response, error) {
	for hop := 0; ; hop++ {
		req, err := http.NewRequestWithContext(ctx, method, target, nil)
		if err != nil {
			return nil, err
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := c.http.Do(req)
		if err != nil || !isRedirect(resp.StatusCode) || resp.Header.Get("Location") == "" {
			return resp, err
		}
		loc, err := resp.Location()
		drain(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("redirect from %s: %w", req.URL.Redacted(), err)
		}
		if hop >= maxRedirects {
			return nil, fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		if req.URL.Scheme == "https" && loc.Scheme != "https" && !c.plainHTTP(loc.Host) && !isLoopback(loc.Host) {
			return nil, fmt.Errorf("redirect from %s to %s: refusing to leave HTTPS", req.URL.Redacted(), loc.Redacted())
		}
		c.log.Debug("registry redirected to another host", "from", req.URL.Host, "to", loc.Host)
		if repo, ok := repositoryOf(loc.Path); ok {
			ctx = auth.AppendScopesForHost(ctx, loc.Host, auth.ScopeRepository(repo, auth.ActionPull))
		}
		target = loc.String()
	}
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// stopAtOtherOrigin is the CheckRedirect of the client under oras: redirects of registry API
// requests that leave the first request's origin come back to Client.send, which follows
// them with the new host's authentication. Other redirects (token realms, blob storage
// reached from a same-origin hop) follow net/http's rules.
func stopAtOtherOrigin(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if strings.HasPrefix(first.Path, "/v2/") && (first.Scheme != req.URL.Scheme || first.Host != req.URL.Host) {
		return http.ErrUseLastResponse
	}
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	return nil
}

// scheme returns the URL scheme for host, and whether the answer is a guess to be checked:
// loopback hosts try HTTPS first and remember what worked.
func (c *Client) scheme(host string) (scheme string, probe bool) {
	if c.plainHTTP(host) {
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

// plainHTTP reports whether host ("host:port" or "host") was named in WithPlainHTTP, with or
// without its port.
func (c *Client) plainHTTP(host string) bool {
	return c.plain[host] || c.plain[hostname(host)]
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
