package gitsource

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/baseflow/baseflow/subscription"
)

// Source reads repositories with the git command-line tool. It is safe for concurrent use.
// Create one with New and Close it to remove its clones.
type Source struct {
	opts options
	git  string   // resolved git executable
	env  []string // environment git runs with
	log  *slog.Logger

	// ctx is cancelled by Close, which stops clones still running.
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	closed   bool
	clones   map[cloneKey]*clone
	inflight sync.WaitGroup // clones being made; Close waits for them
}

var _ subscription.Source = (*Source)(nil)

// New returns a Source. It fails when the git executable cannot be found.
func New(opts ...Option) (*Source, error) {
	o := options{urlTemplate: DefaultURLTemplate, gitBinary: "git", maxFileSize: DefaultMaxFileSize}
	for _, opt := range opts {
		opt(&o)
	}
	if o.urlTemplate == "" {
		return nil, errors.New("gitsource: empty URL template")
	}
	git, err := exec.LookPath(o.gitBinary)
	if err != nil {
		return nil, fmt.Errorf("gitsource: %w", err)
	}
	if o.tempDir == "" {
		o.tempDir = os.TempDir()
	}
	// Clones are addressed by path from later git runs; keep them independent of the working
	// directory.
	if o.tempDir, err = filepath.Abs(o.tempDir); err != nil {
		return nil, fmt.Errorf("gitsource: temporary directory: %w", err)
	}
	logger := o.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Source{
		opts:   o,
		git:    git,
		log:    logger,
		clones: make(map[cloneKey]*clone),
	}
	s.env = s.gitEnv()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Tree returns the repository at the tip of branch as a read-only file system backed by a
// shallow clone. Symbolic links resolve inside the clone only; a link that points outside it
// cannot be opened. The file system implements fs.StatFS, fs.ReadFileFS, fs.ReadDirFS and
// fs.ReadLinkFS, and stays valid until Close.
func (s *Source) Tree(ctx context.Context, owner, repo, branch string) (fs.FS, error) {
	if err := validateRef(owner, repo, branch); err != nil {
		return nil, err
	}
	c, err := s.get(ctx, cloneKey{kind: treeClone, owner: owner, repo: repo, branch: branch})
	if err != nil {
		return nil, err
	}
	return c.fsys, nil
}

// ReadFile returns the file at the given path (slash-separated, relative to the repository
// root) at the tip of branch. When no file has that exact name, a file in the same directory
// whose name differs only in case is read, as ImageBuilder finds its image-info file. Symbolic
// links are followed inside the repository only. A file that does not exist gives an error
// matching fs.ErrNotExist; a missing repository or branch gives ErrRepositoryNotFound or
// ErrBranchNotFound (which match fs.ErrNotExist too).
//
// It reads from a clone made by Tree for the same branch when there is one, and otherwise from
// a bare clone without file contents (--filter=blob:none) that fetches only the blobs read, when
// the server supports partial clones.
func (s *Source) ReadFile(ctx context.Context, owner, repo, branch, file string) ([]byte, error) {
	if err := validateRef(owner, repo, branch); err != nil {
		return nil, err
	}
	name, err := cleanPath(file)
	if err != nil {
		return nil, err
	}
	key := cloneKey{kind: treeClone, owner: owner, repo: repo, branch: branch}
	s.mu.Lock()
	_, haveTree := s.clones[key]
	s.mu.Unlock()
	if !haveTree {
		key.kind = bareClone
	}
	c, err := s.get(ctx, key)
	if err != nil {
		return nil, err
	}
	data, err := s.readBlob(ctx, c, name)
	if err != nil {
		return nil, fmt.Errorf("gitsource: %s/%s branch %s: %w", owner, repo, branch, err)
	}
	return data, nil
}

// Close stops clones in progress and removes every temporary directory. File systems returned
// by Tree fail after Close. Close is safe to call more than once.
func (s *Source) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()

	s.cancel()
	s.inflight.Wait()

	s.mu.Lock()
	clones := s.clones
	s.clones = nil
	s.mu.Unlock()
	var errs []error
	for _, c := range clones {
		if err := c.remove(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// repoURL expands the URL template for a repository.
func (s *Source) repoURL(owner, repo string) string {
	return strings.NewReplacer("{owner}", owner, "{repo}", repo).Replace(s.opts.urlTemplate)
}

// validateRef rejects names that cannot be a repository or branch, or that git would read as an
// option. The owner may contain slashes (hosts such as Azure Repos nest projects in
// organizations); no name may contain "." or ".." path segments.
func validateRef(owner, repo, branch string) error {
	check := func(what, v string, slashes bool) error {
		bad := v == "" || strings.HasPrefix(v, "-") ||
			strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f || r == '\\' })
		if !slashes && strings.Contains(v, "/") {
			bad = true
		}
		for seg := range strings.SplitSeq(v, "/") {
			if seg == "" || seg == "." || seg == ".." {
				bad = true
			}
		}
		if bad {
			return fmt.Errorf("gitsource: invalid %s %q", what, v)
		}
		return nil
	}
	return errors.Join(check("owner", owner, true), check("repository", repo, false), check("branch", branch, true))
}

// cleanPath turns a repository path into an fs.ValidPath name.
func cleanPath(p string) (string, error) {
	name := strings.TrimPrefix(p, "/")
	if name != "" {
		name = path.Clean(name)
	}
	if !fs.ValidPath(name) || name == "." || strings.ContainsAny(name, "\n\r\x00") {
		return "", &fs.PathError{Op: "read", Path: p, Err: fs.ErrInvalid}
	}
	return name, nil
}

// logDuration logs a finished git operation at debug level.
func (s *Source) logDuration(msg string, start time.Time, attrs ...any) {
	s.log.Debug(msg, append(attrs, "duration", time.Since(start).Round(time.Millisecond))...)
}
