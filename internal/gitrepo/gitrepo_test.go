package gitrepo_test

import (
	"os/exec"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/internal/gitrepo"
)

func TestCommitFS(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := filepath.Join(t.TempDir(), "a", "b")
	require.NoError(t, gitrepo.CommitFS(dir, fstest.MapFS{"x.txt": {Data: []byte("x")}}, "first"))
	require.NoError(t, gitrepo.CommitFS(dir, fstest.MapFS{"d/y.txt": {Data: []byte("y")}}, "second"))
	out, err := gitrepo.Git(dir, "log", "--format=%s %an", "main")
	require.NoError(t, err)
	assert.Equal(t, "second baseflow\nfirst baseflow", out)
	out, err = gitrepo.Git(dir, "ls-tree", "-r", "--name-only", "HEAD")
	require.NoError(t, err)
	assert.Equal(t, "d/y.txt\nx.txt", out)

	_, err = gitrepo.Git(dir, "rev-parse", "--verify", "nope")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "git rev-parse --verify nope in "+dir+": exit status 128: fatal: Needed a single revision")
}
