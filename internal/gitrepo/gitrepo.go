// Package gitrepo runs the git binary on repositories made for tests, demos and benchmarks,
// isolated from the machine's git configuration. Package gittest wraps it for tests
// (failing them through testing.TB); the demo command and the fixtures call it directly.
package gitrepo

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Env is the environment git runs with here, on top of the process's: no global or system
// configuration (so no signing, hooks or templates of the machine), and a fixed author and
// committer.
var Env = []string{
	"GIT_CONFIG_GLOBAL=" + os.DevNull, "GIT_CONFIG_NOSYSTEM=1",
	"GIT_AUTHOR_NAME=baseflow", "GIT_AUTHOR_EMAIL=baseflow@example.com",
	"GIT_COMMITTER_NAME=baseflow", "GIT_COMMITTER_EMAIL=baseflow@example.com",
}

// Git runs git with args in dir and returns its standard output without the trailing
// newline. The error names the command and the directory, and holds git's message.
func Git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), Env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s in %s: %v: %s", strings.Join(args, " "), dir, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSuffix(string(out), "\n"), nil
}

// Init makes dir (and its parents) and runs "git init" there with "main" as the first branch,
// unless dir is a repository already.
func Init(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	_, err := Git(dir, "init", "--quiet", "--initial-branch=main")
	return err
}

// Commit records everything in the work tree at dir (git add --all) as a new commit on the
// current branch, even when nothing changed, and returns the commit's SHA.
func Commit(dir, message string) (string, error) {
	if _, err := Git(dir, "add", "--all"); err != nil {
		return "", err
	}
	if _, err := Git(dir, "commit", "--quiet", "--allow-empty", "--no-verify", "--message", message); err != nil {
		return "", err
	}
	return Git(dir, "rev-parse", "HEAD")
}

// CommitFS makes dir a repository when it is not one, copies files into it (files already
// there are kept) and commits everything.
func CommitFS(dir string, files fs.FS, message string) error {
	if err := Init(dir); err != nil {
		return err
	}
	if err := os.CopyFS(dir, files); err != nil && !os.IsExist(err) {
		return err
	}
	_, err := Commit(dir, message)
	return err
}
