package httpkit

import (
	"context"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/internal/redact"
)

func TestRetryableStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		header http.Header
		want   bool
	}{
		{408, nil, true}, {429, nil, true}, {500, nil, true}, {502, nil, true}, {503, nil, true}, {504, nil, true}, {520, nil, true},
		{501, nil, false}, {505, nil, false}, {400, nil, false}, {401, nil, false}, {404, nil, false}, {422, nil, false},
		{403, nil, false},
		{403, http.Header{"X-Ratelimit-Remaining": {"0"}}, true},
		{403, http.Header{"Retry-After": {"5"}}, true},
		{403, http.Header{"X-Ratelimit-Remaining": {"12"}}, false},
	}
	for _, tt := range tests {
		h := tt.header
		if h == nil {
			h = http.Header{}
		}
		assert.Equal(t, tt.want, retryableStatus(&http.Response{StatusCode: tt.status, Header: h}), "%d %v", tt.status, tt.header)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	r := Retry{MaxRetries: 10, Backoff: time.Second, MaxWait: 5 * time.Second}
	for range 50 {
		assert.InDelta(t, float64(time.Second), float64(r.backoff(1)), float64(100*time.Millisecond))
		assert.InDelta(t, float64(2*time.Second), float64(r.backoff(2)), float64(200*time.Millisecond))
		assert.InDelta(t, float64(4*time.Second), float64(r.backoff(3)), float64(400*time.Millisecond))
		assert.LessOrEqual(t, r.backoff(4), 5*time.Second, "capped")
		assert.LessOrEqual(t, r.backoff(60), 5*time.Second, "no overflow")
	}
	assert.Equal(t, time.Duration(0), Retry{}.backoff(3))
	assert.True(t, r.tooLong(6*time.Second))
	assert.False(t, r.tooLong(5*time.Second))
	assert.False(t, Retry{}.tooLong(time.Hour), "no cap")
}

func TestServerDelayForms(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
		ok     bool
	}{
		{"seconds", http.Header{"Retry-After": {"7"}}, 7 * time.Second, true},
		{"date", http.Header{"Retry-After": {now.Add(30 * time.Second).Format(http.TimeFormat)}}, 30 * time.Second, true},
		{"date in the past", http.Header{"Retry-After": {now.Add(-time.Minute).Format(http.TimeFormat)}}, 0, true},
		{"reset", http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {strconv.FormatInt(now.Unix()+10, 10)}}, 11 * time.Second, true},
		{"requests left", http.Header{"X-Ratelimit-Remaining": {"3"}, "X-Ratelimit-Reset": {strconv.FormatInt(now.Unix()+10, 10)}}, 0, false},
		{"nothing", http.Header{}, 0, false},
	}
	for _, tt := range tests {
		d, ok := serverDelay(tt.header, now)
		assert.Equal(t, tt.ok, ok, tt.name)
		assert.Equal(t, tt.want, d, tt.name)
	}
}

// TestConnectionErrors: a read that lost its connection is sent again; a POST is not, since
// it may have reached the server.
func TestConnectionErrors(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1)%2 == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			require.NoError(t, err)
			conn.Close() // the request reached the server; the answer never comes
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, HTTP: srv.Client(), Retry: Retry{MaxRetries: 2},
		Sleep: func(context.Context, time.Duration) error { return nil }}

	_, err := c.Do(t.Context(), http.MethodGet, "/x", nil, nil, &struct{}{})
	require.NoError(t, err)
	assert.Equal(t, int32(2), calls.Load())

	calls.Store(0)
	_, err = c.Do(t.Context(), http.MethodPost, "/x", nil, []byte(`{}`), nil)
	require.Error(t, err)
	assert.Equal(t, int32(1), calls.Load(), "a POST that may have arrived is not sent again")
}

func TestUserAgentAndHeaders(t *testing.T) {
	t.Parallel()
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, HTTP: srv.Client(), Header: http.Header{"Accept": {"application/vnd.github+json"}}}
	_, err := c.Do(t.Context(), http.MethodGet, "/x", nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, DefaultUserAgent, got.Get("User-Agent"))
	assert.Equal(t, "application/vnd.github+json", got.Get("Accept"))
	assert.Empty(t, got.Get("Content-Type"), "no body, no Content-Type")

	c.UserAgent = "baseflow-test/1.0"
	_, err = c.Do(t.Context(), http.MethodPost, "/x", nil, map[string]int{"a": 1}, nil)
	require.NoError(t, err)
	assert.Equal(t, "baseflow-test/1.0", got.Get("User-Agent"))
	assert.Equal(t, "application/json", got.Get("Content-Type"))
}

func TestShowHostHidesCredentials(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`)
	}))
	defer srv.Close()
	base := "http://user:pa55word-xyz@" + srv.Listener.Addr().String() + "/api/v3"
	c := &Client{BaseURL: base, HTTP: srv.Client(), ShowHost: true, Redactor: redact.New("pa55word-xyz")}
	_, err := c.Do(t.Context(), http.MethodGet, "/repos/a/b/git/trees/main?recursive=1", nil, nil, nil)
	var herr *Error
	require.ErrorAs(t, err, &herr)
	assert.Equal(t, "http://"+srv.Listener.Addr().String()+"/api/v3/repos/a/b/git/trees/main?recursive=1", herr.URL)
	assert.Equal(t, "Not Found", herr.Message)
	assert.ErrorIs(t, err, fs.ErrNotExist, "a 404 matches fs.ErrNotExist")
	assert.NotContains(t, err.Error(), "pa55word")

	// A transport error names the URL without its credentials too.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	c.BaseURL = "http://user:pa55word-xyz@" + addr
	_, err = c.Do(t.Context(), http.MethodGet, "/x", nil, nil, nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "pa55word")
	assert.Contains(t, err.Error(), "GET http://"+addr+"/x: ")
}

func TestResponseTooLarge(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"content":"`+string(make([]byte, 200))+`"}`)
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, HTTP: srv.Client(), MaxResponseBytes: 100}
	var out map[string]any
	_, err := c.Do(t.Context(), http.MethodGet, "/x", nil, nil, &out)
	assert.EqualError(t, err, "GET /x: 200 OK: response larger than 100 bytes")
}
