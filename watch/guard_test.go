package watch_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/watch"
)

// distributionBody is a distribution notification of one tag push per tag, on
// registry-1.docker.io's library/alpine.
func distributionBody(id string, tags ...string) []byte {
	var events []string
	for i, tag := range tags {
		events = append(events, fmt.Sprintf(`{"id": "%s-%d", "action": "push", "target": {"repository": "library/alpine", "tag": %q, "digest": %q}, "request": {"host": "registry-1.docker.io"}}`,
			id, i, tag, alpineV2))
	}
	return []byte(`{"events": [` + strings.Join(events, ",") + `]}`)
}

// rawRequest opens a connection to srv and writes the request line and headers of a POST to
// /webhook with the given extra header lines and Content-Length, then the start of a body:
// a sender that goes silent.
func rawRequest(t *testing.T, addr string, headers []string, length int, start string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	req := "POST /webhook HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(length) + "\r\n"
	for _, h := range headers {
		req += h + "\r\n"
	}
	_, err = io.WriteString(c, req+"\r\n"+start)
	require.NoError(t, err)
	return c
}

// readStatus reads the status code of the response on c (failing after a bound).
func readStatus(t *testing.T, c net.Conn) int {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestWebhookRefusesBearerBeforeReadingTheBody(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, srv := newServer(t, f, func(c *watch.Config) { c.Debounce = time.Hour })
	addr := strings.TrimPrefix(srv.URL, "http://")
	// A 1 MiB body announced, 10 bytes sent: the answer comes without the rest.
	c := rawRequest(t, addr, []string{"Authorization: Bearer not-the-secret-at-all"}, 1<<20, `{"events":`)
	assert.Equal(t, http.StatusUnauthorized, readStatus(t, c))
	c = rawRequest(t, addr, nil, 1<<20, `{"events":`)
	assert.Equal(t, http.StatusUnauthorized, readStatus(t, c), "no secret at all")
	c = rawRequest(t, addr, []string{"Authorization: Bearer " + secret}, 2<<20, `{"events":`)
	assert.Equal(t, http.StatusRequestEntityTooLarge, readStatus(t, c), "a Content-Length over the limit is refused from the headers")
}

// TestWebhookUnverifiedReadsAreBounded: bodies that only a signature can authenticate are read
// MaxUnverified at a time; the others are refused at once, and a sender with the bearer secret
// still gets through.
func TestWebhookUnverifiedReadsAreBounded(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w, srv := newServer(t, f, func(c *watch.Config) {
		c.Debounce = time.Hour
		c.MaxUnverified = 2
		c.BodyTimeout = time.Minute
	})
	addr := strings.TrimPrefix(srv.URL, "http://")

	// Two slow senders with a signature hold both slots.
	sig := watch.SignatureHeader + ": sha256=" + strings.Repeat("0", 64)
	slow := []net.Conn{
		rawRequest(t, addr, []string{sig}, 100000, `{"events": [`),
		rawRequest(t, addr, []string{sig}, 100000, `{"events": [`),
	}
	eventually(t, "both slow bodies are being read", func() bool { return w.Stats().Unverified == 2 })

	// Eight more, complete but wrongly signed, sent at once.
	body := distributionBody("bogus", "3.20")
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	retryAfter := make([]string, 8)
	for i := range statuses {
		wg.Go(func() {
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/webhook", strings.NewReader(string(body)))
			if !assert.NoError(t, err) {
				return
			}
			req.Header.Set(watch.SignatureHeader, watch.Sign("not-the-secret-at-all", body))
			resp, err := srv.Client().Do(req)
			if !assert.NoError(t, err) {
				return
			}
			resp.Body.Close()
			statuses[i], retryAfter[i] = resp.StatusCode, resp.Header.Get("Retry-After")
		})
	}
	wg.Wait()
	for i := range statuses {
		assert.Equal(t, http.StatusServiceUnavailable, statuses[i], "request %d", i)
		assert.Equal(t, "1", retryAfter[i])
	}
	assert.LessOrEqual(t, w.Stats().Unverified, 2, "never more bodies read unverified than the bound")
	assert.Equal(t, int64(8), w.Stats().Rejected[watch.RejectBusy])

	// The bearer secret is checked from the headers: no slot needed.
	status, reply := post(t, srv, "/webhook", distributionBody("legit", "3.20"), bearer(secret))
	assert.Equal(t, http.StatusAccepted, status)
	assert.JSONEq(t, `{"accepted": 1, "duplicates": 0, "ignored": 0}`, reply)

	// The slow senders give up; their slots are free again, and a signed body is read.
	for _, c := range slow {
		c.Close()
	}
	eventually(t, "the slots are released", func() bool { return w.Stats().Unverified == 0 })
	signedBody := distributionBody("signed", "3.21")
	status, _ = post(t, srv, "/webhook", signedBody, signed(secret, signedBody))
	assert.Equal(t, http.StatusAccepted, status)
}

// TestWebhookBodyTimeout: a signed body that stops arriving loses its slot after BodyTimeout.
func TestWebhookBodyTimeout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w, srv := newServer(t, f, func(c *watch.Config) {
		c.Debounce = time.Hour
		c.MaxUnverified = 1
		c.BodyTimeout = 100 * time.Millisecond
	})
	addr := strings.TrimPrefix(srv.URL, "http://")
	c := rawRequest(t, addr, []string{watch.SignatureHeader + ": sha256=00"}, 100000, `{"events": [`)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	_, err := io.ReadAll(c) // the server answers 400 (a body cut short) or closes: either way the connection ends
	require.NoError(t, err, "the server ended the connection, the client's deadline did not")
	eventually(t, "the slot is released", func() bool { return w.Stats().Unverified == 0 })
	body := distributionBody("signed", "3.20")
	status, _ := post(t, srv, "/webhook", body, signed(secret, body))
	assert.Equal(t, http.StatusAccepted, status)
}

// serve runs w.Serve on a loopback listener until the test ends and returns its address.
func serve(t *testing.T, w *watch.Watcher) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	<-w.Ready()
	return ln.Addr().String()
}

// TestServeBoundsConnections: Serve holds at most MaxConnections; a connection beyond waits
// until one closes, and silent ones are closed after HeaderTimeout.
func TestServeBoundsConnections(t *testing.T) {
	t.Parallel()
	t.Run("capped", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		cfg := f.config()
		cfg.Debounce = time.Hour
		cfg.MaxConnections = 2
		cfg.HeaderTimeout = time.Minute
		w, err := watch.New(cfg)
		require.NoError(t, err)
		addr := serve(t, w)
		silent := make([]net.Conn, 2)
		for i := range silent {
			silent[i], err = net.Dial("tcp", addr)
			require.NoError(t, err)
			_, err = io.WriteString(silent[i], "POST /webhook HTTP/1.1\r\n")
			require.NoError(t, err)
		}
		answered := make(chan int, 1)
		go func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				answered <- 0
				return
			}
			defer c.Close()
			body := distributionBody("legit", "3.20")
			fmt.Fprintf(c, "POST /webhook HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n%s", secret, len(body), body)
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				answered <- -1
				return
			}
			resp.Body.Close()
			answered <- resp.StatusCode
		}()
		select {
		case s := <-answered:
			t.Fatalf("a third connection was served (%d) while two were held", s)
		case <-time.After(300 * time.Millisecond):
		}
		silent[0].Close()
		select {
		case s := <-answered:
			assert.Equal(t, http.StatusAccepted, s, "served once a connection closed")
		case <-time.After(10 * time.Second):
			t.Fatal("the waiting connection was never served")
		}
		silent[1].Close()
	})
	t.Run("silent senders are closed", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		cfg := f.config()
		cfg.Debounce = time.Hour
		cfg.MaxConnections = 2
		cfg.HeaderTimeout = 100 * time.Millisecond
		w, err := watch.New(cfg)
		require.NoError(t, err)
		addr := serve(t, w)
		for range 2 {
			c, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer c.Close()
			_, err = io.WriteString(c, "POST /webhook HTTP/1.1\r\n")
			require.NoError(t, err)
		}
		c := rawRequest(t, addr, []string{"Authorization: Bearer " + secret}, len(distributionBody("legit", "3.20")), string(distributionBody("legit", "3.20")))
		assert.Equal(t, http.StatusAccepted, readStatus(t, c), "the silent senders lost their connections")
	})
}

// TestWebhookRefusesEventsThatNameNoImage: a tag push whose names are not a reference is
// bad input, in words; nothing of its body is taken in.
func TestWebhookRefusesEventsThatNameNoImage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w, srv := newServer(t, f, func(c *watch.Config) { c.Debounce = time.Hour })
	status, reply := post(t, srv, "/webhook", distributionBody("bad", "3.20", "x y"), bearer(secret))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.JSONEq(t, `{"error": "event 2 (push docker.io/library/alpine:x y@`+string(alpineV2)+`): names no valid image: invalid reference format"}`, reply)
	s := w.Stats()
	assert.Zero(t, s.Events[watch.Distribution][watch.KindAccepted])
	assert.Zero(t, s.Unmatched)
	assert.Equal(t, 0, s.Pending)
	assert.Equal(t, int64(1), s.Rejected[watch.RejectBadRequest])

	status, reply = post(t, srv, "/webhook", distributionBody("bad", "3.20"), bearer(secret))
	assert.Equal(t, http.StatusAccepted, status)
	assert.JSONEq(t, `{"accepted": 1, "duplicates": 0, "ignored": 0}`, reply, "the valid event of the refused body was not taken in")

	_, err := w.Accept(watch.Event{Action: "push", Host: "docker.io", Repository: "Library/Alpine", Tag: "3.20"})
	var ee *watch.EventError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 0, ee.Index)
}

// TestWebhookJournalFailure: when the journal cannot record a push the answer is 503 and
// nothing is taken in, so that the registry's redelivery is accepted, not a duplicate. A push
// that matches no subscription needs no journal.
func TestWebhookJournalFailure(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dir := filepath.Join(t.TempDir(), "journal")
	w, srv := newServer(t, f, func(c *watch.Config) { c.Debounce = time.Hour; c.JournalDir = dir })
	// The journal's directory becomes a file: nothing can be written in it.
	require.NoError(t, os.RemoveAll(dir))
	require.NoError(t, os.WriteFile(dir, nil, 0o600))

	body := distributionBody("ev", "3.20") // alpine:3.20: a base of octo/images
	status, reply := post(t, srv, "/webhook", body, bearer(secret))
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.JSONEq(t, `{"error": "the events could not be recorded; deliver them again"}`, reply)
	s := w.Stats()
	assert.Equal(t, int64(1), s.Rejected[watch.RejectUnavailable])
	assert.Zero(t, s.Events[watch.Distribution][watch.KindAccepted])
	assert.Equal(t, 0, s.Pending)
	assert.Contains(t, f.logs.String(), "could not record the events")

	unmatched := distributionBody("ev", "3.19")
	status, reply = post(t, srv, "/webhook", unmatched, bearer(secret))
	assert.Equal(t, http.StatusAccepted, status, "a push no subscription uses is not journaled")
	assert.JSONEq(t, `{"accepted": 1, "duplicates": 0, "ignored": 0}`, reply)

	require.NoError(t, os.Remove(dir))
	require.NoError(t, os.Mkdir(dir, 0o700))
	status, reply = post(t, srv, "/webhook", body, bearer(secret))
	assert.Equal(t, http.StatusAccepted, status)
	assert.JSONEq(t, `{"accepted": 1, "duplicates": 0, "ignored": 0}`, reply, "the redelivery is taken in")
	assert.Equal(t, 1, w.Stats().Pending)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	assert.Len(t, files, 1)
}

func TestSecretIsTrimmedAndLongEnough(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, srv := newServer(t, f, func(c *watch.Config) { c.Debounce = time.Hour; c.Secret = secret + "\n" })
	status, _ := post(t, srv, "/webhook", distributionBody("ev", "3.20"), bearer(secret))
	assert.Equal(t, http.StatusAccepted, status, "a secret read from a file, newline and all, accepts what senders send")
	body := distributionBody("ev2", "3.20")
	status, _ = post(t, srv, "/webhook", body, signed(secret, body))
	assert.Equal(t, http.StatusAccepted, status, "and signatures made with it")

	for _, s := range []string{"s3cret\n", "fifteen-bytes!!", "  \n"} {
		cfg := f.config()
		cfg.Secret = s
		_, err := watch.New(cfg)
		require.ErrorIs(t, err, watch.ErrShortSecret, "%q", s)
		if strings.TrimSpace(s) != "" {
			assert.NotContains(t, err.Error(), strings.TrimSpace(s), "the error never shows the secret")
		}
	}
	cfg := f.config()
	cfg.Secret = "sixteen-bytes-ok"
	_, err := watch.New(cfg)
	assert.NoError(t, err)
}
