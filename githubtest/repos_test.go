package githubtest_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/githubtest"
	"github.com/baseflow/baseflow/subscription/gitsource/gittest"
)

func get(t *testing.T, url string, header http.Header) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, body
}

func apiHeader() http.Header {
	return http.Header{
		"Accept":               {"application/vnd.github+json"},
		"X-Github-Api-Version": {"2022-11-28"},
		"User-Agent":           {"githubtest-test"},
	}
}

func TestObjectNamesMatchGit(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("needs symbolic links")
	}
	files := map[string]githubtest.File{
		"a.txt":           {Content: "a\n"},
		"a-b/x":           {Content: "x\n"},
		"a/b/c.sh":        {Content: "#!/bin/sh\n", Mode: "100755"},
		"a/link":          {Content: "b/c.sh", Mode: "120000"},
		"zzz/Dockerfile":  {Content: "FROM alpine\n"},
		"a.b/Dockerfile2": {Content: "FROM scratch\n"},
	}
	dir := t.TempDir()
	for name, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		if f.Mode == "120000" {
			require.NoError(t, os.Symlink(f.Content, p))
			continue
		}
		perm := os.FileMode(0o644)
		if f.Mode == "100755" {
			perm = 0o755
		}
		require.NoError(t, os.WriteFile(p, []byte(f.Content), perm))
	}
	repo := gittest.Init(t, dir)
	repo.Git("add", "--all")
	want := repo.Git("write-tree")

	srv := githubtest.NewServer(t)
	srv.SetBranch("acme", "app", "main", files)
	status, body := get(t, srv.URL+"/repos/acme/app/git/trees/main", apiHeader())
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, want, body["sha"])
	assert.Empty(t, srv.Violations())
}

// stubTB collects what the fake reports at cleanup instead of failing the test.
type stubTB struct {
	testing.TB
	cleanups []func()
	errors   []string
}

func (s *stubTB) Cleanup(f func())                  { s.cleanups = append(s.cleanups, f) }
func (s *stubTB) Errorf(format string, args ...any) { s.errors = append(s.errors, format) }

func TestServerChecksRequests(t *testing.T) {
	t.Parallel()
	tb := &stubTB{}
	srv := githubtest.NewServer(tb, githubtest.WithPathPrefix("/api/v3"), githubtest.WithToken("tok"))
	defer srv.Close()
	srv.SetBranch("acme", "app", "release/8.0", map[string]githubtest.File{
		"src/a/Dockerfile": {Content: strings.Repeat("x", 100)},
	})
	auth := apiHeader()
	auth.Set("Authorization", "Bearer tok")

	status, body := get(t, srv.URL+"/repos/acme/app/git/trees/release%2F8.0:src%2Fa", auth)
	require.Equal(t, http.StatusOK, status)
	tree := body["tree"].([]any)
	require.Len(t, tree, 1)
	entry := tree[0].(map[string]any)
	assert.Equal(t, "Dockerfile", entry["path"])
	assert.Equal(t, "100644", entry["mode"])
	assert.EqualValues(t, 100, entry["size"])

	status, body = get(t, srv.URL+"/repos/acme/app/git/blobs/"+entry["sha"].(string), auth)
	require.Equal(t, http.StatusOK, status)
	content := body["content"].(string)
	assert.Equal(t, 60, strings.Index(content, "\n"), "base64 in lines of 60 characters")
	data, err := base64.StdEncoding.DecodeString(content)
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("x", 100), string(data))

	status, _ = get(t, srv.URL+"/repos/acme/app/git/trees/release%2F8.0?recursive=1", auth)
	assert.Equal(t, http.StatusOK, status)
	status, _ = get(t, srv.URL+"/repos/acme/app/git/trees/nope", auth)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Empty(t, srv.Violations(), "documented requests are not errors")

	// Not following the API: an unescaped ref, a missing header, a wrong token, no prefix.
	status, _ = get(t, srv.URL+"/repos/acme/app/git/trees/release/8.0", auth)
	assert.Equal(t, http.StatusNotFound, status)
	status, _ = get(t, srv.URL+"/repos/acme/app", http.Header{"Authorization": {"Bearer tok"}})
	assert.Equal(t, http.StatusBadRequest, status)
	status, _ = get(t, srv.URL+"/repos/acme/app", apiHeader())
	assert.Equal(t, http.StatusUnauthorized, status)
	status, _ = get(t, strings.TrimSuffix(srv.URL, "/api/v3")+"/repos/acme/app", auth)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Len(t, srv.Violations(), 3, "an unescaped ref, a missing header, a path outside the prefix")

	assert.Equal(t, []string{
		"GET /repos/acme/app/git/trees/release%2F8.0:src%2Fa",
		"GET /repos/acme/app/git/blobs/" + entry["sha"].(string),
		"GET /repos/acme/app/git/trees/release%2F8.0?recursive=1",
		"GET /repos/acme/app/git/trees/nope",
		"GET /repos/acme/app/git/trees/release/8.0",
		"GET /repos/acme/app",
		"GET /repos/acme/app",
	}, srv.RequestLines())
	for _, f := range tb.cleanups {
		f()
	}
	assert.Len(t, tb.errors, 3, "every violation fails the test")
}

func TestAnonymousServerRejectsCredentials(t *testing.T) {
	t.Parallel()
	tb := &stubTB{}
	srv := githubtest.NewServer(tb)
	defer srv.Close()
	srv.SetBranch("acme", "app", "main", map[string]githubtest.File{"a.txt": {Content: "a"}})
	status, _ := get(t, srv.URL+"/repos/acme/app", apiHeader())
	assert.Equal(t, http.StatusOK, status)
	auth := apiHeader()
	auth.Set("Authorization", "Bearer whatever")
	status, _ = get(t, srv.URL+"/repos/acme/app", auth)
	assert.Equal(t, http.StatusUnauthorized, status)
	require.Len(t, srv.Violations(), 1)
	assert.Contains(t, srv.Violations()[0], "Authorization header sent to an anonymous API")
	noAgent := apiHeader()
	noAgent["User-Agent"] = []string{""} // net/http sends no User-Agent header
	status, _ = get(t, srv.URL+"/repos/acme/app", noAgent)
	assert.Equal(t, http.StatusForbidden, status, "GitHub requires a User-Agent")
	assert.Len(t, srv.Violations(), 2)
}

// A fake injected failure comes after the contract checks, with the headers asked for.
func TestFailNextWith(t *testing.T) {
	t.Parallel()
	srv := githubtest.NewServer(t)
	srv.SetBranch("acme", "app", "main", map[string]githubtest.File{"a.txt": {Content: "a"}})
	srv.FailNextWith("", http.StatusTooManyRequests, 1, http.Header{"Retry-After": {"3"}})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/repos/acme/app", nil)
	require.NoError(t, err)
	req.Header = apiHeader()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "3", resp.Header.Get("Retry-After"))
	status, _ := get(t, srv.URL+"/repos/acme/app", apiHeader())
	assert.Equal(t, http.StatusOK, status, "only the next request fails")
}
