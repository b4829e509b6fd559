package gitsource_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/subscription/gitsource"
	"github.com/baseflow/baseflow/subscription/gitsource/gittest"
)

// TestTreeIsAConsistentFileSystem runs Go's own file system checks on a tree: directory
// listings, Stat, Open, ReadFile, ReadDir and ReadLink must agree (sizes included).
func TestTreeIsAConsistentFileSystem(t *testing.T) {
	t.Parallel()
	host := gittest.NewHost(t)
	repo := host.Repo("acme", "app")
	repo.Write(map[string]string{
		"manifest.json":      `{"repos":[]}` + "\n",
		"src/app/Dockerfile": "FROM alpine:3.20\n",
		"src/app/run.sh":     "#!/bin/sh\necho hi\n",
		"docs/README.md":     "# app\n",
	})
	require.NoError(t, os.Chmod(filepath.Join(repo.Dir, "src/app/run.sh"), 0o755))
	require.NoError(t, os.Symlink("Dockerfile", filepath.Join(repo.Dir, "src/app/link")))
	repo.Commit("files")

	src, err := gitsource.New(gitsource.WithURLTemplate(host.URLTemplate()), gitsource.WithTempDir(t.TempDir()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = src.Close() })
	fsys, err := src.Tree(context.Background(), "acme", "app", "main")
	require.NoError(t, err)
	require.NoError(t, fstest.TestFS(fsys, "manifest.json", "src/app/Dockerfile", "src/app/run.sh", "src/app/link", "docs/README.md"))
}
