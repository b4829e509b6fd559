package subscription

import (
	"errors"
	"io/fs"
)

// notFoundError is a sentinel that also matches fs.ErrNotExist, so callers can test either the
// specific cause or "something does not exist".
type notFoundError string

func (e notFoundError) Error() string { return string(e) }

func (e notFoundError) Is(target error) bool { return target == fs.ErrNotExist }

// Errors a Source returns, whatever its backend.
var (
	// ErrRepositoryNotFound reports that a repository does not exist, or is hidden from the
	// credentials in use. It matches fs.ErrNotExist too.
	ErrRepositoryNotFound error = notFoundError("repository not found")
	// ErrBranchNotFound reports that a repository has no such branch. It matches
	// fs.ErrNotExist too.
	ErrBranchNotFound error = notFoundError("branch not found")
	// ErrSourceClosed is returned by a Source, and by the file systems from its Tree, after
	// Close.
	ErrSourceClosed = errors.New("source closed")
)
