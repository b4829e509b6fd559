package reliability_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	baseflow "github.com/baseflow/baseflow"
	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/dispatchtest"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
	"github.com/baseflow/baseflow/subscription"
)

// The registry client's limits in these tests: small, so that giving up is quick.
const (
	maxRetries     = 2
	retryBackoff   = 5 * time.Millisecond
	maxRetryWait   = 40 * time.Millisecond
	requestTimeout = 300 * time.Millisecond
)

// waitBound is the longest a check of refs references may take under the limits above, with
// every attempt timing out and every wait at its cap: per reference, a token request, a HEAD
// and a GET, each tried maxRetries+1 times by the transport, inside up to maxRetries+1
// fetches of a body cut short. It is a safety bound against retrying without end, far above
// what a check takes.
func waitBound(refs int) time.Duration {
	attempts := time.Duration((maxRetries + 1) * (maxRetries + 1))
	perRef := 3 * attempts * (requestTimeout + maxRetryWait)
	return time.Duration(refs)*perRef + 5*time.Second
}

var (
	linuxAMD64 = registry.Platform{OS: "linux", Architecture: "amd64"}
	linuxARM64 = registry.Platform{OS: "linux", Architecture: "arm64"}
)

// faultFixture is a loopback registry holding library/alpha:1.0 (a two-platform index) and
// library/beta:1.0 (one image), the fault proxy in front of it, and the test application
// built on both through the proxy: image-info records alpha's current digest (src/a is up to
// date) and an old digest for beta (src/b is stale).
type faultFixture struct {
	proxy        *faultProxy
	alpha, beta  digest.Digest
	clientOpts   []remote.Option
	registryHost string
}

func newFaultFixture(t *testing.T, regOpts []registrytest.Option, rules ...rule) *faultFixture {
	t.Helper()
	reg := registrytest.New(regOpts...)
	t.Cleanup(reg.Close)
	idx, err := reg.PushIndex("library/alpha", "1.0", ocispec.MediaTypeImageIndex, linuxAMD64, linuxARM64)
	require.NoError(t, err)
	beta, err := reg.PushImage("library/beta", "1.0", linuxAMD64)
	require.NoError(t, err)
	return &faultFixture{proxy: newFaultProxy(t, reg.URL(), rules...), alpha: idx.Digest, beta: beta, registryHost: reg.Host()}
}

func (f *faultFixture) source() *memSource {
	h := f.proxy.Host()
	return appSource(
		from("a", h+"/library/alpha:1.0", h+"/library/alpha@"+f.alpha.String()),
		from("b", h+"/library/beta:1.0", h+"/library/beta@sha256:"+zeros))
}

func (f *faultFixture) client(t *testing.T, opts ...remote.Option) *remote.Client {
	t.Helper()
	c, err := remote.New(append([]remote.Option{
		remote.WithPlainHTTP(f.proxy.Host()),
		remote.WithMaxRetries(maxRetries), remote.WithBackoff(retryBackoff),
		remote.WithMaxRetryWait(maxRetryWait), remote.WithRequestTimeout(requestTimeout),
		remote.WithDockerConfig(t.TempDir()), // no credentials from the machine
	}, opts...)...)
	require.NoError(t, err)
	return c
}

// check runs the whole stale-image check of the application through the proxy.
func (f *faultFixture) check(t *testing.T, c *remote.Client) (*check.SubscriptionResult, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*waitBound(2))
	defer cancel()
	start := time.Now()
	r := newChecker(f.source(), c).CheckOne(ctx, appSubscription)
	return r, time.Since(start)
}

// assertRightDigests checks a check that got through: alpha's recorded digest is current,
// beta moved, so exactly src/b is stale, with the digests the registry holds.
func (f *faultFixture) assertRightDigests(t *testing.T, r *check.SubscriptionResult) {
	t.Helper()
	require.NoError(t, r.Err)
	require.NotNil(t, r.Stale)
	require.Len(t, r.Stale.Checks, 2)
	h := f.proxy.Host()
	a, b := r.Stale.Checks[0], r.Stale.Checks[1]
	assert.Equal(t, h+"/library/alpha@"+f.alpha.String(), a.Current)
	assert.False(t, a.Stale)
	assert.Equal(t, h+"/library/beta@"+f.beta.String(), b.Current)
	assert.True(t, b.Stale)
	assert.Equal(t, []string{"src/b"}, r.Paths())
	assert.Equal(t, check.StatusStale, r.Status())
}

// assertFailedLookups checks that the lookups of the platforms at failed (indexes into
// Checks) failed with kind, and that the check decided nothing about them: neither stale nor
// current, the subscription failed and not up to date, in the result and in the report.
func assertFailedLookups(t *testing.T, r *check.SubscriptionResult, kind registry.Kind, failed ...int) {
	t.Helper()
	require.Error(t, r.Err)
	require.NotNil(t, r.Stale)
	for _, i := range failed {
		c := r.Stale.Checks[i]
		if assert.Error(t, c.Err, "check of %s", c.Ref) {
			assert.Equal(t, kind, registry.KindOf(c.Err), "check of %s: %v", c.Ref, c.Err)
		}
		assert.False(t, c.Stale, "a failed lookup marked %s stale", c.Platform.Dockerfile)
		assert.Empty(t, c.Current, "a failed lookup gave %s a current digest", c.Platform.Dockerfile)
		assert.NotContains(t, r.Paths(), c.Platform.Dockerfile)
		assert.Contains(t, r.Err.Error(), c.Ref, "the error names the reference")
	}
	assert.Equal(t, check.StatusFailed, r.Status())
	rep := check.NewReport([]*check.SubscriptionResult{r}, nil)
	assert.Equal(t, check.StatusFailed, rep.Subscriptions[0].Status)
	for _, i := range failed {
		assert.Contains(t, rep.Subscriptions[0].Error, r.Stale.Checks[i].Ref)
		assert.NotEmpty(t, rep.Subscriptions[0].Bases[i].Error)
		assert.Empty(t, rep.Subscriptions[0].Bases[i].Digest)
	}
}

// perRepo breaks the first n manifest requests (of the given methods, or all) of each base
// repository, so that every lookup meets the fault n times.
func perRepo(name string, n int, f fault, methods ...string) []rule {
	var rules []rule
	for _, repo := range []string{"library/alpha", "library/beta"} {
		rules = append(rules, rule{name: name, match: manifestsOf(repo, methods...), times: n, fault: f})
	}
	return rules
}

func TestRegistryFaultsDuringCheck(t *testing.T) {
	t.Parallel()
	const user, pass = "puller", "registry-password-5f1c"
	tokenAuth := []registrytest.Option{registrytest.WithTokenAuth(user, pass)}
	everyManifest := anyManifest()
	heads := anyManifest(http.MethodHead)
	gets := anyManifest(http.MethodGet)

	tests := []struct {
		name     string
		regOpts  []registrytest.Option
		withAuth bool
		rules    []rule
		// wantKind is the kind every lookup fails with; Other means the check succeeds.
		wantKind registry.Kind
		// then checks what the client and the proxy saw.
		then func(t *testing.T, f *faultFixture, st remote.Stats)
	}{
		{
			name:  "429 without Retry-After, then served",
			rules: perRepo("429", maxRetries, status(http.StatusTooManyRequests), http.MethodHead),
			then: func(t *testing.T, f *faultFixture, st remote.Stats) {
				assert.Equal(t, 2*maxRetries, st.Retries)
			},
		},
		{
			name:  "429 with Retry-After over the cap, then served",
			rules: perRepo("429 retry-after 30", 1, status(http.StatusTooManyRequests, "Retry-After", "30"), http.MethodHead),
			then: func(t *testing.T, f *faultFixture, st remote.Stats) {
				assert.Equal(t, 2, st.Retries)
				assert.Equal(t, 2*maxRetryWait, st.RetryWait, "Retry-After: 30 is capped at the configured wait")
			},
		},
		{
			name:     "429 for ever",
			rules:    []rule{{name: "429", match: everyManifest, times: -1, fault: status(http.StatusTooManyRequests, "Retry-After", "1")}},
			wantKind: registry.RateLimited,
			then: func(t *testing.T, f *faultFixture, st remote.Stats) {
				assert.Equal(t, maxRetries+1, f.proxy.count("HEAD", "library/alpha"), "tries once plus the configured retries")
				assert.LessOrEqual(t, st.RetryWait, 2*maxRetries*maxRetryWait)
			},
		},
		{name: "500 burst", rules: perRepo("500", maxRetries, status(http.StatusInternalServerError))},
		{name: "502 burst", rules: perRepo("502", maxRetries, status(http.StatusBadGateway))},
		{name: "503 burst", rules: perRepo("503", maxRetries, status(http.StatusServiceUnavailable, "Retry-After", "0"))},
		{
			name:     "503 for ever",
			rules:    []rule{{name: "503", match: everyManifest, times: -1, fault: status(http.StatusServiceUnavailable)}},
			wantKind: registry.Unavailable,
			then: func(t *testing.T, f *faultFixture, st remote.Stats) {
				assert.Equal(t, maxRetries+1, f.proxy.count("HEAD", "library/beta"))
			},
		},
		{
			name:     "502 for ever with a body error",
			rules:    []rule{{name: "502", match: everyManifest, times: -1, fault: status(http.StatusBadGateway)}},
			wantKind: registry.Unavailable,
		},
		{name: "connection reset before the response, twice", rules: perRepo("reset", maxRetries, resetBeforeResponse)},
		{
			name:     "connection reset before the response, for ever",
			rules:    []rule{{name: "reset", match: everyManifest, times: -1, fault: resetBeforeResponse}},
			wantKind: registry.Network,
		},
		{
			name: "connection reset in the middle of a manifest body",
			rules: append(perRepo("reset mid-body", 1, resetMidBody, http.MethodGet),
				rule{name: "no digest header", match: heads, times: -1, fault: noDigestHeader}),
			then: func(t *testing.T, f *faultFixture, st remote.Stats) {
				// By tag: the GET by digest that follows compares the moved base's platforms.
				assert.Equal(t, 4, f.proxy.count("GET", "/manifests/1.0"), "each cut body fetched again")
			},
		},
		{
			name: "connection reset in the middle of every manifest body",
			rules: []rule{
				{name: "reset mid-body", match: gets, times: -1, fault: resetMidBody},
				{name: "no digest header", match: heads, times: -1, fault: noDigestHeader},
			},
			wantKind: registry.Network,
		},
		{
			name:  "a response that never ends, once",
			rules: perRepo("hang", 1, neverEnds, http.MethodHead),
		},
		{
			name:     "responses that never end",
			rules:    []rule{{name: "hang", match: heads, times: -1, fault: neverEnds}},
			wantKind: registry.Network,
			then: func(t *testing.T, f *faultFixture, st remote.Stats) {
				assert.Equal(t, maxRetries+1, f.proxy.count("HEAD", "library/alpha"), "each attempt ends at the request timeout")
			},
		},
		{
			name: "manifest bodies that never end",
			rules: []rule{
				{name: "hang mid-body", match: gets, times: -1, fault: neverEnds},
				{name: "no digest header", match: heads, times: -1, fault: noDigestHeader},
			},
			wantKind: registry.Network,
		},
		{
			name: "wrong Docker-Content-Digest on GET",
			rules: []rule{
				{name: "wrong digest", match: everyManifest, times: -1, fault: wrongDigestOnGet},
			},
			wantKind: registry.InvalidResponse,
			then: func(t *testing.T, f *faultFixture, st remote.Stats) {
				assert.Equal(t, 1, f.proxy.count("GET", "library/alpha"), "a digest mismatch is not retried")
			},
		},
		{
			name:     "manifest body altered on the way",
			rules:    []rule{{name: "tampered", match: everyManifest, times: -1, fault: tamperedBody}},
			wantKind: registry.InvalidResponse,
		},
		{
			name:     "token endpoint fails twice",
			regOpts:  tokenAuth,
			withAuth: true,
			rules:    []rule{{name: "token 500", match: tokenEndpoint, times: maxRetries, fault: status(http.StatusInternalServerError)}},
		},
		{
			name:     "token endpoint fails for ever",
			regOpts:  tokenAuth,
			withAuth: true,
			rules:    []rule{{name: "token 503", match: tokenEndpoint, times: -1, fault: status(http.StatusServiceUnavailable)}},
			wantKind: registry.Unavailable,
		},
		{
			name:     "token endpoint refuses the credentials",
			regOpts:  tokenAuth,
			withAuth: true,
			rules:    []rule{{name: "token 401", match: tokenEndpoint, times: -1, fault: status(http.StatusUnauthorized)}},
			wantKind: registry.Unauthorized,
			then: func(t *testing.T, f *faultFixture, st remote.Stats) {
				assert.Equal(t, 0, st.Retries, "a refusal is not retried")
			},
		},
		{
			name:     "token endpoint never answers",
			regOpts:  tokenAuth,
			withAuth: true,
			rules:    []rule{{name: "token hang", match: tokenEndpoint, times: -1, fault: neverEnds}},
			wantKind: registry.Network,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFaultFixture(t, tt.regOpts, tt.rules...)
			var opts []remote.Option
			if tt.withAuth {
				opts = append(opts, remote.WithCredential(f.proxy.Host(), user, pass))
			}
			c := f.client(t, opts...)
			r, elapsed := f.check(t, c)
			t.Logf("%d faults injected; requests: %s", f.proxy.Injected(), strings.Join(f.proxy.Requests(), ", "))

			assert.Positive(t, f.proxy.Injected(), "the fault was injected")
			assert.Less(t, elapsed, waitBound(2), "the check's waits are bounded by the configured limits")
			st := c.Stats()
			assert.LessOrEqual(t, st.RetryWait, time.Duration(st.Retries)*maxRetryWait)
			if tt.wantKind == registry.Other {
				f.assertRightDigests(t, r)
			} else {
				assertFailedLookups(t, r, tt.wantKind, 0, 1)
				assert.Empty(t, r.Paths(), "no platform is stale on a failed lookup")
			}
			if tt.then != nil {
				tt.then(t, f, st)
			}
		})
	}
}

// TestRetryAfterIsHonoured checks that a Retry-After under the cap is waited for in full.
func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	f := newFaultFixture(t, nil, rule{name: "429 retry-after 1", match: manifestsOf("library/beta", http.MethodHead), times: 1,
		fault: status(http.StatusTooManyRequests, "Retry-After", "1")})
	c := f.client(t, remote.WithMaxRetryWait(5*time.Second))
	r, _ := f.check(t, c)
	f.assertRightDigests(t, r)
	st := c.Stats()
	assert.Equal(t, 1, st.Retries)
	assert.Equal(t, time.Second, st.RetryWait)
}

// TestOneBaseFailsTheOtherIsDecided checks a partial failure: the base whose lookups fail is
// reported failed and decided neither way, while the other base is still checked with its
// right digest, and the subscription as a whole is failed, not stale nor up to date.
func TestOneBaseFailsTheOtherIsDecided(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		repo   string
		failed int
		fault  fault
	}{
		{name: "up-to-date base fails", repo: "library/alpha", failed: 0, fault: status(http.StatusServiceUnavailable)},
		{name: "moved base fails", repo: "library/beta", failed: 1, fault: status(http.StatusServiceUnavailable)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFaultFixture(t, nil, rule{name: "503", match: manifestsOf(tt.repo), times: -1, fault: tt.fault})
			r, _ := f.check(t, f.client(t))
			t.Logf("%d faults injected; requests: %s", f.proxy.Injected(), strings.Join(f.proxy.Requests(), ", "))
			assertFailedLookups(t, r, registry.Unavailable, tt.failed)
			h := f.proxy.Host()
			other := r.Stale.Checks[1-tt.failed]
			require.NoError(t, other.Err)
			if tt.failed == 0 {
				assert.Equal(t, h+"/library/beta@"+f.beta.String(), other.Current)
				assert.True(t, other.Stale)
				assert.Equal(t, []string{"src/b"}, r.Paths(), "the stale path found is kept")
			} else {
				assert.Equal(t, h+"/library/alpha@"+f.alpha.String(), other.Current)
				assert.False(t, other.Stale)
				assert.Empty(t, r.Paths())
			}
		})
	}
}

// TestFailedLookupIsNotQueued runs baseflow.Check with a dispatcher: the stale path is queued,
// the platform whose base could not be looked up is not, and the outcome is failed.
func TestFailedLookupIsNotQueued(t *testing.T) {
	t.Parallel()
	f := newFaultFixture(t, nil, rule{name: "reset", match: manifestsOf("library/alpha"), times: -1, fault: resetBeforeResponse})
	rec := dispatchtest.NewRecorder()
	out, err := baseflow.Check(t.Context(), baseflow.Config{
		Subscriptions: []subscription.Subscription{appSubscription},
		Checker:       newChecker(f.source(), f.client(t)),
		Dispatcher:    &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: rec}},
	})
	require.NoError(t, err)
	t.Logf("%d faults injected; requests: %s", f.proxy.Injected(), strings.Join(f.proxy.Requests(), ", "))
	assert.True(t, out.Failed())
	assertFailedLookups(t, out.Results[0], registry.Network, 0)
	queued := rec.Queued()
	require.Len(t, queued, 1)
	assert.Equal(t, "--path 'src/b'", queued[0].Value)
}

// TestRegistryFaultsAgainstDistribution puts the fault proxy in front of the CNCF
// distribution registry (Debian's docker-registry): a 503, a reset, a 429 and a hang are
// survived with the right digests; 503 for ever and a wrong digest on GET fail the lookups.
func TestRegistryFaultsAgainstDistribution(t *testing.T) {
	t.Parallel()
	d := registrytest.StartDistribution(t, registrytest.DistributionOptions{})
	ctx := t.Context()
	alphaTarget, err := d.Target("library/alpha")
	require.NoError(t, err)
	idx, err := registrytest.PushRandomIndex(ctx, alphaTarget, "1.0", ocispec.MediaTypeImageIndex, linuxAMD64, linuxARM64)
	require.NoError(t, err)
	betaTarget, err := d.Target("library/beta")
	require.NoError(t, err)
	beta, err := registrytest.PushRandomImage(ctx, betaTarget, "1.0", linuxAMD64)
	require.NoError(t, err)

	for _, tt := range []struct {
		name     string
		rules    []rule
		wantKind registry.Kind
	}{
		{name: "503 then reset", rules: append(perRepo("503", 1, status(http.StatusServiceUnavailable)), perRepo("reset", 1, resetBeforeResponse)...)},
		{name: "429 then a response that never ends", rules: append(perRepo("429", 1, status(http.StatusTooManyRequests)), perRepo("hang", 1, neverEnds)...)},
		{name: "503 for ever", rules: perRepo("503", -1, status(http.StatusServiceUnavailable)), wantKind: registry.Unavailable},
		{name: "wrong digest on GET", rules: []rule{{name: "wrong digest", match: anyManifest(), times: -1, fault: wrongDigestOnGet}}, wantKind: registry.InvalidResponse},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &faultFixture{proxy: newFaultProxy(t, "http://"+d.Host, tt.rules...), alpha: idx.Digest, beta: beta.Digest, registryHost: d.Host}
			c := f.client(t)
			r, elapsed := f.check(t, c)
			t.Logf("%d faults injected; requests: %s", f.proxy.Injected(), strings.Join(f.proxy.Requests(), ", "))
			assert.Positive(t, f.proxy.Injected())
			assert.Less(t, elapsed, waitBound(2))
			if tt.wantKind == registry.Other {
				f.assertRightDigests(t, r)
			} else {
				assertFailedLookups(t, r, tt.wantKind, 0, 1)
			}
		})
	}
}
