// Package gittest creates real git repositories for tests, with the git binary, isolated from
// the machine's git configuration.
//
// A [Host] is a directory of repositories laid out as <dir>/<owner>/<repo>, the layout
// gitsource reads through [Host.URLTemplate]; a [Repo] is one repository with a work tree.
// Every helper fails the test (through testing.TB) when git fails, with git's output.
package gittest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/baseflow/baseflow/internal/gitrepo"
)

// Env is the environment every git command here runs with, on top of the process's: no
// global or system configuration (so no signing, hooks or templates of the machine), and a
// fixed author and committer. Give it to gitsource.WithEnv to isolate clones the same way.
var Env = gitrepo.Env

// Host is a directory of repositories, <Dir>/<owner>/<repo>, as a git server lays them out.
type Host struct {
	// Dir is the directory holding the repositories.
	Dir string
	tb  testing.TB
}

// NewHost returns a Host in a new temporary directory, removed when the test ends.
func NewHost(tb testing.TB) *Host {
	tb.Helper()
	return &Host{Dir: tb.TempDir(), tb: tb}
}

// URLTemplate is the file:// URL template of the repositories, for gitsource.WithURLTemplate.
func (h *Host) URLTemplate() string {
	return "file://" + filepath.ToSlash(h.Dir) + "/{owner}/{repo}"
}

// Repo returns the repository owner/repo, creating it (empty, first branch "main") when it
// does not exist yet.
func (h *Host) Repo(owner, repo string) *Repo {
	h.tb.Helper()
	return Init(h.tb, filepath.Join(h.Dir, owner, repo))
}

// Repo is a git repository with a work tree.
type Repo struct {
	// Dir is the work tree.
	Dir string
	tb  testing.TB
}

// Init returns the repository at dir, creating dir and running "git init" with "main" as the
// first branch when dir is not a repository yet.
func Init(tb testing.TB, dir string) *Repo {
	tb.Helper()
	if err := gitrepo.Init(dir); err != nil {
		tb.Fatalf("gittest: %v", err)
	}
	return &Repo{Dir: dir, tb: tb}
}

// Run runs git with args in dir, which need not be a repository (for "git clone", say), and
// returns its standard output without the trailing newline.
func Run(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	out, err := gitrepo.Git(dir, args...)
	if err != nil {
		tb.Fatalf("gittest: %v", err)
	}
	return out
}

// Git runs git with args in the work tree and returns its standard output without the
// trailing newline.
func (r *Repo) Git(args ...string) string {
	r.tb.Helper()
	return Run(r.tb, r.Dir, args...)
}

// Write writes files (slash-separated path → content, mode 0644) into the work tree, creating
// directories as needed. It does not commit.
func (r *Repo) Write(files map[string]string) {
	r.tb.Helper()
	for name, content := range files {
		p := filepath.Join(r.Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.tb.Fatalf("gittest: %v", err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.tb.Fatalf("gittest: %v", err)
		}
	}
}

// Commit records everything in the work tree (git add --all) as a new commit on the current
// branch, even when nothing changed, and returns the commit's SHA.
func (r *Repo) Commit(message string) string {
	r.tb.Helper()
	sha, err := gitrepo.Commit(r.Dir, message)
	if err != nil {
		r.tb.Fatalf("gittest: %v", err)
	}
	return sha
}

// SetBranch makes files the whole content of branch in a new commit, and returns its SHA. A
// new branch starts with no history (an orphan branch); an existing one gets a commit on top.
// The branch stays checked out.
func (r *Repo) SetBranch(branch string, files map[string]string) string {
	r.tb.Helper()
	current := r.Git("symbolic-ref", "--quiet", "--short", "HEAD")
	switch {
	case current == branch:
	case r.hasBranch(branch):
		r.Git("checkout", "--quiet", "--force", branch)
	default:
		r.Git("checkout", "--quiet", "--orphan", branch)
	}
	r.Git("rm", "-r", "--quiet", "--force", "--ignore-unmatch", ".")
	r.Write(files)
	return r.Commit(branch)
}

func (r *Repo) hasBranch(branch string) bool {
	_, err := gitrepo.Git(r.Dir, "show-ref", "--verify", "--quiet", "refs/heads/"+branch)
	return err == nil
}
