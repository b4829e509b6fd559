package githubsource

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/subscription/githubsource/githubtest"
)

func TestRetryDecide(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	p := retryPolicy{maxRetries: 3, initialBackoff: time.Second, maxWait: time.Minute}
	tests := []struct {
		name    string
		attempt int
		status  int
		header  http.Header
		want    time.Duration
		retry   bool
	}{
		{name: "503 backoff", status: 503, want: time.Second, retry: true},
		{name: "500 second retry doubles", attempt: 1, status: 500, want: 2 * time.Second, retry: true},
		{name: "502 third retry", attempt: 2, status: 502, want: 4 * time.Second, retry: true},
		{name: "out of retries", attempt: 3, status: 503},
		{name: "429 Retry-After seconds", status: 429, header: http.Header{"Retry-After": {"7"}}, want: 7 * time.Second, retry: true},
		{
			name: "Retry-After date", status: 503, want: 30 * time.Second, retry: true,
			header: http.Header{"Retry-After": {now.Add(30 * time.Second).Format(http.TimeFormat)}},
		},
		{name: "Retry-After over the limit", status: 503, header: http.Header{"Retry-After": {"61"}}, want: 61 * time.Second},
		{
			name: "rate limit reset", status: 403, want: 11 * time.Second, retry: true,
			header: http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {strconv.FormatInt(now.Unix()+10, 10)}},
		},
		{
			name: "rate limit reset too far", status: 403,
			header: http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {strconv.FormatInt(now.Unix()+3600, 10)}},
			want:   3601 * time.Second,
		},
		{name: "secondary rate limit", status: 403, header: http.Header{"Retry-After": {"5"}}, want: 5 * time.Second, retry: true},
		{name: "403 forbidden", status: 403},
		{name: "404", status: 404},
		{name: "401", status: 401},
		{name: "501", status: 501},
		{name: "422", status: 422},
	}
	for _, tt := range tests {
		resp := &http.Response{StatusCode: tt.status, Header: tt.header}
		if resp.Header == nil {
			resp.Header = http.Header{}
		}
		wait, retry := p.decide(tt.attempt, resp, now)
		assert.Equal(t, tt.retry, retry, tt.name)
		if tt.retry || tt.want != 0 {
			assert.Equal(t, tt.want, wait, tt.name)
		}
	}
	assert.Equal(t, time.Minute, p.backoff(10), "backoff is capped")
}

func TestRetryWaits(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	answers := []func(w http.ResponseWriter){
		func(w http.ResponseWriter) { w.Header().Set("Retry-After", "7"); w.WriteHeader(429) },
		func(w http.ResponseWriter) { w.WriteHeader(503) },
		func(w http.ResponseWriter) { w.WriteHeader(502) },
		func(w http.ResponseWriter) { w.Write([]byte(`{"sha":"x","tree":[]}`)) },
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		answer := answers[0]
		answers = answers[1:]
		mu.Unlock()
		answer(w)
	}))
	defer srv.Close()

	s, err := New(WithBaseURL(srv.URL), WithBackoff(2*time.Second, time.Minute), WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	defer s.Close()
	var waits []time.Duration
	s.sleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	}
	_, err = s.fetchTree(t.Context(), "/repos/a/b/git/trees/main")
	require.NoError(t, err)
	// Retry-After, then the backoff for the second and third tries.
	assert.Equal(t, []time.Duration{7 * time.Second, 4 * time.Second, 8 * time.Second}, waits)
}

func TestSleepContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, sleepContext(ctx, time.Hour), context.Canceled)
	assert.NoError(t, sleepContext(t.Context(), 0))
}

func TestFetchBlobEncodings(t *testing.T) {
	t.Parallel()
	blobs := map[string]string{
		"utf8":     `{"sha":"utf8","size":6,"encoding":"utf-8","content":"héllo"}`,
		"base64":   `{"sha":"base64","size":5,"encoding":"base64","content":"aGVs\nbG8=\n"}`,
		"unknown":  `{"sha":"unknown","size":5,"encoding":"rot13","content":"uryyb"}`,
		"badsize":  `{"sha":"badsize","size":9,"encoding":"base64","content":"aGVsbG8="}`,
		"badbase":  `{"sha":"badbase","size":5,"encoding":"base64","content":"!!!"}`,
		"notajson": `<html>`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(blobs[r.URL.Path[len("/repos/a/b/git/blobs/"):]]))
	}))
	defer srv.Close()
	s, err := New(WithBaseURL(srv.URL), WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	defer s.Close()
	ref := repoRef{owner: "a", repo: "b", branch: "main"}

	data, err := s.fetchBlob(t.Context(), ref, "utf8")
	require.NoError(t, err)
	assert.Equal(t, "héllo", string(data))
	data, err = s.fetchBlob(t.Context(), ref, "base64")
	require.NoError(t, err)
	assert.Equal(t, "hello", string(data))
	_, err = s.fetchBlob(t.Context(), ref, "unknown")
	assert.ErrorContains(t, err, `unknown encoding "rot13"`)
	_, err = s.fetchBlob(t.Context(), ref, "badsize")
	assert.ErrorContains(t, err, "5 bytes decoded, size is 9")
	_, err = s.fetchBlob(t.Context(), ref, "badbase")
	assert.ErrorContains(t, err, "illegal base64")
	_, err = s.fetchBlob(t.Context(), ref, "notajson")
	assert.ErrorContains(t, err, "decode answer")
}

func TestErrorsHideBaseURLCredentials(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		w.Write([]byte(`{"message":"short and stout"}`))
	}))
	defer srv.Close()
	base := "http://user:pa55word@" + srv.Listener.Addr().String() + "/api/v3"
	s, err := New(WithBaseURL(base), WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	defer s.Close()
	_, err = s.fetchTree(t.Context(), "/repos/a/b/git/trees/main")
	require.Error(t, err)
	assert.Equal(t, "GET "+srv.URL+"/api/v3/repos/a/b/git/trees/main: 418 I'm a teapot: short and stout", err.Error())
}

func TestRetryCancelled(t *testing.T) {
	t.Parallel()
	srv := githubtest.NewServer()
	defer srv.Close()
	srv.SetBranch("acme", "app", "main", map[string]githubtest.File{"manifest.json": {Content: "{}"}})
	srv.FailNext(1, http.StatusServiceUnavailable, nil)
	s, err := New(WithBaseURL(srv.URL), WithBackoff(time.Hour, 2*time.Hour), WithHTTPClient(&http.Client{}))
	require.NoError(t, err)
	defer s.Close()
	waiting := make(chan time.Duration, 1)
	s.sleep = func(ctx context.Context, d time.Duration) error {
		waiting <- d
		return sleepContext(ctx, d)
	}

	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		_, err := s.ReadFile(ctx, "acme", "app", "main", "manifest.json")
		errc <- err
	}()
	assert.Equal(t, time.Hour, <-waiting)
	cancel()
	err = <-errc
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "503 Service Unavailable", "the failure being retried is named")

	// The cancelled request is not cached.
	data, err := s.ReadFile(t.Context(), "acme", "app", "main", "manifest.json")
	require.NoError(t, err)
	assert.Equal(t, "{}", string(data))
	assert.Empty(t, srv.Errors())
}
