package dispatch

import "fmt"

// HTTPError is an unexpected HTTP response from a backend. It never holds credentials: the
// body text is trimmed and scrubbed of the token before it gets here.
type HTTPError struct {
	Method     string
	Path       string // URL path, without host or query
	StatusCode int
	Status     string // e.g. "503 Service Unavailable"
	Message    string // the server's message (trimmed), if any
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("%s %s: %s", e.Method, e.Path, e.Status)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}
