package reliability_test

import (
	"context"
	"fmt"
	"io/fs"
	"sync"

	"github.com/baseflow/baseflow/subscription"
)

// memSource is a subscription.Source over in-memory file systems, one per owner/repo@branch,
// so that a whole check runs without git.
type memSource struct {
	mu    sync.Mutex
	repos map[string]fs.FS
}

var _ subscription.Source = (*memSource)(nil)

func newMemSource() *memSource { return &memSource{repos: map[string]fs.FS{}} }

// add makes fsys the tree of owner/repo at branch.
func (s *memSource) add(owner, repo, branch string, fsys fs.FS) *memSource {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repos[owner+"/"+repo+"@"+branch] = fsys
	return s
}

func (s *memSource) Tree(_ context.Context, owner, repo, branch string) (fs.FS, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fsys, ok := s.repos[owner+"/"+repo+"@"+branch]
	if !ok {
		return nil, fmt.Errorf("%s/%s@%s: %w", owner, repo, branch, fs.ErrNotExist)
	}
	return fsys, nil
}

func (s *memSource) ReadFile(ctx context.Context, owner, repo, branch, path string) ([]byte, error) {
	fsys, err := s.Tree(ctx, owner, repo, branch)
	if err != nil {
		return nil, err
	}
	return fs.ReadFile(fsys, path)
}

func (s *memSource) Close() error { return nil }
