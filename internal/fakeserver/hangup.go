package fakeserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// HangUp starts a server that reads each request whole, hands it to check, writes reply (""
// or the start of an answer) and closes the connection: a server that crashed or lost its
// network after the request reached it. It returns the server's URL and the number of requests
// it has read so far.
func HangUp(t testing.TB, reply string, check func(r *http.Request, body []byte)) (url string, requests func() int) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading the request: %v", err)
		}
		check(r, body)
		n.Add(1)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijacking the connection: %v", err)
			return
		}
		_, _ = buf.WriteString(reply)
		_ = buf.Flush()
		_ = conn.Close()
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() int { return int(n.Load()) }
}
