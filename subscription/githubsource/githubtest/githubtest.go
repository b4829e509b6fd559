// Package githubtest is the former home of the fake GitHub API for githubsource.
//
// Deprecated: use package github.com/baseflow/baseflow/githubtest, which serves the Trees,
// Blobs, Actions and Issues APIs in one fake and fails the test on contract violations; this
// package only forwards to it, keeping its former method set.
package githubtest

import (
	"net/http"

	"github.com/baseflow/baseflow/githubtest"
)

// Aliases of the types and options of package githubtest.
type (
	File   = githubtest.File
	Option = githubtest.Option
)

// Options of package githubtest.
var (
	WithToken      = githubtest.WithToken
	WithPathPrefix = githubtest.WithPathPrefix
)

// Server is the fake with its former method set; Close it after use.
type Server struct {
	*githubtest.Server
}

// NewServer starts a fake on the loopback interface.
//
// Deprecated: use githubtest.NewServer(t, opts...).
func NewServer(opts ...Option) *Server {
	return &Server{githubtest.NewServer(nil, opts...)}
}

// FailNext makes the next n requests answer status, with header, whatever they ask for.
func (s *Server) FailNext(n, status int, header http.Header) {
	s.FailNextWith("", status, n, header)
}

// Requests returns the requests received, as "GET <escaped path>[?query]" without the prefix.
func (s *Server) Requests() []string { return s.RequestLines() }

// Errors returns a description of every request that did not follow the API.
func (s *Server) Errors() []string { return s.Violations() }
