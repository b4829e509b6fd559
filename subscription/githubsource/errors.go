package githubsource

import (
	"errors"

	"github.com/baseflow/baseflow/internal/httpkit"
	"github.com/baseflow/baseflow/subscription"
)

// The errors a Source returns; they are subscription's, shared with gitsource.
var (
	ErrRepositoryNotFound = subscription.ErrRepositoryNotFound
	ErrBranchNotFound     = subscription.ErrBranchNotFound
	ErrClosed             = subscription.ErrSourceClosed
)

// HTTPError is an API answer other than 2xx: the one error type of every REST client of this
// module (dispatch.HTTPError is the same type). Its URL is the request URL without
// credentials, and a 404 matches fs.ErrNotExist.
type HTTPError = httpkit.Error

var (
	errIsDirectory     = errors.New("is a directory")
	errNotFile         = errors.New("not a regular file")
	errSymlinkEscapes  = errors.New("symbolic link points outside the repository")
	errTooManySymlinks = errors.New("too many levels of symbolic links")
)
