package watch_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/watch"
)

// post sends body to the server's path with the given headers and returns the status and
// the reply body.
func post(t *testing.T, srv *httptest.Server, path string, body []byte, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(reply)
}

func bearer(s string) http.Header { return http.Header{"Authorization": {"Bearer " + s}} }

func signed(s string, body []byte) http.Header {
	return http.Header{watch.SignatureHeader: {watch.Sign(s, body)}}
}

// newServer serves a ready watcher of the fixture with the given config changes.
func newServer(t *testing.T, f *fixture, change func(*watch.Config)) (*watch.Watcher, *httptest.Server) {
	t.Helper()
	cfg := f.config()
	if change != nil {
		change(&cfg)
	}
	w := start(t, cfg)
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(srv.Close)
	return w, srv
}

func TestWebhookAuth(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w, srv := newServer(t, f, func(c *watch.Config) { c.Debounce = time.Hour })
	body := readSample(t, "distribution-push.json")

	tests := []struct {
		name   string
		path   string
		header http.Header
		status int
	}{
		{"no secret", "/webhook", nil, http.StatusUnauthorized},
		{"wrong bearer", "/webhook", bearer("not-" + secret), http.StatusUnauthorized},
		{"secret as basic auth", "/webhook", http.Header{"Authorization": {"Basic " + secret}}, http.StatusUnauthorized},
		{"bearer of a prefix", "/webhook", bearer(secret[:5]), http.StatusUnauthorized},
		{"signature with another key", "/webhook", signed("not-"+secret, body), http.StatusUnauthorized},
		{"signature of another body", "/webhook", signed(secret, append([]byte(" "), body...)), http.StatusUnauthorized},
		{"signature without its prefix", "/webhook", http.Header{watch.SignatureHeader: {strings.TrimPrefix(watch.Sign(secret, body), "sha256=")}}, http.StatusUnauthorized},
		{"signature not hex", "/webhook", http.Header{watch.SignatureHeader: {"sha256=zz"}}, http.StatusUnauthorized},
		{"secret in the URL, not allowed", "/webhook?token=" + secret, nil, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		status, reply := post(t, srv, tt.path, body, tt.header)
		assert.Equal(t, tt.status, status, tt.name)
		assert.Contains(t, reply, `"error"`, tt.name)
		assert.NotContains(t, reply, secret, tt.name)
	}
	s := w.Stats()
	assert.Equal(t, int64(len(tests)), s.Rejected[watch.RejectUnauthorized])
	assert.Equal(t, 0, s.Pending, "a refused request changes nothing")
	assert.Zero(t, s.Events[watch.Distribution][watch.KindAccepted])

	status, reply := post(t, srv, "/webhook", body, bearer(secret))
	assert.Equal(t, http.StatusAccepted, status)
	assert.JSONEq(t, `{"accepted": 1, "duplicates": 0, "ignored": 0}`, reply)

	hub := readSample(t, "dockerhub-push.json")
	status, reply = post(t, srv, "/webhook", hub, signed(secret, hub))
	assert.Equal(t, http.StatusAccepted, status)
	assert.JSONEq(t, `{"accepted": 1, "duplicates": 0, "ignored": 0}`, reply)

	status, reply = post(t, srv, "/webhook", body, http.Header{"Authorization": {"bearer " + secret}})
	assert.Equal(t, http.StatusAccepted, status, "the scheme is case-insensitive")
	assert.JSONEq(t, `{"accepted": 0, "duplicates": 1, "ignored": 0}`, reply, "the same push again")

	s = w.Stats()
	assert.Equal(t, int64(1), s.Events[watch.Distribution][watch.KindAccepted])
	assert.Equal(t, int64(1), s.Events[watch.Distribution][watch.KindDuplicate])
	assert.Equal(t, int64(1), s.Events[watch.DockerHub][watch.KindAccepted])
	assert.Equal(t, int64(2), s.Unmatched, "neither push is a base of the fixture's subscriptions")
	assert.NotContains(t, f.logs.String(), secret, "the secret is never logged")
	assert.Contains(t, f.logs.String(), "webhook request refused")
}

func TestWebhookSecretInURL(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, srv := newServer(t, f, func(c *watch.Config) { c.SecretInURL = true; c.Debounce = time.Hour })
	hub := readSample(t, "dockerhub-push.json")
	status, _ := post(t, srv, "/webhook/dockerhub?token=wrong", hub, nil)
	assert.Equal(t, http.StatusUnauthorized, status)
	status, _ = post(t, srv, "/webhook/dockerhub?token="+secret, hub, nil)
	assert.Equal(t, http.StatusAccepted, status)
	assert.NotContains(t, f.logs.String(), secret)
}

func TestNewRequiresSecret(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg := f.config()
	cfg.Secret = ""
	_, err := watch.New(cfg)
	assert.ErrorIs(t, err, watch.ErrNoSecret)

	cfg.InsecureNoAuth = true
	_, srv := newServer(t, f, func(c *watch.Config) { c.Secret = ""; c.InsecureNoAuth = true; c.Debounce = time.Hour })
	status, _ := post(t, srv, "/webhook", readSample(t, "acr-push.json"), nil)
	assert.Equal(t, http.StatusAccepted, status, "without a secret, on purpose, anyone may post")

	cfg.Checker = nil
	_, err = watch.New(cfg)
	assert.Error(t, err)
}

func TestWebhookBodyLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w, srv := newServer(t, f, func(c *watch.Config) { c.Debounce = time.Hour })

	// A valid envelope padded with spaces past 1 MiB.
	body := readSample(t, "distribution-push.json")
	big := append(bytes.Repeat([]byte(" "), watch.DefaultMaxBodyBytes+1-len(body)), body...)
	status, reply := post(t, srv, "/webhook", big, bearer(secret))
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Contains(t, reply, "body larger than 1 MiB")
	status, _ = post(t, srv, "/webhook", big, signed(secret, big))
	assert.Equal(t, http.StatusRequestEntityTooLarge, status, "a signed body is read within the limit too")
	assert.Equal(t, int64(2), w.Stats().Rejected[watch.RejectTooLarge])

	exact := big[1:]
	status, reply = post(t, srv, "/webhook", exact, bearer(secret))
	assert.Equal(t, http.StatusAccepted, status, "exactly the limit is accepted")
	assert.JSONEq(t, `{"accepted": 1, "duplicates": 0, "ignored": 0}`, reply)
}

func TestWebhookFormats(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w, srv := newServer(t, f, func(c *watch.Config) { c.Debounce = time.Hour })

	tests := []struct {
		path, file string
		status     int
		reply      string
	}{
		{"/webhook", "distribution-push.json", http.StatusAccepted, `{"accepted": 1, "duplicates": 0, "ignored": 0}`},
		// The same digest of alpine:3.20 again, in another event (its own id): pushed again.
		{"/webhook/distribution", "distribution-mixed.json", http.StatusAccepted, `{"accepted": 1, "duplicates": 0, "ignored": 3}`},
		{"/webhook/distribution", "distribution-mixed.json", http.StatusAccepted, `{"accepted": 0, "duplicates": 1, "ignored": 3}`},
		{"/webhook/dockerhub", "dockerhub-push.json", http.StatusAccepted, `{"accepted": 1, "duplicates": 0, "ignored": 0}`},
		{"/webhook/acr", "acr-push.json", http.StatusAccepted, `{"accepted": 1, "duplicates": 0, "ignored": 0}`},
		{"/webhook", "acr-chart-push.json", http.StatusAccepted, `{"accepted": 0, "duplicates": 0, "ignored": 1}`},
		{"/webhook/acr", "dockerhub-push.json", http.StatusBadRequest, `{"error": "not a acr webhook body: \"action\" is required"}`},
		{"/webhook/dockerhub", "distribution-push.json", http.StatusBadRequest, `{"error": "not a dockerhub webhook body: \"push_data\" and \"repository\" are required"}`},
	}
	for _, tt := range tests {
		status, reply := post(t, srv, tt.path, readSample(t, tt.file), bearer(secret))
		assert.Equal(t, tt.status, status, tt.path+" "+tt.file)
		assert.JSONEq(t, tt.reply, reply, tt.path+" "+tt.file)
	}

	ping := []byte(`{"id": "p1", "timestamp": "2026-03-02T09:00:00Z", "action": "ping"}`)
	status, reply := post(t, srv, "/webhook/acr", ping, bearer(secret))
	assert.Equal(t, http.StatusAccepted, status, "an ACR ping on its endpoint")
	assert.JSONEq(t, `{"accepted": 0, "duplicates": 0, "ignored": 1}`, reply)
	status, _ = post(t, srv, "/webhook", ping, bearer(secret))
	assert.Equal(t, http.StatusBadRequest, status, "undetectable without its target")

	status, reply = post(t, srv, "/webhook", []byte(`{"ref": "refs/heads/main"}`), bearer(secret))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, reply, "webhook body in no known format")
	assert.Contains(t, f.logs.String(), "webhook body in no known format", "an unknown format is logged")
	status, _ = post(t, srv, "/webhook/quay", readSample(t, "dockerhub-push.json"), bearer(secret))
	assert.Equal(t, http.StatusNotFound, status)

	resp, err := srv.Client().Get(srv.URL + "/webhook")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	s := w.Stats()
	assert.Equal(t, int64(2), s.Events[watch.Distribution][watch.KindAccepted])
	assert.Equal(t, int64(1), s.Events[watch.Distribution][watch.KindDuplicate])
	assert.Equal(t, int64(6), s.Events[watch.Distribution][watch.KindIgnored])
	assert.Equal(t, int64(1), s.Events[watch.DockerHub][watch.KindAccepted])
	assert.Equal(t, int64(1), s.Events[watch.ACR][watch.KindAccepted])
	assert.Equal(t, int64(2), s.Events[watch.ACR][watch.KindIgnored])
	assert.Equal(t, int64(4), s.Rejected[watch.RejectBadRequest])
}

func TestHealthAndMetrics(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, srv := newServer(t, f, func(c *watch.Config) { c.Debounce = time.Hour })
	status, _ := post(t, srv, "/webhook", readSample(t, "dockerhub-push.json"), bearer(secret))
	require.Equal(t, http.StatusAccepted, status)
	post(t, srv, "/webhook", nil, nil)

	resp, err := srv.Client().Get(srv.URL + "/healthz")
	require.NoError(t, err)
	var h map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&h))
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, map[string]any{"status": "ok", "subscriptions": 2.0, "indexed": 2.0, "pending": 0.0}, h,
		"the Docker Hub push matches no subscription, so nothing is pending")

	resp, err = srv.Client().Get(srv.URL + "/metrics")
	require.NoError(t, err)
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, "text/plain; version=0.0.4; charset=utf-8", resp.Header.Get("Content-Type"))
	for _, line := range []string{
		`baseflow_watch_events_received_total{format="dockerhub",kind="accepted"} 1`,
		`baseflow_watch_events_unmatched_total 1`,
		`baseflow_watch_requests_rejected_total{reason="unauthorized"} 1`,
		`baseflow_watch_index_subscriptions 2`,
	} {
		assert.Contains(t, string(data), line+"\n")
	}
}
