package reliability_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/subscription/gitsource"
)

// gitEnv keeps the machine's git configuration out of the test repositories and the clones.
var gitEnv = []string{"GIT_CONFIG_GLOBAL=" + os.DevNull, "GIT_CONFIG_NOSYSTEM=1",
	"GIT_AUTHOR_NAME=baseflow", "GIT_AUTHOR_EMAIL=baseflow@example.com",
	"GIT_COMMITTER_NAME=baseflow", "GIT_COMMITTER_EMAIL=baseflow@example.com"}

func runGit(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), gitEnv...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %v: %s", args, out)
}

// writeRepo creates a git repository at dir (branch main) holding files, uncommitted.
func writeRepo(t *testing.T, dir string, files fstest.MapFS) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	runGit(t, dir, "init", "--quiet", "--initial-branch=main")
	for name, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, f.Data, 0o644))
	}
}

// commit commits everything in the repository at dir.
func commit(t *testing.T, dir string) {
	t.Helper()
	runGit(t, dir, "add", "-A")
	runGit(t, dir, "commit", "--quiet", "-m", "test content")
}

// newGitSource returns a git source for the URL template, closed when the test ends.
func newGitSource(t *testing.T, template string) *gitsource.Source {
	t.Helper()
	src, err := gitsource.New(gitsource.WithURLTemplate(template), gitsource.WithTempDir(t.TempDir()), gitsource.WithEnv(gitEnv...))
	require.NoError(t, err)
	t.Cleanup(func() { src.Close() })
	return src
}
