package gitsource

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/baseflow/baseflow/internal/redact"
)

// repoKey identifies a repository in a Source.
type repoKey struct{ owner, repo string }

// repository is one bare repository holding the tips of the branches read from one remote
// repository. Branches are fetched in batches: every branch asked for (or announced with
// Prefetch) while no fetch runs goes into the next one, so that a repository read at several
// branches is fetched once, or a few times when branches are asked for one by one.
type repository struct {
	s     *Source
	key   repoKey
	url   string // repository URL without credentials, as git sees it
	shown string // repository URL with credentials redacted, for messages
	red   *redact.Redactor
	env   []string // git's environment for this repository, credentials included

	mu       sync.Mutex
	dir      string // temporary directory; removed by Close
	gitDir   string
	created  bool // gitDir holds a repository
	branches map[string]*branch
	pending  []*branch // waiting for the next fetch
	fetching bool
	batch    []*branch          // being fetched
	cancel   context.CancelFunc // stops the running fetch

	catMu   sync.Mutex
	cat     *catFile
	lastUse atomic.Int64
}

// branch is one branch of a repository. done is closed once commit or err is set.
type branch struct {
	name    string
	done    chan struct{}
	commit  string
	err     error
	waiters int // callers waiting for it, guarded by repository.mu
}

// repository returns the repository of owner/repo, creating its record (not yet the clone).
func (s *Source) repository(owner, repo string) (*repository, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	key := repoKey{owner, repo}
	if r, ok := s.repos[key]; ok {
		return r, nil
	}
	raw := s.repoURL(owner, repo)
	clean, creds := splitCredentials(raw, s.env)
	r := &repository{
		s:        s,
		key:      key,
		url:      clean,
		shown:    RedactURL(raw),
		red:      newRedactor(raw),
		env:      append(slices.Clip(s.env), creds...),
		branches: make(map[string]*branch),
	}
	s.repos[key] = r
	return r, nil
}

// commit returns the commit at the tip of name, fetching the branch if no call has. Callers
// asking for a branch being fetched wait for it; when every caller waiting for a fetch has
// given up, the fetch is stopped and the next caller starts again.
func (r *repository) commit(ctx context.Context, name string) (string, error) {
	for {
		b, err := r.join(name)
		if err != nil {
			return "", err
		}
		select {
		case <-b.done:
		case <-ctx.Done():
			r.leave(b)
			return "", ctx.Err()
		}
		r.mu.Lock()
		b.waiters--
		r.mu.Unlock()
		if b.err != nil && isContextError(b.err) && ctx.Err() == nil && r.s.ctx.Err() == nil {
			continue // stopped because its other callers gave up; try again
		}
		if r.s.ctx.Err() != nil {
			return "", ErrClosed
		}
		return b.commit, b.err
	}
}

// join registers a caller waiting for branch name, queueing it (with the branches announced
// for this repository) for a fetch when it is new, and starting the fetch loop when none runs.
func (r *repository) join(name string) (*branch, error) {
	s := r.s
	// s.mu is held throughout, so that a fetch loop is never started once Close waits for
	// them (lock order: Source, then repository).
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	announced := s.announced[r.key]
	delete(s.announced, r.key)

	r.mu.Lock()
	defer r.mu.Unlock()
	b, ok := r.branches[name]
	if !ok {
		b = r.queue(name)
	}
	b.waiters++
	for _, a := range announced {
		if _, ok := r.branches[a]; !ok {
			r.queue(a)
		}
	}
	if !r.fetching {
		r.fetching = true
		s.inflight.Add(1)
		go r.fetchLoop()
	}
	return b, nil
}

// queue adds a branch to the next fetch; r.mu is held.
func (r *repository) queue(name string) *branch {
	b := &branch{name: name, done: make(chan struct{})}
	r.branches[name] = b
	r.pending = append(r.pending, b)
	return b
}

// leave unregisters a caller that gave up waiting for b. A branch nobody waits for any more is
// forgotten (so a later call fetches it again) and, when no caller waits for anything the
// running fetch brings, that fetch is stopped.
func (r *repository) leave(b *branch) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b.waiters--
	if b.waiters > 0 {
		return
	}
	if i := slices.Index(r.pending, b); i >= 0 {
		r.pending = slices.Delete(r.pending, i, i+1)
		if r.branches[b.name] == b {
			delete(r.branches, b.name)
		}
		return
	}
	if !slices.Contains(r.batch, b) || r.cancel == nil {
		return
	}
	for _, other := range r.batch {
		if other.waiters > 0 {
			return
		}
	}
	r.cancel()
}

// fetchLoop fetches the pending branches, batch after batch, until none is left.
func (r *repository) fetchLoop() {
	defer r.s.inflight.Done()
	for {
		r.mu.Lock()
		batch := r.pending
		r.pending = nil
		if len(batch) == 0 {
			r.fetching = false
			r.batch, r.cancel = nil, nil
			r.mu.Unlock()
			return
		}
		ctx, cancel := context.WithCancel(r.s.ctx)
		r.batch, r.cancel = batch, cancel
		r.mu.Unlock()

		r.fetchBatch(ctx, batch)
		cancel()

		r.mu.Lock()
		for _, b := range batch {
			if b.err != nil && isContextError(b.err) && r.branches[b.name] == b {
				// A stopped fetch is not remembered: the next caller tries again.
				delete(r.branches, b.name)
			}
			close(b.done)
		}
		r.mu.Unlock()
	}
}

// missingRefPattern is git fetch's message for a branch the remote does not have.
var missingRefPattern = regexp.MustCompile(`couldn't find remote ref refs/heads/(\S+)`)

// fetchBatch fetches the branches of batch into the repository (cloning it the first time)
// and sets each branch's commit or error.
func (r *repository) fetchBatch(ctx context.Context, batch []*branch) {
	fail := func(bs []*branch, err error) {
		for _, b := range bs {
			if b.err == nil {
				b.err = err
			}
		}
	}
	todo := slices.Clone(batch)
	clearedRefs := false
	for len(todo) > 0 {
		names := make([]string, len(todo))
		for i, b := range todo {
			names[i] = b.name
		}
		stderr, err := r.fetch(ctx, names)
		if err == nil {
			break
		}
		if r.s.ctx.Err() != nil {
			fail(todo, ErrClosed)
			return
		}
		cause := err
		if !isContextError(err) && !clearedRefs && r.created && strings.Contains(stderr, "cannot lock ref") {
			// A branch fetched before blocks this one's name ("feature" then "feature/x",
			// after the remote renamed it): the refs are not needed once read (trees hold
			// commit ids, and objects are kept until Close), so drop them and fetch again.
			clearedRefs = true
			if r.clearRefs() == nil {
				continue
			}
		}
		if !isContextError(err) {
			if m := missingRefPattern.FindStringSubmatch(stderr); m != nil {
				// git stops at the first missing branch: drop it and fetch the others.
				if i := slices.IndexFunc(todo, func(b *branch) bool { return b.name == m[1] }); i >= 0 {
					todo[i].err = &CloneError{URL: r.shown, Branch: todo[i].name,
						Stderr: r.red.Redact(cleanStderr(stderr)), Err: ErrBranchNotFound}
					todo = slices.Delete(todo, i, i+1)
					continue
				}
			}
			if known := classifyStderr(stderr); known != nil {
				cause = known
			}
		}
		for _, b := range todo {
			b.err = &CloneError{URL: r.shown, Branch: b.name, Stderr: r.red.Redact(cleanStderr(stderr)), Err: cause}
		}
		return
	}
	if len(todo) == 0 {
		return
	}
	// A reader started before this fetch may not see the new branches: start another.
	r.closeReader(errFetched)
	for _, b := range todo {
		obj, err := r.read(ctx, "refs/heads/"+b.name, r.s.opts.maxFileSize)
		switch {
		case err != nil:
			b.err = err
		case obj.err != nil || obj.kind != "commit":
			b.err = &CloneError{URL: r.shown, Branch: b.name, Err: ErrBranchNotFound}
		default:
			b.commit = obj.oid
		}
	}
}

// fetch brings the tips of branches into the repository: a bare clone the first time when one
// branch is asked for, else an init and a fetch of all of them. It returns git's message.
func (r *repository) fetch(ctx context.Context, branches []string) (string, error) {
	s := r.s
	if r.dir == "" {
		if err := os.MkdirAll(s.opts.tempDir, 0o700); err != nil {
			return "", fmt.Errorf("gitsource: temporary directory: %w", err)
		}
		dir, err := os.MkdirTemp(s.opts.tempDir, "baseflow-git-")
		if err != nil {
			return "", fmt.Errorf("gitsource: temporary directory: %w", err)
		}
		r.mu.Lock()
		r.dir, r.gitDir = dir, filepath.Join(dir, "git")
		r.mu.Unlock()
	}
	// Blobs over the size limit stay on the server (when it allows filters); a server that
	// does not (a file:// URL without uploadpack.allowFilter) warns and sends them anyway.
	filter := fmt.Sprintf("--filter=blob:limit=%d", s.opts.maxFileSize)
	start := time.Now()
	var args []string
	op := "git fetch"
	if !r.created && len(branches) == 1 {
		op = "git clone"
		args = []string{"clone", "--quiet", "--bare", "--depth", "1", "--single-branch", "--no-tags",
			"--branch", branches[0], filter, "--", r.url, r.gitDir}
	} else {
		if !r.created {
			if _, stderr, err := s.run(ctx, r.env, nil, "init", "--quiet", "--bare", r.gitDir); err != nil {
				return stderr, fmt.Errorf("git init: %w", err)
			}
			r.created = true
		}
		args = []string{"--git-dir", r.gitDir, "fetch", "--quiet", "--depth", "1", "--no-tags", filter, "--", r.url}
		for _, b := range branches {
			args = append(args, "+refs/heads/"+b+":refs/heads/"+b)
		}
	}
	s.fetches.Add(1)
	_, stderr, err := s.run(ctx, r.env, nil, args...)
	s.logDuration(op, start, "url", r.shown, "branches", strings.Join(branches, ","), "error", err)
	if err == nil {
		r.created = true
	} else if !r.created {
		// A failed clone removes what it made; start from a new directory next time.
		r.mu.Lock()
		os.RemoveAll(r.dir)
		r.dir, r.gitDir = "", ""
		r.mu.Unlock()
	}
	return stderr, err
}

// clearRefs removes the branches of the repository (files backend: loose and packed refs).
func (r *repository) clearRefs() error {
	heads := filepath.Join(r.gitDir, "refs", "heads")
	if err := os.RemoveAll(heads); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(r.gitDir, "packed-refs")); err != nil && !os.IsNotExist(err) {
		return err
	}
	return os.Mkdir(heads, 0o700)
}

// errFetched and errEvicted stop a reader that another will replace.
var (
	errFetched = errors.New("reader replaced after a fetch")
	errEvicted = errors.New("reader closed to bound the number of processes")
)

// read reads one object through the repository's cat-file process, starting one when none
// runs. A reader stopped to make room for another is replaced transparently.
func (r *repository) read(ctx context.Context, name string, limit int64) (object, error) {
	for {
		c, err := r.reader()
		if err != nil {
			return object{}, err
		}
		obj, err := c.read(name, limit)
		if err == nil {
			return obj, nil
		}
		if errors.Is(err, errEvicted) || errors.Is(err, errFetched) {
			continue
		}
		if r.s.ctx.Err() != nil {
			return object{}, ErrClosed
		}
		if ctx.Err() != nil {
			return object{}, ctx.Err()
		}
		return object{}, fmt.Errorf("%s: %w", r.shown, err)
	}
}

// reader returns the running cat-file process, starting one when there is none.
func (r *repository) reader() (*catFile, error) {
	r.lastUse.Store(time.Now().UnixNano())
	r.catMu.Lock()
	defer r.catMu.Unlock()
	if r.cat != nil {
		return r.cat, nil
	}
	s := r.s
	if s.ctx.Err() != nil {
		return nil, ErrClosed
	}
	c, err := s.startCatFile(s.ctx, r.gitDir, r.env)
	if err != nil {
		return nil, err
	}
	r.cat = c
	s.opened(r)
	return c, nil
}

// closeReader stops the repository's cat-file process, if one runs; reason is what a request
// still using it gets.
func (r *repository) closeReader(reason error) {
	r.s.mu.Lock()
	delete(r.s.readers, r)
	r.s.mu.Unlock()
	r.catMu.Lock()
	c := r.cat
	r.cat = nil
	r.catMu.Unlock()
	if c != nil {
		c.close(reason)
	}
}

// opened records that r started a reader and, when more readers run than the Source allows,
// stops the least recently used other one.
func (s *Source) opened(r *repository) {
	s.mu.Lock()
	s.readers[r] = struct{}{}
	var victim *repository
	if len(s.readers) > s.opts.maxReaders {
		for other := range s.readers {
			if other != r && (victim == nil || other.lastUse.Load() < victim.lastUse.Load()) {
				victim = other
			}
		}
		delete(s.readers, victim)
	}
	s.mu.Unlock()
	if victim != nil {
		// Not here: the caller holds r's reader lock, and victim may be waiting for it.
		go victim.closeReader(errEvicted)
	}
}

// remove stops the reader and removes the repository's files.
func (r *repository) remove() error {
	r.closeReader(ErrClosed)
	r.mu.Lock()
	dir := r.dir
	r.dir = ""
	r.mu.Unlock()
	if dir == "" {
		return nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("gitsource: remove clone: %w", err)
	}
	return nil
}

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
