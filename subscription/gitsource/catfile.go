package gitsource

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"strconv"
	"strings"
	"sync"
)

// object is one answer of git cat-file --batch --follow-symlinks: an object with its type and
// content, or why the name did not lead to one.
type object struct {
	oid  string
	kind string // "blob", "tree", "commit", …
	size int64
	data []byte // nil when the object was larger than the limit
	err  error  // fs.ErrNotExist, errSymlinkEscapes, errTooManySymlinks
}

// catFile is one running `git cat-file --batch --follow-symlinks`: every object of a
// repository (branch tips, trees, files) is read through it, one request at a time, so that
// reading a repository's files costs one process, not one per file.
type catFile struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *bytes.Buffer
	cancel context.CancelFunc
	broken error // set when the process failed; the next request starts another
}

// startCatFile starts cat-file on gitDir. The process lives until close (or until ctx, the
// Source's, is cancelled).
func (s *Source) startCatFile(ctx context.Context, gitDir string, env []string) (*catFile, error) {
	ctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(ctx, s.git, "--git-dir", gitDir, "cat-file", "--batch", "--follow-symlinks")
	cmd.Env = env
	cmd.WaitDelay = waitDelay
	killProcessGroup(cmd)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	c := &catFile{cmd: cmd, stdin: stdin, stdout: bufio.NewReaderSize(stdout, 64<<10), stderr: &bytes.Buffer{}, cancel: cancel}
	cmd.Stderr = &limitedBuffer{buf: c.stderr, max: maxStderr}
	s.processes.Add(1)
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("gitsource: git cat-file: %w", err)
	}
	s.log.Debug("git cat-file started", "gitDir", gitDir)
	return c, nil
}

// read asks for name (an object id, or "<commit>:<path>") and returns the answer. Content
// larger than limit is skipped, not read into memory. An error is returned only when the
// process failed; the answer's err says when the name led to no object.
func (c *catFile) read(name string, limit int64) (object, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken != nil {
		return object{}, c.broken
	}
	obj, err := c.request(name, limit)
	if err != nil {
		c.broken = err
		c.stop()
		if msg := cleanStderr(c.stderr.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return object{}, fmt.Errorf("git cat-file: %w", err)
	}
	return obj, nil
}

func (c *catFile) request(name string, limit int64) (object, error) {
	if _, err := io.WriteString(c.stdin, name+"\n"); err != nil {
		return object{}, err
	}
	header, err := c.stdout.ReadString('\n')
	if err != nil {
		return object{}, err
	}
	header = strings.TrimSuffix(header, "\n")
	fields := strings.Fields(header)
	switch {
	case strings.HasSuffix(header, " missing") || strings.HasSuffix(header, " ambiguous"):
		return object{err: fs.ErrNotExist}, nil
	case len(fields) == 2:
		// "<kind> <size>" then a message of that size and a newline.
		size, err := strconv.ParseInt(fields[1], 10, 64)
		if err != nil || size < 0 {
			return object{}, fmt.Errorf("unexpected output %q", header)
		}
		if _, err := io.CopyN(io.Discard, c.stdout, size+1); err != nil {
			return object{}, err
		}
		switch fields[0] {
		case "dangling", "notdir":
			return object{err: fs.ErrNotExist}, nil
		case "loop":
			return object{err: errTooManySymlinks}, nil
		case "symlink":
			return object{err: errSymlinkEscapes}, nil
		}
		return object{}, fmt.Errorf("unexpected output %q", header)
	case len(fields) != 3:
		return object{}, fmt.Errorf("unexpected output %q", header)
	}
	size, err := strconv.ParseInt(fields[2], 10, 64)
	if err != nil || size < 0 {
		return object{}, fmt.Errorf("unexpected output %q", header)
	}
	obj := object{oid: fields[0], kind: fields[1], size: size}
	if size > limit {
		_, err = io.CopyN(io.Discard, c.stdout, size+1)
		return obj, err
	}
	obj.data = make([]byte, size+1)
	if _, err := io.ReadFull(c.stdout, obj.data); err != nil {
		return object{}, err
	}
	if obj.data[size] != '\n' {
		return object{}, errors.New("unexpected output: no newline after the object")
	}
	obj.data = obj.data[:size:size]
	return obj, nil
}

// close ends the process; reason is what later requests get.
func (c *catFile) close(reason error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken == nil {
		c.broken = reason
	}
	c.stop()
}

func (c *catFile) stop() {
	if c.cmd == nil {
		return
	}
	c.stdin.Close() // cat-file ends at end of input
	c.cancel()
	c.cmd.Wait()
	c.cmd = nil
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	mu  sync.Mutex
	buf *bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
