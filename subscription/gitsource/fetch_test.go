package gitsource_test

import (
	"encoding/base64"
	"io/fs"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/subscription/gitsource"
	"github.com/baseflow/baseflow/subscription/gitsource/gittest"
)

func TestPrefetchFetchesBranchesTogether(t *testing.T) {
	t.Parallel()
	repos := newTestRepos(t)
	git, count := countingGit(t)
	src := newSource(t, repos, gitsource.WithGitBinary(git))

	src.Prefetch([]subscription.Branch{
		{Owner: "acme", Repo: "app", Branch: "main"},
		{Owner: "acme", Repo: "app", Branch: "nightly"},
		{Owner: "acme", Repo: "app", Branch: "gone"},
		{Owner: "acme", Repo: "app", Branch: "--upload-pack=x"}, // ignored
	})
	fetches, runs := count()
	assert.Zero(t, runs, "Prefetch runs nothing")

	var wg sync.WaitGroup
	for _, b := range []string{"main", "nightly", "main", "nightly"} {
		wg.Go(func() {
			fsys, err := src.Tree(t.Context(), "acme", "app", b)
			if !assert.NoError(t, err) {
				return
			}
			data, err := fs.ReadFile(fsys, "manifest.json")
			assert.NoError(t, err)
			assert.Equal(t, `{"branch":"`+b+`"}`+"\n", string(data))
			data, err = src.ReadFile(t.Context(), "acme", "app", b, "build/image-info.json")
			assert.NoError(t, err)
			assert.Equal(t, `{"schemaVersion":"2.0"}`+"\n", string(data))
		})
	}
	wg.Wait()
	_, err := src.Tree(t.Context(), "acme", "app", "gone")
	assert.ErrorIs(t, err, gitsource.ErrBranchNotFound)

	fetches, runs = count()
	// init, a fetch of three branches refused for the missing one, a fetch of the other two,
	// and one reader for everything read.
	assert.Equal(t, 2, fetches)
	assert.Equal(t, 4, runs)
}

func TestGitProcessesPerRepositoryAreConstant(t *testing.T) {
	t.Parallel()
	repos := newTestRepos(t)
	git, count := countingGit(t)
	src := newSource(t, repos, gitsource.WithGitBinary(git))

	fsys, err := src.Tree(t.Context(), "acme", "app", "main")
	require.NoError(t, err)
	for range 20 {
		require.NoError(t, fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Type() == fs.ModeSymlink {
				return err
			}
			_, err = fs.ReadFile(fsys, p)
			return err
		}))
		_, err := src.ReadFile(t.Context(), "acme", "app", "main", "build/IMAGE-INFO.json")
		require.NoError(t, err)
	}
	fetches, runs := count()
	assert.Equal(t, 1, fetches)
	assert.Equal(t, 2, runs, "a clone and one reader, whatever the number of files read")
}

func TestMaxReaders(t *testing.T) {
	t.Parallel()
	repos := newTestRepos(t)
	// A second repository: a copy of the first.
	gittest.Run(t, filepath.Join(repos.base, "acme"), "clone", "--quiet", "--mirror", "app", "copy")
	git, count := countingGit(t)
	src := newSource(t, repos, gitsource.WithGitBinary(git), gitsource.WithMaxReaders(1))

	a, err := src.Tree(t.Context(), "acme", "app", "main")
	require.NoError(t, err)
	b, err := src.Tree(t.Context(), "acme", "copy", "nightly")
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 5 {
				data, err := fs.ReadFile(a, "src/app/Dockerfile")
				assert.NoError(t, err)
				assert.Equal(t, "FROM alpine:3.20\n", string(data))
				data, err = fs.ReadFile(b, "src/app/Dockerfile")
				assert.NoError(t, err)
				assert.Equal(t, "FROM alpine:3.21\n", string(data))
			}
		})
	}
	wg.Wait()
	fetches, runs := count()
	assert.Equal(t, 2, fetches)
	assert.Greater(t, runs, 4, "readers were stopped and started again")
}

// gitHTTPServer serves the test repositories over git's smart HTTP protocol (git
// http-backend) and asks for basic authentication with user and password. Before answering
// each request it checks that no process's command line holds the password.
func gitHTTPServer(t *testing.T, repos testRepos, user, password string, secrets ...string) *httptest.Server {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	require.NoError(t, err)
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		if os.Getenv("BASEFLOW_INTEGRATION") != "" {
			t.Fatalf("git-http-backend: %v", err)
		}
		t.Skipf("git-http-backend: %v", err)
	}
	h := &cgi.Handler{
		Path: backend,
		Env: append([]string{"GIT_PROJECT_ROOT=" + repos.base, "GIT_HTTP_EXPORT_ALL=1"},
			isolatedGitEnv...),
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, secret := range append(secrets, password) {
			assertNoCommandLineHolds(t, secret)
		}
		if r.Header.Get("Authorization") != want {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// assertNoCommandLineHolds fails the test when a process's command line contains secret.
func assertNoCommandLineHolds(t *testing.T, secret string) {
	t.Helper()
	cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range cmdlines {
		data, err := os.ReadFile(p)
		if err == nil {
			assert.NotContains(t, string(data), secret, "command line of %s", p)
		}
	}
}

func TestCredentialsNeverOnDiskOrCommandLine(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skip("needs /proc to see command lines")
	}
	repos := newTestRepos(t)
	const user, password = "ci-bot", "pa55-W0rd/with%chars"
	escaped := strings.ReplaceAll(strings.ReplaceAll(password, "%", "%25"), "/", "%2F")
	srv := gitHTTPServer(t, repos, user, password, escaped)
	git, _ := countingGit(t)
	argvLog := filepath.Join(filepath.Dir(git), "git.log")
	parent := t.TempDir()
	src := newSource(t, repos,
		gitsource.WithURLTemplate(strings.Replace(srv.URL, "http://", "http://"+user+":"+escaped+"@", 1)+"/{owner}/{repo}"),
		gitsource.WithTempDir(parent),
		gitsource.WithGitBinary(git),
	)
	src.Prefetch([]subscription.Branch{{Owner: "acme", Repo: "app", Branch: "main"}, {Owner: "acme", Repo: "app", Branch: "nightly"}})

	fsys, err := src.Tree(t.Context(), "acme", "app", "nightly")
	require.NoError(t, err, "the credentials reach the server")
	data, err := fs.ReadFile(fsys, "nightly.txt")
	require.NoError(t, err)
	assert.Equal(t, "only on nightly\n", string(data))
	data, err = src.ReadFile(t.Context(), "acme", "app", "main", "manifest.json")
	require.NoError(t, err)
	assert.Equal(t, `{"branch":"main"}`+"\n", string(data))

	argv, err := os.ReadFile(argvLog)
	require.NoError(t, err)
	assert.Contains(t, string(argv), srv.URL+"/acme/app", "git was given the URL without credentials")
	for _, secret := range []string{password, escaped, user + ":"} {
		assert.NotContains(t, string(argv), secret, "git's arguments")
		// Nothing under the clone holds them: config, FETCH_HEAD, logs, packs.
		require.NoError(t, filepath.WalkDir(parent, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			content, err := os.ReadFile(p)
			require.NoError(t, err)
			assert.NotContains(t, string(content), secret, p)
			return nil
		}))
	}

	// Wrong credentials fail with a message that does not hold them.
	bad := newSource(t, repos, gitsource.WithURLTemplate(strings.Replace(srv.URL, "http://", "http://"+user+":wrong-secret-1@", 1)+"/{owner}/{repo}"))
	_, err = bad.Tree(t.Context(), "acme", "app", "main")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "wrong-secret-1")
	assert.Contains(t, err.Error(), "http://***@127.0.0.1")
}

func TestRefreshFetchesIncrementally(t *testing.T) {
	t.Parallel()
	repos := newTestRepos(t)
	git, count := countingGit(t)
	src := newSource(t, repos, gitsource.WithGitBinary(git))
	dir := filepath.Join(repos.base, "acme", "app")

	before, err := src.Tree(t.Context(), "acme", "app", "main")
	require.NoError(t, err)
	data, err := src.ReadFile(t.Context(), "acme", "app", "main", "manifest.json")
	require.NoError(t, err)
	assert.Equal(t, `{"branch":"main"}`+"\n", string(data))

	// The branch moves; without Refresh the source keeps the commit it fetched.
	gittest.Init(t, dir).Write(map[string]string{"manifest.json": `{"branch":"main","v":2}` + "\n"})
	gittest.Run(t, dir, "commit", "--quiet", "--all", "--message", "v2")
	data, err = src.ReadFile(t.Context(), "acme", "app", "main", "manifest.json")
	require.NoError(t, err)
	assert.Equal(t, `{"branch":"main"}`+"\n", string(data))

	src.Refresh()
	after, err := src.Tree(t.Context(), "acme", "app", "main")
	require.NoError(t, err)
	data, err = fs.ReadFile(after, "manifest.json")
	require.NoError(t, err)
	assert.Equal(t, `{"branch":"main","v":2}`+"\n", string(data), "the refreshed source sees the new commit")
	data, err = fs.ReadFile(before, "manifest.json")
	require.NoError(t, err)
	assert.Equal(t, `{"branch":"main"}`+"\n", string(data), "a tree from before keeps its commit")

	// An unchanged branch is fetched again, into the same repository: no new clone.
	src.Refresh()
	_, err = src.ReadFile(t.Context(), "acme", "app", "main", "manifest.json")
	require.NoError(t, err)
	log, err := os.ReadFile(filepath.Join(filepath.Dir(git), "git.log"))
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(log), "clone --quiet"), "one clone:\n%s", log)
	assert.Equal(t, 2, strings.Count(string(log), " fetch "), "then a fetch per refresh:\n%s", log)
	fetches, _ := count()
	assert.Equal(t, 3, fetches)
}

// TestBranchNamesGitRefusesFailAlone: a branch name git would refuse in a refspec (or read as
// a pattern) fails on its own; the branches fetched with it are still read.
func TestBranchNamesGitRefusesFailAlone(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"a..b", "x:y", "x*", "x?", "x[1]", "x y", "x~1", "x^", "x@{1}", "feat.lock", "a/.hidden", "x.", "@"} {
		repos := newTestRepos(t)
		src := newSource(t, repos)
		src.Prefetch([]subscription.Branch{{Owner: "acme", Repo: "app", Branch: "main"},
			{Owner: "acme", Repo: "app", Branch: bad}, {Owner: "acme", Repo: "app", Branch: "nightly"}})
		_, err := src.Tree(t.Context(), "acme", "app", "main")
		require.NoError(t, err, "main, fetched with %q", bad)
		_, err = src.Tree(t.Context(), "acme", "app", bad)
		require.ErrorContains(t, err, "invalid branch", bad)
		data, err := src.ReadFile(t.Context(), "acme", "app", "nightly", "nightly.txt")
		require.NoError(t, err, "nightly, fetched with %q", bad)
		assert.Equal(t, "only on nightly\n", string(data))
	}
}

// TestRefreshAfterABranchRename: after Refresh, a branch whose name nests under one fetched
// before ("feature" → "feature/x", as when the remote renames it) is fetched all the same.
func TestRefreshAfterABranchRename(t *testing.T) {
	t.Parallel()
	repos := newTestRepos(t)
	src := newSource(t, repos)
	dir := filepath.Join(repos.base, "acme", "app")
	gittest.Run(t, dir, "branch", "feature")
	before, err := src.Tree(t.Context(), "acme", "app", "feature")
	require.NoError(t, err)
	gittest.Run(t, dir, "branch", "-D", "feature")
	gittest.Run(t, dir, "branch", "feature/x", "nightly")
	src.Refresh()
	src.Prefetch([]subscription.Branch{{Owner: "acme", Repo: "app", Branch: "feature/x"}, {Owner: "acme", Repo: "app", Branch: "main"}})
	data, err := src.ReadFile(t.Context(), "acme", "app", "feature/x", "nightly.txt")
	require.NoError(t, err)
	assert.Equal(t, "only on nightly\n", string(data))
	_, err = src.ReadFile(t.Context(), "acme", "app", "main", "manifest.json")
	require.NoError(t, err)
	data, err = fs.ReadFile(before, "manifest.json")
	require.NoError(t, err, "a tree from before still reads")
	assert.Equal(t, `{"branch":"main"}`+"\n", string(data))
}
