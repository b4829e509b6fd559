package subscription

import (
	"context"
	"fmt"
	"io/fs"
	"path"
)

// StaticSource is a Source over filesystems held in memory or on disk, keyed by repository
// and branch: for tests, demos, and checks of a working copy. The zero value has no
// repositories.
type StaticSource map[string]fs.FS

// RepoKey is the StaticSource key of a repository at a branch: "owner/repo@branch".
func RepoKey(owner, repo, branch string) string { return owner + "/" + repo + "@" + branch }

// Tree implements Source.
func (s StaticSource) Tree(_ context.Context, owner, repo, branch string) (fs.FS, error) {
	fsys, ok := s[RepoKey(owner, repo, branch)]
	if !ok {
		return nil, fmt.Errorf("repository %s/%s branch %s: %w", owner, repo, branch, fs.ErrNotExist)
	}
	return fsys, nil
}

// ReadFile implements Source.
func (s StaticSource) ReadFile(ctx context.Context, owner, repo, branch, name string) ([]byte, error) {
	fsys, err := s.Tree(ctx, owner, repo, branch)
	if err != nil {
		return nil, err
	}
	return fs.ReadFile(fsys, path.Clean(name))
}

// Close implements Source; it has nothing to release.
func (s StaticSource) Close() error { return nil }
