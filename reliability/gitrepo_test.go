package reliability_test

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/subscription/gitsource"
	"github.com/baseflow/baseflow/subscription/gitsource/gittest"
)

// gitEnv keeps the machine's git configuration out of the test repositories and the clones.
var gitEnv = gittest.Env

// writeRepo creates a git repository at dir (branch main) holding files, uncommitted.
func writeRepo(t *testing.T, dir string, files fstest.MapFS) {
	t.Helper()
	repo := gittest.Init(t, dir)
	content := make(map[string]string, len(files))
	for name, f := range files {
		content[name] = string(f.Data)
	}
	repo.Write(content)
}

// commit commits everything in the repository at dir.
func commit(t *testing.T, dir string) {
	t.Helper()
	gittest.Init(t, dir).Commit("test content")
}

// newGitSource returns a git source for the URL template, closed when the test ends.
func newGitSource(t *testing.T, template string) *gitsource.Source {
	t.Helper()
	src, err := gitsource.New(gitsource.WithURLTemplate(template), gitsource.WithTempDir(t.TempDir()), gitsource.WithEnv(gitEnv...))
	require.NoError(t, err)
	t.Cleanup(func() { src.Close() })
	return src
}
