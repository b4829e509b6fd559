package githubsource

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/githubtest"
)

func TestRetryWaits(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	answers := []func(w http.ResponseWriter){
		func(w http.ResponseWriter) { w.Header().Set("Retry-After", "7"); w.WriteHeader(429) },
		func(w http.ResponseWriter) { w.WriteHeader(503) },
		func(w http.ResponseWriter) { w.WriteHeader(502) },
		func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Write([]byte(`{"sha":"x","tree":[]}`))
		},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		answer := answers[0]
		answers = answers[1:]
		mu.Unlock()
		answer(w)
	}))
	defer srv.Close()

	s, err := New(WithBaseURL(srv.URL), WithBackoff(2*time.Second), WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	defer s.Close()
	var waits []time.Duration
	s.api.Sleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	}
	_, err = s.fetchTree(t.Context(), "/repos/a/b/git/trees/main")
	require.NoError(t, err)
	// Retry-After, then the backoff (±10%) for the second and third tries.
	require.Len(t, waits, 3)
	assert.Equal(t, 7*time.Second, waits[0])
	assert.InDelta(t, float64(4*time.Second), float64(waits[1]), float64(400*time.Millisecond))
	assert.InDelta(t, float64(8*time.Second), float64(waits[2]), float64(800*time.Millisecond))
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
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
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
	assert.ErrorContains(t, err, "decode response")
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
	srv := githubtest.NewServer(t)
	srv.SetBranch("acme", "app", "main", map[string]githubtest.File{"manifest.json": {Content: "{}"}})
	srv.FailNextWith("", http.StatusServiceUnavailable, 1, nil)
	s, err := New(WithBaseURL(srv.URL), WithBackoff(time.Hour), WithMaxRetryWait(2*time.Hour), WithHTTPClient(&http.Client{}))
	require.NoError(t, err)
	defer s.Close()
	waiting := make(chan time.Duration, 1)
	s.api.Sleep = func(ctx context.Context, d time.Duration) error {
		waiting <- d
		<-ctx.Done()
		return ctx.Err()
	}

	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		_, err := s.ReadFile(ctx, "acme", "app", "main", "manifest.json")
		errc <- err
	}()
	assert.InDelta(t, float64(time.Hour), float64(<-waiting), float64(6*time.Minute))
	cancel()
	err = <-errc
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "503 Service Unavailable", "the failure being retried is named")

	// The cancelled request is not cached.
	data, err := s.ReadFile(t.Context(), "acme", "app", "main", "manifest.json")
	require.NoError(t, err)
	assert.Equal(t, "{}", string(data))
	assert.Empty(t, srv.Violations())
}
