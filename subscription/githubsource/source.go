package githubsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"

	"github.com/baseflow/baseflow/internal/cleartext"
	"github.com/baseflow/baseflow/internal/githubrest"
	"github.com/baseflow/baseflow/internal/httpkit"
	"github.com/baseflow/baseflow/subscription"
)

// Source reads repositories through the GitHub REST API. It caches the trees and blobs it
// fetched until Close, and is safe for concurrent use.
type Source struct {
	api *httpkit.Client
	log *slog.Logger

	// ctx is cancelled by Close; requests made for file systems returned by Tree use it.
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	closed bool

	trees group[repoRef, *treeFS]
	dirs  group[dirKey, []entry]
	blobs group[blobKey, []byte]
}

var _ subscription.Source = (*Source)(nil)

// dirKey names a directory listing cached for ReadFile.
type dirKey struct {
	ref repoRef
	dir string
}

// blobKey names a blob; blobs are content-addressed, the repository is where it is fetched.
type blobKey struct {
	owner, repo, sha string
}

// New returns a Source. It fails when the base URL is not an absolute http or https URL, or
// the token cannot be sent in a header.
func New(opts ...Option) (*Source, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	u, err := url.Parse(o.baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("githubsource: base URL %q: not an absolute http(s) URL", o.baseURL)
	}
	if err := cleartext.Check(u); err != nil {
		return nil, fmt.Errorf("githubsource: base URL %q: %w", u.Redacted(), err)
	}
	u.RawQuery, u.Fragment = "", ""
	if strings.ContainsAny(o.token, "\r\n\x00") {
		return nil, errors.New("githubsource: token contains a line break or NUL")
	}
	logger := o.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	client := o.client
	if client == nil {
		client = defaultOptions().client
	}
	s := &Source{
		api: githubrest.New(githubrest.Config{
			BaseURL:          strings.TrimSuffix(u.String(), "/"),
			Token:            o.token,
			UserAgent:        userAgent,
			HTTP:             client,
			Logger:           logger,
			Retry:            o.retry,
			ShowHost:         true,
			MaxResponseBytes: maxResponseSize,
		}),
		log: logger,
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// NewFromEnv returns a Source configured from the environment GitHub Actions provides:
// GITHUB_TOKEN as the token and GITHUB_API_URL as the base URL, when set. Options given
// override both.
func NewFromEnv(opts ...Option) (*Source, error) {
	var env []Option
	if token := os.Getenv("GITHUB_TOKEN"); token != "" {
		env = append(env, WithToken(token))
	}
	if api := os.Getenv("GITHUB_API_URL"); api != "" {
		env = append(env, WithBaseURL(api))
	}
	return New(append(env, opts...)...)
}

// Tree returns the repository at the tip of branch as a read-only file system. The listing is
// one recursive trees request (or, when GitHub truncates it, one request per directory); file
// contents are fetched when a file is first opened, and cached. Symbolic links resolve inside
// the repository only; a link that points outside it cannot be opened. Submodules show as
// empty directories. The file system implements fs.StatFS, fs.ReadFileFS, fs.ReadDirFS and
// fs.ReadLinkFS, and fails with ErrClosed after Close.
func (s *Source) Tree(ctx context.Context, owner, repo, branch string) (fs.FS, error) {
	ref := repoRef{owner: owner, repo: repo, branch: branch}
	if err := validateRef(ref); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, ErrClosed
	}
	t, err := s.trees.do(ctx, ref, func(ctx context.Context) (*treeFS, error) {
		ctx, cancel := s.bind(ctx)
		defer cancel()
		t, err := s.loadTree(ctx, ref)
		return t, s.closedErr(err)
	})
	if err != nil {
		return nil, fmt.Errorf("githubsource: %s/%s branch %s: %w", owner, repo, branch, err)
	}
	return t, nil
}

// ReadFile returns the file at the given path (slash-separated, relative to the repository
// root) at the tip of branch, the way ImageBuilder reads its image-info file: the trees API on
// "<branch>:<directory>", the entry whose name matches (exactly, else ignoring case), then the
// blobs API. Files of any size GitHub stores can be read. Symbolic links are followed inside
// the repository only. A missing file gives an error matching fs.ErrNotExist; a missing
// repository or branch gives ErrRepositoryNotFound or ErrBranchNotFound (which match
// fs.ErrNotExist too).
func (s *Source) ReadFile(ctx context.Context, owner, repo, branch, file string) ([]byte, error) {
	ref := repoRef{owner: owner, repo: repo, branch: branch}
	if err := validateRef(ref); err != nil {
		return nil, err
	}
	name, err := cleanPath(file)
	if err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, ErrClosed
	}
	data, err := s.readFile(ctx, ref, name)
	if err != nil {
		return nil, fmt.Errorf("githubsource: %s/%s branch %s: %w", owner, repo, branch, s.closedErr(err))
	}
	return bytes.Clone(data), nil
}

func (s *Source) readFile(ctx context.Context, ref repoRef, name string) ([]byte, error) {
	dir, base := dirOf(name)
	entries, err := s.listDir(ctx, ref, dir)
	switch {
	case err == nil:
		e, ok := findEntry(entries, base, true)
		if !ok {
			return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
		}
		if e.isRegular() {
			return s.blob(ctx, ref, e)
		}
	case dir == "." || !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	// A symbolic link, a directory, or a directory that is missing or reached through a
	// symbolic link: walk the path from the top.
	r := resolver{
		lookup:   func(dir string) ([]entry, error) { return s.listDir(ctx, ref, dir) },
		readLink: func(e entry) (string, error) { b, err := s.blob(ctx, ref, e); return string(b), err },
	}
	e, _, err := r.resolve("read", name, true, true)
	switch {
	case err != nil:
		return nil, err
	case e.isDir():
		return nil, &fs.PathError{Op: "read", Path: name, Err: errIsDirectory}
	case !e.isRegular():
		return nil, &fs.PathError{Op: "read", Path: name, Err: errNotFile}
	}
	return s.blob(ctx, ref, e)
}

// listDir returns the entries of dir ("." for the top) at the branch, with one trees request.
func (s *Source) listDir(ctx context.Context, ref repoRef, dir string) ([]entry, error) {
	return s.dirs.do(ctx, dirKey{ref: ref, dir: dir}, func(ctx context.Context) ([]entry, error) {
		ctx, cancel := s.bind(ctx)
		defer cancel()
		t, err := s.fetchTree(ctx, ref.treePath(dir))
		if err != nil {
			if dir == "." && isNotFound(err) {
				err = s.whyNotFound(ctx, ref, err)
			}
			return nil, s.closedErr(err)
		}
		if t.Truncated {
			return nil, fmt.Errorf("directory %s: listing truncated by GitHub", dir)
		}
		entries := make([]entry, 0, len(t.Tree))
		for _, it := range t.Tree {
			entries = append(entries, newEntry(it.Path, it))
		}
		return entries, nil
	})
}

// blob returns a blob's content from the cache or the blobs API. The slice is shared: callers
// must not modify it.
func (s *Source) blob(ctx context.Context, ref repoRef, e entry) ([]byte, error) {
	return s.blobs.do(ctx, blobKey{ref.owner, ref.repo, e.sha}, func(ctx context.Context) ([]byte, error) {
		ctx, cancel := s.bind(ctx)
		defer cancel()
		data, err := s.fetchBlob(ctx, ref, e.sha)
		return data, s.closedErr(err)
	})
}

// Close cancels requests in progress and drops the caches. File systems returned by Tree fail
// with ErrClosed afterwards. Close is safe to call more than once.
func (s *Source) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.trees.reset()
	s.dirs.reset()
	s.blobs.reset()
	return nil
}

func (s *Source) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// bind returns a context cancelled with ctx or by Close.
func (s *Source) bind(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	return ctx, func() { stop(); cancel() }
}

// closedErr turns the error of a request cancelled by Close into ErrClosed.
func (s *Source) closedErr(err error) error {
	if err != nil && s.ctx.Err() != nil && isContextError(err) {
		return ErrClosed
	}
	return err
}

// validateRef rejects names GitHub cannot have, or that would change the meaning of a request
// path: empty names, control characters, "." and "..", a slash in the owner or repository, a
// colon in the branch (it separates branch and directory in a trees request).
func validateRef(r repoRef) error {
	check := func(what, v string, slashes bool) error {
		bad := v == "" || strings.ContainsFunc(v, func(c rune) bool { return c < ' ' || c == 0x7f }) ||
			(!slashes && strings.Contains(v, "/")) || (slashes && strings.Contains(v, ":"))
		for seg := range strings.SplitSeq(v, "/") {
			if seg == "" || seg == "." || seg == ".." {
				bad = true
			}
		}
		if bad {
			return fmt.Errorf("githubsource: invalid %s %q", what, v)
		}
		return nil
	}
	return errors.Join(check("owner", r.owner, false), check("repository", r.repo, false), check("branch", r.branch, true))
}

// cleanPath turns a repository path into an fs.ValidPath name other than ".".
func cleanPath(p string) (string, error) {
	name := strings.TrimPrefix(p, "/")
	if name != "" {
		name = path.Clean(name)
	}
	if !fs.ValidPath(name) || name == "." || strings.ContainsAny(name, "\x00") {
		return "", &fs.PathError{Op: "read", Path: p, Err: fs.ErrInvalid}
	}
	return name, nil
}
