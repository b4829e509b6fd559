package githubsource

import (
	"errors"
	"io/fs"
	"net/http"
	"strconv"
)

// notFoundError is a sentinel that also matches fs.ErrNotExist, so callers can test either the
// specific cause or "something does not exist".
type notFoundError string

func (e notFoundError) Error() string { return string(e) }

func (e notFoundError) Is(target error) bool { return target == fs.ErrNotExist }

var (
	// ErrRepositoryNotFound reports that the repository does not exist or is not visible with
	// the token in use (GitHub answers 404 for both). It matches fs.ErrNotExist too.
	ErrRepositoryNotFound error = notFoundError("repository not found")
	// ErrBranchNotFound reports that the repository has no such branch. It matches
	// fs.ErrNotExist too.
	ErrBranchNotFound error = notFoundError("branch not found")
	// ErrClosed is returned by a Source, and by file systems from its Tree, after Close.
	ErrClosed = errors.New("githubsource: source closed")
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
