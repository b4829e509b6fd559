package remote_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
)

func TestClientRetriesTransientFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		failures int32
		fault    http.HandlerFunc
		opts     []remote.Option
		// wait is the total wait the client must have decided on; 0 means "check min/max".
		wait, min, max time.Duration
	}{
		{name: "429 with Retry-After", failures: 1, fault: status(429, "Retry-After", "1"), wait: time.Second},
		{name: "429 with Retry-After over the cap", failures: 1, fault: status(429, "Retry-After", "120"),
			opts: []remote.Option{remote.WithMaxRetryWait(20 * time.Millisecond)}, wait: 20 * time.Millisecond},
		{name: "429 with Retry-After as a date", failures: 1,
			fault: status(429, "Retry-After", time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)), wait: 0, max: 0},
		{name: "429 without Retry-After", failures: 1, fault: status(429),
			opts: []remote.Option{remote.WithBackoff(10 * time.Millisecond)}, min: 9 * time.Millisecond, max: 11 * time.Millisecond},
		{name: "503 burst", failures: 3, fault: status(503),
			opts: []remote.Option{remote.WithBackoff(2 * time.Millisecond)}, min: (2 + 4 + 8) * 9 * time.Millisecond / 10, max: (2 + 4 + 8) * 11 * time.Millisecond / 10},
		{name: "503 with Retry-After", failures: 2, fault: status(503, "Retry-After", "0"), wait: 0, max: 0},
		{name: "502", failures: 1, fault: status(502), min: 0, max: 2 * time.Millisecond},
		{name: "408", failures: 1, fault: status(408), min: 0, max: 2 * time.Millisecond},
		{name: "connection reset", failures: 2, fault: reset, min: 0, max: 4 * time.Millisecond},
		{name: "no answer within the request timeout", failures: 1, fault: hang,
			opts: []remote.Option{remote.WithRequestTimeout(100 * time.Millisecond)}, min: 0, max: 2 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fault := &firstN{n: tt.failures, match: isManifestRequest, fault: tt.fault}
			srv := newServer(t, registrytest.WithMiddleware(fault.middleware))
			want, err := srv.PushIndex("x", "1", ocispec.MediaTypeImageIndex, amd64)
			require.NoError(t, err)
			c := newClient(t, append([]remote.Option{remote.WithPlainHTTP(srv.Host())}, tt.opts...)...)

			d, err := c.Digest(context.Background(), srv.Ref("x", "1"))
			require.NoError(t, err)
			assert.Equal(t, want.Digest, d)
			assert.Equal(t, int(tt.failures)+1, srv.CountRequests(manifests("HEAD")), "failed attempts and the good one")
			st := c.Stats()
			assert.Equal(t, int(tt.failures), st.Retries)
			if tt.wait != 0 {
				assert.Equal(t, tt.wait, st.RetryWait)
			} else {
				assert.GreaterOrEqual(t, st.RetryWait, tt.min)
				assert.LessOrEqual(t, st.RetryWait, tt.max)
			}
		})
	}
}

func TestClientGivesUpAfterMaxRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fault  http.HandlerFunc
		kind   registry.Kind
		status int
	}{
		{"429", status(429), registry.RateLimited, 429},
		{"503", status(503), registry.Unavailable, 503},
		{"reset", reset, registry.Network, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, registrytest.WithMiddleware(always(isManifestRequest, tt.fault)))
			c := newClient(t, remote.WithPlainHTTP(srv.Host()), remote.WithMaxRetries(2))
			_, err := c.Digest(context.Background(), srv.Ref("x", "1"))
			var re *registry.Error
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.kind, re.Kind)
			assert.Equal(t, tt.status, re.StatusCode)
			assert.True(t, re.Temporary())
			assert.Equal(t, 3, srv.CountRequests(manifests("HEAD")), "one attempt and two retries")
			assert.Equal(t, 2, c.Stats().Retries)
		})
	}
}

func TestClientDoesNotRetryPermanentFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault http.HandlerFunc
		kind  registry.Kind
		code  int
		op    string // the request the error names
		gets  int    // GETs after the HEAD: a 404 or 501 on HEAD is tried once with GET
	}{
		{"401", status(401), registry.Unauthorized, 401, "HEAD", 0},
		{"403", status(403), registry.Forbidden, 403, "HEAD", 0},
		{"404", status(404), registry.NotFound, 404, "HEAD", 1},
		{"400", status(400), registry.Other, 400, "HEAD", 0},
		{"501", status(501), registry.Other, 501, "GET", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, registrytest.WithMiddleware(always(isManifestRequest, tt.fault)))
			c := newClient(t, remote.WithPlainHTTP(srv.Host()))
			_, err := c.Digest(context.Background(), srv.Ref("library/alpine", "3.20"))
			var re *registry.Error
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.kind, re.Kind)
			assert.Equal(t, tt.code, re.StatusCode)
			assert.Equal(t, srv.Ref("library/alpine", "3.20"), re.Ref)
			assert.Equal(t, "registry: "+tt.op+" "+re.Ref+": "+tt.kind.String()+" ("+strconv.Itoa(tt.code)+")", err.Error())
			assert.Equal(t, 1, srv.CountRequests(manifests("HEAD")))
			assert.Equal(t, tt.gets, srv.CountRequests(manifests("GET")))
			assert.Zero(t, c.Stats().Retries)
		})
	}
}

func TestClientRetriesCutBody(t *testing.T) {
	t.Parallel()
	// The first GET sends its headers and half a body, then stalls until the request timeout.
	stall := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"schemaVersion":`))
		http.NewResponseController(w).Flush()
		<-r.Context().Done()
	}
	fault := &firstN{n: 1, match: func(r *http.Request) bool { return isManifestRequest(r) && r.Method == http.MethodGet }, fault: stall}
	srv := newServer(t, registrytest.WithMiddleware(fault.middleware))
	idx, err := srv.PushIndex("x", "1", ocispec.MediaTypeImageIndex, amd64, arm64v8)
	require.NoError(t, err)
	c := newClient(t, remote.WithPlainHTTP(srv.Host()), remote.WithRequestTimeout(100*time.Millisecond))

	d, err := c.PlatformDigest(context.Background(), srv.Ref("x", "1"), arm64)
	require.NoError(t, err)
	assert.Equal(t, idx.PlatformDigest(arm64), d)
	assert.Equal(t, 2, srv.CountRequests(manifests("GET")))
	assert.Equal(t, 1, c.Stats().Retries)
}

func TestClientRequestTimeoutEveryAttempt(t *testing.T) {
	t.Parallel()
	srv := newServer(t, registrytest.WithMiddleware(always(isManifestRequest, hang)))
	c := newClient(t, remote.WithPlainHTTP(srv.Host()), remote.WithRequestTimeout(50*time.Millisecond), remote.WithMaxRetries(1))
	_, err := c.Digest(context.Background(), srv.Ref("x", "1"))
	var re *registry.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, registry.Network, re.Kind)
	assert.ErrorContains(t, err, "no complete response within 50ms")
	assert.Equal(t, 2, srv.CountRequests(manifests("HEAD")))
}

func TestClientWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The registry asks for an hour's pause; the caller gives up after the first answer. If
	// the wait ignored the context, this test would hang until the test binary times out.
	srv := newServer(t, registrytest.WithMiddleware(always(isManifestRequest, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
		cancel()
	})))
	c := newClient(t, remote.WithPlainHTTP(srv.Host()), remote.WithMaxRetryWait(2*time.Hour))
	_, err := c.Digest(ctx, srv.Ref("x", "1"))
	assert.Equal(t, registry.Canceled, registry.KindOf(err))
	assert.True(t, errors.Is(err, context.Canceled))
	assert.Equal(t, 1, srv.CountRequests(manifests("HEAD")))
}

// stallBody answers with headers and the start of a body, then sends nothing more until the
// client goes away.
func stallBody(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", ocispec.MediaTypeImageIndex)
	w.Header().Set("Content-Length", "1000")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(`{"schemaVersion":`))
	http.NewResponseController(w).Flush()
	<-r.Context().Done()
}

// TestClientBodyThatNeverEnds: a manifest body that stops coming is cut at the request
// timeout and fetched again; past the retries the lookup fails as a network time-out, not
// as a canceled lookup.
func TestClientBodyThatNeverEnds(t *testing.T) {
	t.Parallel()
	isGet := func(r *http.Request) bool { return r.Method == http.MethodGet && isManifestRequest(r) }
	fault := &firstN{n: 1, match: isGet, fault: stallBody}
	srv := newServer(t, registrytest.WithMiddleware(fault.middleware))
	want, err := srv.PushIndex("x", "1", ocispec.MediaTypeImageIndex, amd64)
	require.NoError(t, err)
	c := newClient(t, remote.WithPlainHTTP(srv.Host()), remote.WithRequestTimeout(100*time.Millisecond))
	d, err := c.PlatformDigest(context.Background(), srv.Ref("x", "1"), amd64)
	require.NoError(t, err)
	assert.Equal(t, want.PlatformDigest(amd64), d)
	assert.Equal(t, 1, c.Stats().Retries)

	srv = newServer(t, registrytest.WithMiddleware(always(isGet, stallBody)))
	_, err = srv.PushIndex("x", "1", ocispec.MediaTypeImageIndex, amd64)
	require.NoError(t, err)
	c = newClient(t, remote.WithPlainHTTP(srv.Host()), remote.WithRequestTimeout(100*time.Millisecond), remote.WithMaxRetries(1))
	_, err = c.PlatformDigest(context.Background(), srv.Ref("x", "1"), amd64)
	assert.Equal(t, registry.Network, registry.KindOf(err), "%v", err)
	assert.ErrorContains(t, err, "no complete response within 100ms")
}
