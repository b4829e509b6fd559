package httpkit

import (
	"io/fs"
	"net/http"
	"strconv"
)

// Error is an HTTP answer a client did not expect: any status but 2xx, or 203 (the sign-in page
// Azure DevOps answers a rejected token with). It never holds credentials: the message is
// trimmed and redacted, and the URL has no userinfo. A 404 matches fs.ErrNotExist.
type Error struct {
	Method string
	// URL is the request as the client shows it: its escaped path ("/repos/o/r/issues"), or
	// for clients that show the host, the full URL without credentials.
	URL        string
	StatusCode int
	// Status is the status line's text, e.g. "503 Service Unavailable".
	Status string
	// Message is the server's message (the "message" of a JSON error body, or the text),
	// whitespace-collapsed, at most 300 characters; empty when there was none.
	Message string
}

func (e *Error) Error() string {
	status := e.Status
	if status == "" {
		status = strconv.Itoa(e.StatusCode) + " " + http.StatusText(e.StatusCode)
	}
	s := e.Method + " " + e.URL + ": " + status
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is makes a 404 answer match fs.ErrNotExist.
func (e *Error) Is(target error) bool {
	return target == fs.ErrNotExist && e.StatusCode == http.StatusNotFound
}
