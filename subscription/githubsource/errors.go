package githubsource

import (
	"errors"
	"io/fs"
	"net/http"
	"strconv"

	"github.com/baseflow/baseflow/subscription"
)

// The errors a Source returns; they are subscription's, shared with gitsource.
var (
	ErrRepositoryNotFound = subscription.ErrRepositoryNotFound
	ErrBranchNotFound     = subscription.ErrBranchNotFound
	ErrClosed             = subscription.ErrSourceClosed
)

// HTTPError is an API answer other than 200 OK. A 404 matches fs.ErrNotExist.
type HTTPError struct {
	Method string
	// URL is the request URL, without credentials.
	URL        string
	StatusCode int
	// Message is the "message" field of GitHub's error body, if any.
	Message string
}

func (e *HTTPError) Error() string {
	msg := e.Method + " " + e.URL + ": " + strconv.Itoa(e.StatusCode) + " " + http.StatusText(e.StatusCode)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Is makes a 404 answer match fs.ErrNotExist.
func (e *HTTPError) Is(target error) bool {
	return target == fs.ErrNotExist && e.StatusCode == http.StatusNotFound
}

var (
	errIsDirectory     = errors.New("is a directory")
	errNotFile         = errors.New("not a regular file")
	errSymlinkEscapes  = errors.New("symbolic link points outside the repository")
	errTooManySymlinks = errors.New("too many levels of symbolic links")
)
