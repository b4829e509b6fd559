// Package githubtest is the former home of the fake GitHub API for the Actions dispatcher.
//
// Deprecated: use package github.com/baseflow/baseflow/githubtest, which serves the Actions,
// Issues, Trees and Blobs APIs in one fake; this package only forwards to it.
package githubtest

import (
	"testing"

	"github.com/baseflow/baseflow/githubtest"
)

// Aliases of the types of package githubtest.
type (
	Server   = githubtest.Server
	Request  = githubtest.Request
	Run      = githubtest.Run
	Dispatch = githubtest.Dispatch
	Issue    = githubtest.Issue
)

// NewServer starts a fake that accepts token.
//
// Deprecated: use githubtest.NewServer(t, githubtest.WithToken(token)).
func NewServer(t testing.TB, token string) *Server {
	return githubtest.NewServer(t, githubtest.WithToken(token))
}
