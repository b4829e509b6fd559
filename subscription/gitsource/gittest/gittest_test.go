package gittest_test

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/subscription/gitsource"
	"github.com/baseflow/baseflow/subscription/gitsource/gittest"
)

func TestSetBranch(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	host := gittest.NewHost(t)
	repo := host.Repo("acme", "app")
	assert.Equal(t, filepath.Join(host.Dir, "acme", "app"), repo.Dir)

	first := repo.SetBranch("main", map[string]string{"a.txt": "a1", "dir/b.txt": "b1"})
	second := repo.SetBranch("release/1.0", map[string]string{"c.txt": "c1"})
	third := repo.SetBranch("main", map[string]string{"a.txt": "a2"})

	assert.Equal(t, "a.txt", repo.Git("ls-tree", "-r", "--name-only", "main"), "the new content replaces the old")
	assert.Equal(t, "c.txt", repo.Git("ls-tree", "-r", "--name-only", "release/1.0"))
	assert.Equal(t, first, repo.Git("rev-parse", third+"^"), "an existing branch gets a commit on top")
	assert.Equal(t, "1", repo.Git("rev-list", "--count", second), "a new branch has no history")
	assert.Equal(t, "baseflow <baseflow@example.com>", repo.Git("log", "-1", "--format=%an <%ae>"))
	assert.Equal(t, repo, gittest.Init(t, repo.Dir), "an existing repository is reused")

	repo.Write(map[string]string{"d.txt": "d"})
	head := repo.Commit("add d")
	assert.Equal(t, "a.txt\nd.txt", repo.Git("ls-tree", "-r", "--name-only", head))
	assert.Equal(t, "a2", repo.Git("show", "main:a.txt"))

	// gitsource reads the repositories through the host's URL template.
	src, err := gitsource.New(gitsource.WithURLTemplate(host.URLTemplate()), gitsource.WithTempDir(t.TempDir()), gitsource.WithEnv(gittest.Env...))
	require.NoError(t, err)
	defer src.Close()
	data, err := src.ReadFile(t.Context(), "acme", "app", "release/1.0", "c.txt")
	require.NoError(t, err)
	assert.Equal(t, "c1", string(data))
}

func TestGitFailureFailsTheTest(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := gittest.Init(t, filepath.Join(t.TempDir(), "r"))
	ft := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		gittest.Init(ft, repo.Dir).Git("rev-parse", "--verify", "no-such-branch")
		ft.reached = true
	}()
	<-done
	assert.False(t, ft.reached, "Git returned after a failure")
	assert.Contains(t, ft.msg, "gittest: git rev-parse --verify no-such-branch in "+repo.Dir)
	assert.Contains(t, ft.msg, "fatal: Needed a single revision", "git's message is kept")
}

// fatalRecorder records Fatalf and stops the goroutine, as testing.T does.
type fatalRecorder struct {
	testing.TB
	msg     string
	reached bool
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
