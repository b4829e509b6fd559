package gitsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// cloneKind says what a clone holds.
type cloneKind int

const (
	// treeClone is a checked-out shallow clone; its git directory is kept next to the checkout
	// (--separate-git-dir) so the checkout holds the repository's files only.
	treeClone cloneKind = iota
	// bareClone is a shallow bare clone without blobs, for reading single files.
	bareClone
)

func (k cloneKind) String() string {
	if k == treeClone {
		return "tree"
	}
	return "bare"
}

// cloneKey identifies a clone in a Source's cache.
type cloneKey struct {
	kind                cloneKind
	owner, repo, branch string
}

// clone is one cached clone. done is closed once err, dir, gitDir, root and fsys are set; they
// do not change afterwards.
type clone struct {
	done   chan struct{}
	err    error
	url    string // repository URL, for redacting git's messages
	dir    string // temporary directory holding the clone; removed by Close
	gitDir string
	root   *os.Root // treeClone only
	fsys   fs.FS    // treeClone only

	mu    sync.Mutex
	files map[string][]byte // files read by ReadFile
}

// remove releases the clone's files.
func (c *clone) remove() error {
	if c.root != nil {
		c.root.Close()
	}
	if c.dir == "" {
		return nil
	}
	if err := os.RemoveAll(c.dir); err != nil {
		return fmt.Errorf("gitsource: remove clone: %w", err)
	}
	return nil
}

// get returns the clone for key, making it if no other call has. Callers asking for a clone
// being made wait for it; if the call making it was cancelled, the next waiter starts again.
func (s *Source) get(ctx context.Context, key cloneKey) (*clone, error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, ErrClosed
		}
		c, found := s.clones[key]
		if !found {
			c = &clone{done: make(chan struct{})}
			s.clones[key] = c
			s.inflight.Add(1)
		}
		s.mu.Unlock()

		if found {
			select {
			case <-c.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if c.err != nil && isContextError(c.err) && ctx.Err() == nil {
				continue
			}
		} else {
			s.fill(ctx, key, c)
		}
		if c.err != nil {
			return nil, c.err
		}
		s.mu.Lock()
		closed := s.closed
		s.mu.Unlock()
		if closed {
			return nil, ErrClosed
		}
		return c, nil
	}
}

// fill makes the clone for key and publishes the result in c. A clone stopped by a context is
// dropped from the cache so that a later call tries again; other failures are kept, so a missing
// repository is asked for once.
func (s *Source) fill(ctx context.Context, key cloneKey, c *clone) {
	defer s.inflight.Done()
	cctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	err := s.makeClone(cctx, key, c)
	stop()
	cancel()
	if err != nil {
		if s.ctx.Err() != nil {
			err = ErrClosed
		}
		if rmErr := c.remove(); rmErr != nil {
			s.log.Warn("gitsource: remove failed clone", "error", rmErr)
		}
		c.root, c.fsys, c.dir = nil, nil, ""
		if isContextError(err) {
			s.mu.Lock()
			if s.clones[key] == c {
				delete(s.clones, key)
			}
			s.mu.Unlock()
		}
	}
	c.err = err
	close(c.done)
}

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// makeClone runs git clone for key into a new temporary directory recorded in c.
func (s *Source) makeClone(ctx context.Context, key cloneKey, c *clone) error {
	if err := os.MkdirAll(s.opts.tempDir, 0o700); err != nil {
		return fmt.Errorf("gitsource: temporary directory: %w", err)
	}
	dir, err := os.MkdirTemp(s.opts.tempDir, "baseflow-git-")
	if err != nil {
		return fmt.Errorf("gitsource: temporary directory: %w", err)
	}
	c.dir = dir
	c.gitDir = filepath.Join(dir, "git")
	treeDir := filepath.Join(dir, "tree")

	url := s.repoURL(key.owner, key.repo)
	c.url = url
	red := newRedactor(url)
	args := []string{"clone", "--quiet", "--depth", "1", "--single-branch", "--no-tags", "--branch", key.branch}
	if key.kind == treeClone {
		args = append(args, "--separate-git-dir", c.gitDir, "--", url, treeDir)
	} else {
		// A server that does not allow filters (such as a file:// URL without
		// uploadpack.allowFilter) warns and sends the blobs anyway.
		args = append(args, "--bare", "--filter=blob:none", "--", url, c.gitDir)
	}
	start := time.Now()
	_, stderr, err := s.run(ctx, nil, args...)
	s.logDuration("git clone", start, "url", red.redact(url), "branch", key.branch, "kind", key.kind.String(), "error", err)
	if err != nil {
		cause := err
		if !isContextError(err) {
			if known := classifyStderr(stderr); known != nil {
				cause = known
			}
		}
		return &CloneError{
			URL:    red.redact(url),
			Branch: key.branch,
			Stderr: red.redact(cleanStderr(stderr)),
			Err:    cause,
		}
	}
	if key.kind == bareClone {
		return nil
	}
	// The checkout's .git is a file pointing at the git directory; callers see the
	// repository's files only.
	if err := os.Remove(filepath.Join(treeDir, ".git")); err != nil {
		return fmt.Errorf("gitsource: clone %s: %w", red.redact(url), err)
	}
	root, err := os.OpenRoot(treeDir)
	if err != nil {
		return fmt.Errorf("gitsource: clone %s: %w", red.redact(url), err)
	}
	c.root = root
	c.fsys = root.FS()
	return nil
}

var (
	errIsDirectory     = errors.New("is a directory")
	errNotFile         = errors.New("not a regular file")
	errSymlinkEscapes  = errors.New("symbolic link points outside the repository")
	errTooManySymlinks = errors.New("too many levels of symbolic links")
)

// readBlob reads the file name at the clone's HEAD with git cat-file, following symbolic links
// inside the repository only.
func (s *Source) readBlob(ctx context.Context, c *clone, name string) ([]byte, error) {
	c.mu.Lock()
	data, ok := c.files[name]
	c.mu.Unlock()
	if ok {
		return bytes.Clone(data), nil
	}

	// Ask the size first, so that a huge file is refused without being read into memory.
	if check, _, err := s.run(ctx, strings.NewReader("HEAD:"+name+"\n"),
		"--git-dir", c.gitDir, "cat-file", "--batch-check", "--follow-symlinks"); err == nil {
		if size, ok := blobSize(check); ok && size > s.opts.maxFileSize {
			return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%d bytes is larger than the %d byte limit", size, s.opts.maxFileSize)}
		}
	}
	stdout, stderr, err := s.run(ctx, strings.NewReader("HEAD:"+name+"\n"),
		"--git-dir", c.gitDir, "cat-file", "--batch", "--follow-symlinks")
	if err != nil {
		// A partial clone fetches the blob from the remote here, so the message may name it.
		if msg := newRedactor(c.url).redact(cleanStderr(stderr)); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return nil, fmt.Errorf("read %s: git cat-file: %w", name, err)
	}
	data, err = parseCatFile(stdout)
	if errors.Is(err, fs.ErrNotExist) {
		// As ImageBuilder picks the image-info file from its directory listing, a file name
		// differing only in case matches when no name matches exactly.
		if alt, ok := s.findFold(ctx, c, name); ok {
			return s.readBlob(ctx, c, alt)
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}

	c.mu.Lock()
	if c.files == nil {
		c.files = make(map[string][]byte)
	}
	c.files[name] = data
	c.mu.Unlock()
	return bytes.Clone(data), nil
}

// blobSize reads the size of a blob from git cat-file --batch-check output.
func blobSize(out []byte) (int64, bool) {
	header, _, _ := bytes.Cut(out, []byte("\n"))
	fields := strings.Fields(string(header))
	if len(fields) != 3 || fields[1] != "blob" {
		return 0, false
	}
	n, err := strconv.ParseInt(fields[2], 10, 64)
	return n, err == nil
}

// parseCatFile reads the answer of git cat-file --batch --follow-symlinks to one object name.
func parseCatFile(out []byte) ([]byte, error) {
	header, body, _ := bytes.Cut(out, []byte("\n"))
	line := string(header)
	if strings.HasSuffix(line, " missing") {
		return nil, fs.ErrNotExist
	}
	fields := strings.Fields(line)
	if len(fields) == 2 {
		switch fields[0] {
		case "dangling", "notdir":
			return nil, fs.ErrNotExist
		case "loop":
			return nil, errTooManySymlinks
		case "symlink":
			return nil, errSymlinkEscapes
		}
	}
	if len(fields) != 3 {
		return nil, fmt.Errorf("unexpected git cat-file output %q", line)
	}
	switch fields[1] {
	case "blob":
	case "tree":
		return nil, errIsDirectory
	default:
		return nil, errNotFile
	}
	size, err := strconv.Atoi(fields[2])
	if err != nil || size < 0 || size > len(body) {
		return nil, fmt.Errorf("unexpected git cat-file output %q", line)
	}
	return body[:size:size], nil
}

// findFold returns the path of the entry in name's directory whose name matches name's last
// element ignoring case, if there is one other than name itself.
func (s *Source) findFold(ctx context.Context, c *clone, name string) (string, bool) {
	dir, base := path.Split(name)
	stdout, _, err := s.run(ctx, nil, "--git-dir", c.gitDir, "ls-tree", "-z", "--name-only", "HEAD:"+dir)
	if err != nil {
		return "", false
	}
	for entry := range strings.SplitSeq(string(stdout), "\x00") {
		if entry != base && strings.EqualFold(entry, base) {
			return dir + entry, true
		}
	}
	return "", false
}
