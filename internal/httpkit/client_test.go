package httpkit

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/internal/redact"
)

const secret = "tok-SECRET-0123456789"

// testClient returns a client for srv whose sleeps are recorded, not slept.
func testClient(srv *httptest.Server, logs io.Writer) (*Client, *[]time.Duration) {
	var mu sync.Mutex
	var sleeps []time.Duration
	c := &Client{
		BaseURL:  srv.URL + "/api",
		HTTP:     srv.Client(),
		Header:   http.Header{"Authorization": {"Bearer " + secret}},
		Redactor: redact.New(secret),
		Retry:    Retry{MaxRetries: 3, Backoff: 500 * time.Millisecond, MaxWait: time.Minute},
		Logger:   slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Sleep: func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			sleeps = append(sleeps, d)
			return ctx.Err()
		},
	}
	return c, &sleeps
}

func TestGetRetriedAfter503(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "/api/things", r.URL.Path)
		assert.Equal(t, "1", r.URL.Query().Get("x"))
		assert.Equal(t, "Bearer "+secret, r.Header.Get("Authorization"))
		if calls.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, `{"n": 42}`)
	}))
	defer srv.Close()
	var logs bytes.Buffer
	c, sleeps := testClient(srv, &logs)
	var out struct{ N int }
	resp, err := c.Do(context.Background(), http.MethodGet, "/things", url.Values{"x": {"1"}}, nil, &out)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 42, out.N)
	assert.Equal(t, int32(2), calls.Load())
	require.Len(t, *sleeps, 1)
	// First backoff: 500ms ±10%.
	assert.GreaterOrEqual(t, (*sleeps)[0], 450*time.Millisecond)
	assert.LessOrEqual(t, (*sleeps)[0], 550*time.Millisecond)
	assert.Contains(t, logs.String(), "retrying")
	assert.NotContains(t, logs.String(), secret)
}

func TestGetGivesUpAfterAttempts(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	c, sleeps := testClient(srv, io.Discard)
	c.Retry = Retry{MaxRetries: 2, Backoff: time.Second, MaxWait: 3 * time.Second}
	_, err := c.Do(context.Background(), http.MethodGet, "/x", nil, nil, nil)
	var herr *Error
	require.ErrorAs(t, err, &herr)
	assert.Equal(t, 502, herr.StatusCode)
	assert.Equal(t, "GET /api/x: 502 Bad Gateway", err.Error())
	assert.Equal(t, int32(3), calls.Load())
	require.Len(t, *sleeps, 2)
	assert.GreaterOrEqual(t, (*sleeps)[1], 1800*time.Millisecond, "the backoff doubles")
	assert.LessOrEqual(t, (*sleeps)[1], 2200*time.Millisecond)
}

func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		case 2:
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", "0") // in the past: no wait
			w.WriteHeader(http.StatusForbidden)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer srv.Close()
	c, sleeps := testClient(srv, io.Discard)
	resp, err := c.Do(context.Background(), http.MethodGet, "/x", nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, 204, resp.StatusCode)
	assert.Equal(t, []time.Duration{7 * time.Second, time.Second}, *sleeps, "a past reset still waits a second for clock differences")
}

func TestRetryAfterTooLongGivesUp(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c, sleeps := testClient(srv, io.Discard)
	_, err := c.Do(context.Background(), http.MethodGet, "/x", nil, nil, nil)
	require.Error(t, err)
	assert.Equal(t, int32(1), calls.Load())
	assert.Empty(t, *sleeps)
}

func TestServerDelay(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d, ok := serverDelay(http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, now)
	assert.True(t, ok)
	assert.Equal(t, 90*time.Second, d)
	d, ok = serverDelay(http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1767225630"}}, now)
	assert.True(t, ok)
	assert.Equal(t, 31*time.Second, d)
	_, ok = serverDelay(http.Header{"Retry-After": {"soon"}}, now)
	assert.False(t, ok)
}

func TestPostNotRetried(t *testing.T) {
	t.Parallel()
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch} {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			body, _ := io.ReadAll(r.Body)
			assert.JSONEq(t, `{"a":1}`, string(body))
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"$id":"1","message":"TF400898: An Internal Error Occurred.","typeKey":"X"}`)
		}))
		c, sleeps := testClient(srv, io.Discard)
		_, err := c.Do(context.Background(), method, "/builds", nil, map[string]int{"a": 1}, nil)
		srv.Close()
		require.Error(t, err)
		assert.Equal(t, method+" /api/builds: 500 Internal Server Error: TF400898: An Internal Error Occurred.", err.Error())
		assert.Equal(t, int32(1), calls.Load(), method)
		assert.Empty(t, *sleeps)
	}
}

func TestPostRetriedWhenNeverSent(t *testing.T) {
	t.Parallel()
	// A port with nothing listening: the connection is refused, the request never left.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	c := &Client{BaseURL: "http://" + addr, Retry: Retry{MaxRetries: 1}}
	var sleeps int
	c.Sleep = func(context.Context, time.Duration) error { sleeps++; return nil }
	_, err = c.Do(context.Background(), http.MethodPost, "/builds", nil, []byte(`{}`), nil)
	require.Error(t, err)
	assert.True(t, neverSent(err), err.Error())
	assert.Equal(t, 1, sleeps)
	assert.True(t, strings.HasPrefix(err.Error(), "POST /builds: dial tcp "), err.Error())
}

func TestErrorsNeverContainSecrets(t *testing.T) {
	t.Parallel()
	// A hostile or careless server echoes the credentials in its error text.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, "bad credentials: "+r.Header.Get("Authorization")+"\n\n  more   text")
	}))
	defer srv.Close()
	var logs bytes.Buffer
	c, _ := testClient(srv, &logs)
	_, err := c.Do(context.Background(), http.MethodGet, "/x", nil, nil, nil)
	require.Error(t, err)
	assert.Equal(t, "GET /api/x: 401 Unauthorized: bad credentials: Bearer *** more text", err.Error())
	assert.NotContains(t, logs.String(), secret)
}

func TestSignInPageIsAnError(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNonAuthoritativeInfo)
		io.WriteString(w, "<html>Sign in</html>")
	}))
	defer srv.Close()
	c, _ := testClient(srv, io.Discard)
	var out map[string]any
	_, err := c.Do(context.Background(), http.MethodGet, "/x", nil, nil, &out)
	var herr *Error
	require.ErrorAs(t, err, &herr)
	assert.Equal(t, 203, herr.StatusCode)
	assert.Contains(t, err.Error(), "sign-in page")
}

func TestNonJSONResponse(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html/>")
	}))
	defer srv.Close()
	c, _ := testClient(srv, io.Discard)
	var out map[string]any
	_, err := c.Do(context.Background(), http.MethodGet, "/x", nil, nil, &out)
	assert.EqualError(t, err, `GET /api/x: 200 OK: expected a JSON response, got "text/html"`)
}

func TestCanceledWhileWaiting(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	sleeping := make(chan time.Duration, 1)
	c := &Client{BaseURL: srv.URL, HTTP: srv.Client(), Retry: Retry{MaxRetries: 3, Backoff: time.Hour},
		Sleep: func(ctx context.Context, d time.Duration) error {
			sleeping <- d
			<-ctx.Done()
			return ctx.Err()
		}}
	done := make(chan error)
	go func() {
		_, err := c.Do(ctx, http.MethodGet, "/x", nil, nil, nil)
		done <- err
	}()
	assert.InDelta(t, float64(time.Hour), float64(<-sleeping), float64(6*time.Minute))
	cancel()
	err := <-done
	require.ErrorIs(t, err, context.Canceled)
	var herr *Error
	assert.True(t, errors.As(err, &herr), "the last HTTP error is kept")
	assert.Equal(t, int32(1), calls.Load())
}

func TestTrim(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "a b c", trim(" a\n\tb   c ", 10))
	assert.Equal(t, "ééé…", trim("éééé", 3))
}

func TestDefaultSleepStopsWithTheContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	c := &Client{}
	assert.ErrorIs(t, c.sleep(ctx, time.Hour), context.Canceled)
	assert.NoError(t, c.sleep(t.Context(), time.Millisecond))
}
