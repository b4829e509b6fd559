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
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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
	// ctx is cancelled by Close, which stops fetches and readers still running.
	ctx    context.Context
	cancel context.CancelFunc

	mu        sync.Mutex
	closed    bool
	repos     map[repoKey]*repository
	announced map[repoKey][]string     // branches announced by Prefetch, not asked for yet
	readers   map[*repository]struct{} // repositories with a running cat-file
	inflight  sync.WaitGroup           // fetches running; Close waits for them

	processes, fetches atomic.Int64
}

// Stats counts what a Source ran.
type Stats struct {
	// Processes is the number of git processes started: clones, inits, fetches and readers.
	Processes int64
	// Fetches is the number of clones and fetches among them.
	Fetches int64
}

// Stats returns the counts so far.
func (s *Source) Stats() Stats {
	return Stats{Processes: s.processes.Load(), Fetches: s.fetches.Load()}
}

var (
	_ subscription.Source     = (*Source)(nil)
	_ subscription.Prefetcher = (*Source)(nil)
)

// New returns a Source. It fails when the git executable cannot be found.
func New(opts ...Option) (*Source, error) {
	o := options{urlTemplate: DefaultURLTemplate, gitBinary: "git", maxFileSize: DefaultMaxFileSize, maxReaders: DefaultMaxReaders}
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
	o.maxReaders = max(o.maxReaders, 1)
	logger := o.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Source{
		opts:      o,
		git:       git,
		log:       logger,
		repos:     make(map[repoKey]*repository),
		announced: make(map[repoKey][]string),
		readers:   make(map[*repository]struct{}),
	}
	s.env = s.gitEnv()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Prefetch announces branches that are about to be read (subscription.Prefetcher): the first
// read of a repository fetches every branch announced for it by then, in one git fetch.
// Invalid names are ignored here; reading them fails.
func (s *Source) Prefetch(branches []subscription.Branch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	for _, b := range branches {
		if validateRef(b.Owner, b.Repo, b.Branch) != nil {
			continue
		}
		key := repoKey{b.Owner, b.Repo}
		if !slices.Contains(s.announced[key], b.Branch) {
			s.announced[key] = append(s.announced[key], b.Branch)
		}
	}
}

// Tree returns the repository at the tip of branch as a read-only file system read from the
// repository's objects (nothing is checked out). Symbolic links resolve inside the repository
// only; a link that points outside it cannot be opened. The file system implements
// fs.StatFS, fs.ReadFileFS, fs.ReadDirFS and fs.ReadLinkFS, is safe for concurrent use, and
// stays valid until Close. Files larger than the size limit (WithMaxFileSize) cannot be read.
func (s *Source) Tree(ctx context.Context, owner, repo, branch string) (fs.FS, error) {
	if err := validateRef(owner, repo, branch); err != nil {
		return nil, err
	}
	r, err := s.repository(owner, repo)
	if err != nil {
		return nil, err
	}
	commit, err := r.commit(ctx, branch)
	if err != nil {
		return nil, err
	}
	return tree{r: r, commit: commit}, nil
}

// ReadFile returns the file at the given path (slash-separated, relative to the repository
// root) at the tip of branch. When no file has that exact name, a file in the same directory
// whose name differs only in case is read, as ImageBuilder finds its image-info file. Symbolic
// links are followed inside the repository only. A file that does not exist gives an error
// matching fs.ErrNotExist; a missing repository or branch gives ErrRepositoryNotFound or
// ErrBranchNotFound (which match fs.ErrNotExist too). It reads from the same fetch as Tree.
func (s *Source) ReadFile(ctx context.Context, owner, repo, branch, file string) ([]byte, error) {
	if err := validateRef(owner, repo, branch); err != nil {
		return nil, err
	}
	name, err := cleanPath(file)
	if err != nil {
		return nil, err
	}
	r, err := s.repository(owner, repo)
	if err != nil {
		return nil, err
	}
	commit, err := r.commit(ctx, branch)
	if err != nil {
		return nil, err
	}
	t := tree{r: r, commit: commit}
	data, err := t.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		// As ImageBuilder picks the image-info file from its directory listing, a file name
		// differing only in case matches when no name matches exactly.
		if alt, ok := findFold(t, name); ok {
			data, err = t.ReadFile(alt)
		}
	}
	if err != nil {
		if errors.Is(err, ErrClosed) {
			return nil, ErrClosed
		}
		return nil, fmt.Errorf("gitsource: %s/%s branch %s: %w", owner, repo, branch, unwrapPath(err, name))
	}
	return data, nil
}

// unwrapPath keeps the path error's message short: "read <name>: <cause>".
func unwrapPath(err error, name string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: "read", Path: name, Err: pe.Err}
	}
	return err
}

// findFold returns the path of the entry in name's directory whose name matches name's last
// element ignoring case, if there is one other than name itself.
func findFold(t tree, name string) (string, bool) {
	dir, base := path.Split(name)
	listDir := strings.TrimSuffix(dir, "/")
	if listDir == "" {
		listDir = "."
	}
	entries, err := t.ReadDir(listDir)
	if err != nil {
		return "", false
	}
	for _, e := range entries {
		if e.Name() != base && strings.EqualFold(e.Name(), base) {
			return dir + e.Name(), true
		}
	}
	return "", false
}

// Refresh makes the next read of every branch fetch it again, into the repository already
// fetched: a long-running program (a webhook server checking on every push) sees new commits
// at the cost of an incremental fetch, which transfers nothing when the branch did not move,
// instead of a new clone. File systems returned before keep reading the commit they were made
// for. Objects of commits no longer read are kept until Close.
func (s *Source) Refresh() {
	s.mu.Lock()
	repos := make([]*repository, 0, len(s.repos))
	for _, r := range s.repos {
		repos = append(repos, r)
	}
	s.mu.Unlock()
	for _, r := range repos {
		r.mu.Lock()
		for name, b := range r.branches {
			// A branch being fetched is left to its fetch: it brings the newest commit anyway.
			if !slices.Contains(r.batch, b) && !slices.Contains(r.pending, b) {
				delete(r.branches, name)
			}
		}
		r.mu.Unlock()
	}
}

// Close stops fetches in progress and the readers, and removes every temporary directory.
// File systems returned by Tree fail after Close. Close is safe to call more than once.
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
	repos := s.repos
	s.repos = nil
	s.mu.Unlock()
	var errs []error
	for _, r := range repos {
		if err := r.remove(); err != nil {
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
	branchErr := check("branch", branch, true)
	if branchErr == nil && !validBranch(branch) {
		branchErr = fmt.Errorf("gitsource: invalid branch %q: not a name git accepts (git check-ref-format)", branch)
	}
	return errors.Join(check("owner", owner, true), check("repository", repo, false), branchErr)
}

// validBranch applies git's rules for reference names (git check-ref-format) that the checks
// above leave out: a name git refuses would fail the fetch of every branch fetched with it,
// and one with a glob character would fetch other branches.
func validBranch(name string) bool {
	if strings.ContainsAny(name, " ~^:?*[") || strings.Contains(name, "..") || strings.Contains(name, "@{") ||
		name == "@" || strings.HasSuffix(name, ".") {
		return false
	}
	for seg := range strings.SplitSeq(name, "/") {
		if strings.HasPrefix(seg, ".") || strings.HasSuffix(seg, ".lock") {
			return false
		}
	}
	return true
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
