package remote

import (
	"errors"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"

	"github.com/baseflow/baseflow/registry"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"99999999999999", maxRetryAfterSeconds * time.Second, true},
		{"", 0, false},
		{"-3", 0, false},
		{"soon", 0, false},
		{"1.5", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseRetryAfter(tt.in, now)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	now := time.Now()
	b := backoff(100*time.Millisecond, func() time.Time { return now })
	withHeader := func(code int, v string) *http.Response {
		return &http.Response{StatusCode: code, Header: http.Header{"Retry-After": {v}}}
	}
	assert.Equal(t, 5*time.Second, b(0, withHeader(429, "5")))
	assert.Equal(t, 5*time.Second, b(3, withHeader(503, "5")), "Retry-After wins over the exponent")
	for attempt, base := range []time.Duration{100, 200, 400, 800} {
		got := b(attempt, withHeader(500, ""))
		assert.GreaterOrEqual(t, got, base*time.Millisecond*9/10, "attempt %d", attempt)
		assert.LessOrEqual(t, got, base*time.Millisecond*11/10, "attempt %d", attempt)
	}
	got := b(0, withHeader(404, "5"))
	assert.Less(t, got, time.Second, "Retry-After only counts on 429 and 5xx")
	assert.Zero(t, backoff(0, time.Now)(4, nil))
}

func TestRetryable(t *testing.T) {
	t.Parallel()
	resp := func(code int) *http.Response { return &http.Response{StatusCode: code} }
	for code, want := range map[int]bool{200: false, 400: false, 401: false, 403: false, 404: false,
		408: true, 429: true, 500: true, 501: false, 502: true, 503: true, 504: true, 505: false} {
		got, err := retryable(resp(code), nil)
		assert.NoError(t, err)
		assert.Equal(t, want, got, "status %d", code)
	}
	for _, err := range []error{syscall.ECONNRESET, io.ErrUnexpectedEOF, io.EOF, &timeoutError{after: time.Second}} {
		got, perr := retryable(nil, err)
		assert.NoError(t, perr)
		assert.True(t, got, "%v", err)
	}
	permanent := errors.New("x509: certificate signed by unknown authority")
	got, perr := retryable(nil, permanent)
	assert.False(t, got)
	assert.Equal(t, permanent, perr)
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "localhost:5000": true, "registry.localhost:5000": true,
		"127.0.0.1": true, "127.0.0.1:5000": true, "127.1.2.3:80": true, "[::1]:5000": true, "::1": true,
		"10.0.0.1:5000": false, "registry-1.docker.io": false, "mcr.microsoft.com": false, "localhost.example.com": false,
	} {
		assert.Equal(t, want, isLoopback(host), host)
	}
}

func TestScheme(t *testing.T) {
	t.Parallel()
	c := &Client{plain: map[string]bool{"insecure.example:5000": true, "plain.example": true}}
	tests := []struct {
		host   string
		scheme string
		probe  bool
	}{
		{"insecure.example:5000", "http", false},
		{"plain.example:8080", "http", false}, // named without a port: every port
		{"insecure.example", "https", false},
		{"registry-1.docker.io", "https", false},
		{"127.0.0.1:5000", "https", true},
	}
	for _, tt := range tests {
		s, probe := c.scheme(tt.host)
		assert.Equal(t, tt.scheme, s, tt.host)
		assert.Equal(t, tt.probe, probe, tt.host)
	}
	c.schemes.Store("127.0.0.1:5000", "http")
	s, probe := c.scheme("127.0.0.1:5000")
	assert.Equal(t, "http", s)
	assert.False(t, probe)
}

func TestApiHost(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "registry-1.docker.io", apiHost("docker.io"))
	assert.Equal(t, "mcr.microsoft.com", apiHost("mcr.microsoft.com"))
	assert.Equal(t, "127.0.0.1:5000", apiHost("127.0.0.1:5000"))
}

func TestVerify(t *testing.T) {
	t.Parallel()
	body := []byte(`{"schemaVersion":2}`)
	d := digest.FromBytes(body)
	sha512 := digest.SHA512.FromBytes(body)
	r := registry.Ref{Domain: "x.io", Path: "a", Tag: "1"}
	tests := []struct {
		name   string
		header string
		pinned digest.Digest
		want   digest.Digest
		fails  bool
	}{
		{"no header", "", "", d, false},
		{"matching header", d.String(), "", d, false},
		{"sha512 header", sha512.String(), "", sha512, false},
		{"mismatching header", digest.FromString("x").String(), "", "", true},
		{"malformed header", "sha256:zz", "", "", true},
		{"matching pin", "", d, d, false},
		{"mismatching pin", d.String(), digest.FromString("x"), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := verify(r, tt.header, tt.pinned, body)
			if tt.fails {
				assert.Equal(t, registry.InvalidResponse, registry.KindOf(err))
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestManifestMediaType(t *testing.T) {
	t.Parallel()
	assert.Equal(t, registry.MediaTypeDockerManifestList,
		manifestMediaType(registry.MediaTypeDockerManifestList+"; charset=utf-8", nil))
	assert.Equal(t, registry.MediaTypeDockerManifest,
		manifestMediaType("application/json", []byte(`{"mediaType":"`+registry.MediaTypeDockerManifest+`"}`)))
	assert.Equal(t, "application/vnd.oci.image.index.v1+json", manifestMediaType("", []byte(`{"manifests":[]}`)))
	assert.Equal(t, "application/vnd.oci.image.manifest.v1+json", manifestMediaType("", []byte(`{"config":{}}`)))
}
