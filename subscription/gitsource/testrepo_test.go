package gitsource_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/subscription/gitsource"
	"github.com/baseflow/baseflow/subscription/gitsource/gittest"
)

// isolatedGitEnv keeps the machine's git configuration out of the tests.
var isolatedGitEnv = gittest.Env

// testRepos is a directory of repositories laid out as <base>/<owner>/<repo>.
type testRepos struct {
	base string
	// outside is a file outside every repository and clone that symbolic links point at.
	outside string
}

// fileTemplate is the file:// URL template for the repositories.
func (r testRepos) fileTemplate() string {
	return "file://" + filepath.ToSlash(r.base) + "/{owner}/{repo}"
}

// newTestRepos creates acme/app with two branches:
//
//	main:    manifest.json, build/image-info.json, src/app/Dockerfile, src/app/link (→ Dockerfile),
//	         src/up (→ ../manifest.json), escape-abs (→ an absolute path outside), escape-rel
//	         (→ ../../outside.txt, which exists next to the clones when they are made under
//	         the same parent as the repositories)
//	nightly: the same with different manifest.json and Dockerfile, plus nightly.txt
func newTestRepos(t testing.TB) testRepos {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links in test repositories need a Unix file system")
	}
	base := t.TempDir()
	outside := filepath.Join(t.TempDir(), "outside.txt")
	require.NoError(t, os.WriteFile(outside, []byte("outside the repository\n"), 0o644))

	repo := gittest.Init(t, filepath.Join(base, "acme", "app"))
	dir := repo.Dir
	repo.Write(map[string]string{
		"manifest.json":         `{"branch":"main"}` + "\n",
		"build/image-info.json": `{"schemaVersion":"2.0"}` + "\n",
		"src/app/Dockerfile":    "FROM alpine:3.20\n",
	})
	require.NoError(t, os.Symlink("Dockerfile", filepath.Join(dir, "src/app/link")))
	require.NoError(t, os.Symlink("../manifest.json", filepath.Join(dir, "src/up")))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "escape-abs")))
	require.NoError(t, os.Symlink("../../outside.txt", filepath.Join(dir, "escape-rel")))
	repo.Commit("main")

	repo.Git("checkout", "--quiet", "-b", "nightly")
	repo.Write(map[string]string{
		"manifest.json":      `{"branch":"nightly"}` + "\n",
		"src/app/Dockerfile": "FROM alpine:3.21\n",
		"nightly.txt":        "only on nightly\n",
	})
	repo.Commit("nightly")
	repo.Git("checkout", "--quiet", "main")
	return testRepos{base: base, outside: outside}
}

// newSource returns a Source on the repositories, isolated from the machine's git
// configuration, closed when the test ends.
func newSource(t testing.TB, repos testRepos, opts ...gitsource.Option) *gitsource.Source {
	t.Helper()
	opts = append([]gitsource.Option{
		gitsource.WithURLTemplate(repos.fileTemplate()),
		gitsource.WithTempDir(t.TempDir()),
		gitsource.WithEnv(isolatedGitEnv...),
	}, opts...)
	src, err := gitsource.New(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, src.Close()) })
	return src
}

// countingGit writes a git wrapper script that logs the arguments of every run, and returns
// the script and a function counting the logged runs: those that fetch (clone or fetch) and
// all of them.
func countingGit(t testing.TB) (script string, count func() (fetches, runs int)) {
	t.Helper()
	git, err := exec.LookPath("git")
	require.NoError(t, err)
	dir := t.TempDir()
	log := filepath.Join(dir, "git.log")
	script = filepath.Join(dir, "git")
	body := "#!/bin/sh\necho \"$*\" >> '" + log + "'\nexec '" + git + "' \"$@\"\n"
	require.NoError(t, os.WriteFile(script, []byte(body), 0o755))
	return script, func() (fetches, runs int) {
		data, err := os.ReadFile(log)
		if os.IsNotExist(err) {
			return 0, 0
		}
		require.NoError(t, err)
		for line := range strings.Lines(string(data)) {
			runs++
			f := strings.Fields(line)
			if slices.Contains(f, "clone") || slices.Contains(f, "fetch") {
				fetches++
			}
		}
		return fetches, runs
	}
}
