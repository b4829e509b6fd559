package subscription

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/baseflow/baseflow/internal/closablefs"
)

// StaticSource is a Source over filesystems held in memory or on disk, keyed by repository
// and branch (see RepoKey): for tests, demos, and checks of a working copy. It follows the
// error contract of every Source: a repository with no key at all is ErrRepositoryNotFound, a
// missing branch of a repository that has other keys is ErrBranchNotFound, and after Close the
// source and the file systems from its Tree fail with ErrSourceClosed.
//
// Close marks the map closed by adding an entry under a key no RepoKey can produce, so a
// StaticSource is not safe to Close while other calls are running; a nil StaticSource has no
// repositories and nothing to close.
type StaticSource map[string]fs.FS

// RepoKey is the StaticSource key of a repository at a branch: "owner/repo@branch".
func RepoKey(owner, repo, branch string) string { return owner + "/" + repo + "@" + branch }

// closedKey marks a closed StaticSource; it holds a NUL, which no owner name does.
const closedKey = "\x00closed"

func (s StaticSource) closed() bool {
	_, ok := s[closedKey]
	return ok
}

// Tree implements Source.
func (s StaticSource) Tree(_ context.Context, owner, repo, branch string) (fs.FS, error) {
	if s.closed() {
		return nil, ErrSourceClosed
	}
	fsys, ok := s[RepoKey(owner, repo, branch)]
	if !ok {
		cause := ErrRepositoryNotFound
		prefix := owner + "/" + repo + "@"
		for key := range s {
			if strings.HasPrefix(key, prefix) {
				cause = ErrBranchNotFound
				break
			}
		}
		return nil, fmt.Errorf("repository %s/%s branch %s: %w", owner, repo, branch, cause)
	}
	return closablefs.FS{Base: fsys, Closed: s.closed, Err: ErrSourceClosed}, nil
}

// ReadFile implements Source.
func (s StaticSource) ReadFile(ctx context.Context, owner, repo, branch, name string) ([]byte, error) {
	fsys, err := s.Tree(ctx, owner, repo, branch)
	if err != nil {
		return nil, err
	}
	return fs.ReadFile(fsys, path.Clean(name))
}

// Close implements Source: later calls, and reads through file systems from Tree, fail with
// ErrSourceClosed. Closing twice is not an error.
func (s StaticSource) Close() error {
	if s != nil {
		s[closedKey] = nil
	}
	return nil
}
