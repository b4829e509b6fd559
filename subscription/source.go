package subscription

import (
	"context"
	"io/fs"
)

// Source reads files of GitHub-style repositories (owner/repo at a branch).
//
// Implementations: gitsource (the git CLI, any URL git accepts), githubsource (the GitHub
// REST trees and blobs API) and StaticSource (file systems in memory or on disk). A Source may
// cache what it fetched for its whole lifetime, so a run that reads the same repository and
// branch for several subscriptions fetches it once; Close releases what it holds (temporary
// clones).
//
// Every implementation returns the errors of errors.go (ErrRepositoryNotFound,
// ErrBranchNotFound, ErrSourceClosed) and passes the conformance suite in sourcetest.
type Source interface {
	// Tree returns a read-only view of the repository at the tip of branch. Paths are
	// slash-separated and relative to the repository root; nothing outside the repository
	// (including through symlinks) can be opened.
	Tree(ctx context.Context, owner, repo, branch string) (fs.FS, error)
	// ReadFile returns one file of the repository at the tip of branch.
	ReadFile(ctx context.Context, owner, repo, branch, path string) ([]byte, error)
	// Close releases temporary files and caches.
	Close() error
}
