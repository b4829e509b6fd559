package githubsource_test

import (
	"errors"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/githubtest"
	"github.com/baseflow/baseflow/subscription/githubsource"
)

func TestReadFile(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	src := newSource(t, srv)

	tests := []struct {
		name, repo, branch, path string
		want                     string
		wantErr                  error
		notErr                   []error
		wantErrText              string
	}{
		{name: "root", branch: "main", path: "manifest.json", want: `{"branch":"main"}`},
		{name: "nested", branch: "main", path: "build/image-info.json", want: `{"schemaVersion":"2.0"}`},
		{name: "other branch", branch: "nightly", path: "build/image-info.json", want: `{"schemaVersion":"2.1"}`},
		{name: "branch with slash", branch: "release/8.0", path: "build/image-info.json", want: `{"schemaVersion":"1.0"}`},
		{name: "1.3 MB", branch: "main", path: "build/image-info.dotnet-big.json", want: bigFile},
		{name: "case-insensitive name", branch: "main", path: "build/IMAGE-INFO.JSON", want: `{"schemaVersion":"2.0"}`},
		{name: "exact case preferred", branch: "main", path: "Readme.md", want: "mixed case"},
		{name: "exact case preferred upper", branch: "main", path: "README.md", want: "upper case"},
		{name: "leading slash", branch: "main", path: "/build/image-info.json", want: `{"schemaVersion":"2.0"}`},
		{name: "link", branch: "main", path: "src/app/link", want: "FROM alpine:3.20\n"},
		{name: "link to parent", branch: "main", path: "src/up", want: `{"branch":"main"}`},
		{name: "link in directory", branch: "main", path: "dirlink/Dockerfile", want: "FROM alpine:3.20\n"},
		{
			name: "missing file", branch: "main", path: "build/nope.json",
			wantErr: fs.ErrNotExist, notErr: []error{githubsource.ErrBranchNotFound, githubsource.ErrRepositoryNotFound},
		},
		{
			name: "missing directory", branch: "main", path: "nope/image-info.json",
			wantErr: fs.ErrNotExist, notErr: []error{githubsource.ErrBranchNotFound, githubsource.ErrRepositoryNotFound},
		},
		{
			name: "missing root file", branch: "nightly", path: "README.md",
			wantErr: fs.ErrNotExist, notErr: []error{githubsource.ErrBranchNotFound, githubsource.ErrRepositoryNotFound},
		},
		{
			name: "missing branch", branch: "release/9.0", path: "build/image-info.json",
			wantErr: githubsource.ErrBranchNotFound, notErr: []error{githubsource.ErrRepositoryNotFound},
		},
		{
			name: "missing branch root file", branch: "gone", path: "manifest.json",
			wantErr: githubsource.ErrBranchNotFound, notErr: []error{githubsource.ErrRepositoryNotFound},
		},
		{
			name: "missing repository", repo: "nope", branch: "main", path: "build/image-info.json",
			wantErr: githubsource.ErrRepositoryNotFound, notErr: []error{githubsource.ErrBranchNotFound},
		},
		{name: "directory", branch: "main", path: "build", wantErrText: "is a directory"},
		{name: "submodule", branch: "main", path: "vendor/lib", wantErrText: "is a directory"},
		{name: "absolute link", branch: "main", path: "escape-abs", wantErrText: "outside the repository"},
		{name: "relative link out", branch: "main", path: "escape-rel", wantErrText: "outside the repository"},
		{name: "link loop", branch: "main", path: "loop1", wantErrText: "too many levels of symbolic links"},
		{name: "invalid path", branch: "main", path: "../x", wantErr: fs.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			repo := tt.repo
			if repo == "" {
				repo = "app"
			}
			data, err := src.ReadFile(t.Context(), "acme", repo, tt.branch, tt.path)
			switch {
			case tt.wantErr != nil:
				require.ErrorIs(t, err, tt.wantErr)
				for _, e := range tt.notErr {
					assert.NotErrorIs(t, err, e)
				}
			case tt.wantErrText != "":
				require.ErrorContains(t, err, tt.wantErrText)
				assert.NotErrorIs(t, err, fs.ErrNotExist)
			default:
				require.NoError(t, err)
				assert.True(t, tt.want == string(data), "content of %s: %d bytes, want %d", tt.path, len(data), len(tt.want))
			}
		})
	}
}

func TestReadFileRequests(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	src := newSource(t, srv)
	ctx := t.Context()

	_, err := src.ReadFile(ctx, "acme", "app", "release/8.0", "build/image-info.json")
	require.NoError(t, err)
	requests := srv.RequestLines()
	require.Len(t, requests, 2)
	assert.Equal(t, "GET /repos/acme/app/git/trees/release%2F8.0:build", requests[0])
	assert.Regexp(t, `^GET /repos/acme/app/git/blobs/[0-9a-f]{40}$`, requests[1])

	// Cached: no more requests for the same file.
	_, err = src.ReadFile(ctx, "acme", "app", "release/8.0", "build/image-info.json")
	require.NoError(t, err)
	assert.Len(t, srv.RequestLines(), 2)

	srv.ResetRequests()
	_, err = src.ReadFile(ctx, "acme", "app", "main", "manifest.json")
	require.NoError(t, err)
	requests = srv.RequestLines()
	require.Len(t, requests, 2)
	assert.Equal(t, "GET /repos/acme/app/git/trees/main", requests[0])

	// A missing branch costs the listing and one repository request to tell why.
	srv.ResetRequests()
	_, err = src.ReadFile(ctx, "acme", "app", "gone", "manifest.json")
	require.ErrorIs(t, err, githubsource.ErrBranchNotFound)
	assert.Equal(t, []string{"GET /repos/acme/app/git/trees/gone", "GET /repos/acme/app"}, srv.RequestLines())
	assert.Contains(t, err.Error(), "acme/app branch gone: branch not found: GET "+srv.URL+"/repos/acme/app/git/trees/gone: 404 Not Found")
}

func TestTreeFS(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	src := newSource(t, srv)

	fsys, err := src.Tree(t.Context(), "acme", "clean", "main")
	require.NoError(t, err)
	require.NoError(t, fstest.TestFS(fsys,
		"manifest.json", "src/a/Dockerfile", "src/a/link", "src/b/Dockerfile", "src/b/tool.sh",
		"src/latest", "docs/deep/er/x.txt"))

	data, err := fs.ReadFile(fsys, "src/latest/tool.sh")
	require.NoError(t, err)
	assert.Equal(t, "#!/bin/sh\n", string(data))
	info, err := fs.Stat(fsys, "src/b/tool.sh")
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o755), info.Mode())
	assert.Equal(t, int64(len("#!/bin/sh\n")), info.Size())
}

func TestTree(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	src := newSource(t, srv)

	fsys, err := src.Tree(t.Context(), "acme", "app", "main")
	require.NoError(t, err)
	assert.Equal(t, []string{"GET /repos/acme/app/git/trees/main?recursive=1"}, srv.RequestLines(), "one listing request")

	var files, dirs []string
	require.NoError(t, fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		if d.IsDir() {
			dirs = append(dirs, p)
		} else {
			files = append(files, p)
		}
		return nil
	}))
	assert.Equal(t, []string{
		"README.md", "Readme.md", "build/image-info.dotnet-big.json", "build/image-info.json",
		"dirlink", "escape-abs", "escape-rel", "loop1", "loop2", "manifest.json", "run.sh",
		"src/app/Dockerfile", "src/app/link", "src/up",
	}, files)
	assert.Equal(t, []string{".", "build", "src", "src/app", "vendor", "vendor/lib"}, dirs)
	assert.Len(t, srv.RequestLines(), 1, "walking needs no request")

	// Contents are fetched on first use, then cached.
	data, err := fs.ReadFile(fsys, "build/image-info.dotnet-big.json")
	require.NoError(t, err)
	assert.True(t, bigFile == string(data), "1.3 MB file content")
	assert.Len(t, srv.RequestLines(), 2)
	f, err := fsys.Open("build/image-info.dotnet-big.json")
	require.NoError(t, err)
	info, err := f.Stat()
	require.NoError(t, err)
	assert.Equal(t, int64(len(bigFile)), info.Size())
	require.NoError(t, f.Close())
	assert.Len(t, srv.RequestLines(), 2)

	tests := []struct {
		name, want, wantErr string
	}{
		{name: "src/app/link", want: "FROM alpine:3.20\n"},
		{name: "src/up", want: `{"branch":"main"}`},
		{name: "dirlink/Dockerfile", want: "FROM alpine:3.20\n"},
		{name: "escape-abs", wantErr: "outside the repository"},
		{name: "escape-rel", wantErr: "outside the repository"},
		{name: "loop1", wantErr: "too many levels"},
		{name: "src/nope", wantErr: "file does not exist"},
		{name: "manifest.json/x", wantErr: "file does not exist"},
		{name: "MANIFEST.json", wantErr: "file does not exist"}, // exact names in the file system
		{name: "../x", wantErr: "invalid argument"},
	}
	for _, tt := range tests {
		data, err := fs.ReadFile(fsys, tt.name)
		_, openErr := fsys.Open(tt.name)
		if tt.wantErr != "" {
			assert.ErrorContains(t, err, tt.wantErr, tt.name)
			assert.ErrorContains(t, openErr, tt.wantErr, tt.name)
			continue
		}
		require.NoError(t, err, tt.name)
		require.NoError(t, openErr, tt.name)
		assert.Equal(t, tt.want, string(data), tt.name)
	}

	rl, ok := fsys.(fs.ReadLinkFS)
	require.True(t, ok, "implements fs.ReadLinkFS")
	target, err := rl.ReadLink("escape-abs")
	require.NoError(t, err)
	assert.Equal(t, "/etc/passwd", target)
	linfo, err := rl.Lstat("dirlink")
	require.NoError(t, err)
	assert.Equal(t, fs.ModeSymlink, linfo.Mode().Type())
	sinfo, err := fs.Stat(fsys, "dirlink")
	require.NoError(t, err)
	assert.True(t, sinfo.IsDir(), "Stat follows the link to a directory")
	_, err = rl.ReadLink("manifest.json")
	assert.ErrorContains(t, err, "not a symbolic link")

	entries, err := fs.ReadDir(fsys, "dirlink")
	require.NoError(t, err)
	require.Len(t, entries, 2)
	assert.Equal(t, "Dockerfile", entries[0].Name())
	assert.Equal(t, "link", entries[1].Name())
	assert.Equal(t, fs.ModeSymlink, entries[1].Type())

	entries, err = fs.ReadDir(fsys, "vendor/lib")
	require.NoError(t, err)
	assert.Empty(t, entries, "a submodule is an empty directory")
	_, err = fs.ReadDir(fsys, "manifest.json")
	assert.ErrorContains(t, err, "not a directory")

	// Branches are separate trees.
	nightly, err := src.Tree(t.Context(), "acme", "app", "nightly")
	require.NoError(t, err)
	data, err = fs.ReadFile(nightly, "nightly.txt")
	require.NoError(t, err)
	assert.Equal(t, "only on nightly\n", string(data))
	_, err = fs.Stat(fsys, "nightly.txt")
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func TestTreeTruncated(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.SetTruncated(true)
	src := newSource(t, srv)

	fsys, err := src.Tree(t.Context(), "acme", "clean", "main")
	require.NoError(t, err)
	requests := srv.RequestLines()
	// The recursive listing, then one per directory: ., docs, src, docs/deep, src/a, src/b, docs/deep/er.
	require.Len(t, requests, 8)
	assert.Equal(t, "GET /repos/acme/clean/git/trees/main?recursive=1", requests[0])
	assert.Equal(t, "GET /repos/acme/clean/git/trees/main", requests[1])
	for _, r := range requests[2:] {
		assert.Regexp(t, `^GET /repos/acme/clean/git/trees/[0-9a-f]{40}$`, r)
	}
	require.NoError(t, fstest.TestFS(fsys,
		"manifest.json", "src/a/Dockerfile", "src/a/link", "src/b/Dockerfile", "src/b/tool.sh",
		"src/latest", "docs/deep/er/x.txt"))
}

func TestTreeNotFound(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	src := newSource(t, srv)

	_, err := src.Tree(t.Context(), "acme", "app", "release/9.0")
	require.ErrorIs(t, err, githubsource.ErrBranchNotFound)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.NotErrorIs(t, err, githubsource.ErrRepositoryNotFound)

	_, err = src.Tree(t.Context(), "acme", "nope", "main")
	require.ErrorIs(t, err, githubsource.ErrRepositoryNotFound)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.NotErrorIs(t, err, githubsource.ErrBranchNotFound)
	var httpErr *githubsource.HTTPError
	require.ErrorAs(t, err, &httpErr)
	assert.Equal(t, http.StatusNotFound, httpErr.StatusCode)
	assert.Equal(t, "Not Found", httpErr.Message)

	// Not-found answers are cached for the Source's lifetime.
	n := len(srv.RequestLines())
	_, err = src.Tree(t.Context(), "acme", "nope", "main")
	require.ErrorIs(t, err, githubsource.ErrRepositoryNotFound)
	assert.Len(t, srv.RequestLines(), n)
}

func TestConcurrentRequestsOnce(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	src := newSource(t, srv)

	const n = 10
	var wg sync.WaitGroup
	start := make(chan struct{})
	trees := make([]fs.FS, n)
	files := make([][]byte, n)
	errs := make([]error, 2*n)
	for i := range n {
		wg.Go(func() {
			<-start
			trees[i], errs[i] = src.Tree(t.Context(), "acme", "app", "nightly")
		})
		wg.Go(func() {
			<-start
			files[i], errs[n+i] = src.ReadFile(t.Context(), "acme", "app", "main", "build/image-info.json")
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		require.NoError(t, errs[n+i])
		assert.Same(t, trees[0], trees[i])
		assert.Equal(t, `{"schemaVersion":"2.0"}`, string(files[i]))
	}
	count := map[string]int{}
	for _, r := range srv.RequestLines() {
		count[r]++
	}
	assert.Len(t, count, 3)
	for r, c := range count {
		assert.Equal(t, 1, c, r)
	}
	assert.Equal(t, 1, count["GET /repos/acme/app/git/trees/nightly?recursive=1"])
	assert.Equal(t, 1, count["GET /repos/acme/app/git/trees/main:build"])

	// Concurrent reads of one lazily fetched file make one blob request.
	srv.ResetRequests()
	for i := range n {
		wg.Go(func() {
			data, err := fs.ReadFile(trees[i], "manifest.json")
			assert.NoError(t, err)
			assert.Equal(t, `{"branch":"nightly"}`, string(data))
		})
	}
	wg.Wait()
	assert.Len(t, srv.RequestLines(), 1)
}

func TestToken(t *testing.T) {
	t.Parallel()
	const token = "ghp_s3cretTokenValue0123456789"

	t.Run("sent", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t, githubtest.WithToken(token))
		src := newSource(t, srv, githubsource.WithToken(token))
		data, err := src.ReadFile(t.Context(), "acme", "app", "main", "manifest.json")
		require.NoError(t, err)
		assert.Equal(t, `{"branch":"main"}`, string(data))
		// The server rejects requests without the exact header; none were rejected.
		assert.Empty(t, srv.Violations())
	})
	t.Run("absent without a token", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t) // rejects any Authorization header
		src := newSource(t, srv)
		_, err := src.Tree(t.Context(), "acme", "app", "main")
		require.NoError(t, err)
	})
	t.Run("never in errors", func(t *testing.T) {
		t.Parallel()
		srv := githubtest.NewServer(t, githubtest.WithToken("another-token"))
		srv.SetBranch("acme", "app", "main", mainFiles)
		src := newSource(t, srv, githubsource.WithToken(token), githubsource.WithMaxRetries(1))
		_, err := src.ReadFile(t.Context(), "acme", "app", "main", "manifest.json")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "401 Unauthorized: Bad credentials")
		assert.NotContains(t, err.Error(), token)

		srv2 := newServer(t, githubtest.WithToken(token))
		srv2.FailNextWith("", http.StatusInternalServerError, 10, nil)
		src2 := newSource(t, srv2, githubsource.WithToken(token), githubsource.WithMaxRetries(1))
		_, err = src2.Tree(t.Context(), "acme", "app", "main")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "500 Internal Server Error")
		assert.NotContains(t, err.Error(), token)
	})
}

func TestNewFromEnv(t *testing.T) {
	const token = "ghp_fromTheEnvironment"
	srv := newServer(t, githubtest.WithToken(token))
	t.Setenv("GITHUB_TOKEN", token)
	t.Setenv("GITHUB_API_URL", srv.URL)
	src, err := githubsource.NewFromEnv(githubsource.WithHTTPClient(&http.Client{}))
	require.NoError(t, err)
	defer src.Close()
	data, err := src.ReadFile(t.Context(), "acme", "app", "nightly", "nightly.txt")
	require.NoError(t, err)
	assert.Equal(t, "only on nightly\n", string(data))
}

func TestRetries(t *testing.T) {
	t.Parallel()
	zero := http.Header{"Retry-After": {"0"}}
	tests := []struct {
		name      string
		failures  int
		status    int
		header    http.Header
		retries   int
		wantErr   string
		wantTries int
	}{
		{name: "503 then success", failures: 1, status: 503, header: zero, retries: 4, wantTries: 3},
		{name: "429 then success", failures: 2, status: 429, header: zero, retries: 4, wantTries: 4},
		{name: "502 without Retry-After", failures: 2, status: 502, retries: 4, wantTries: 4},
		{
			name: "rate limited 403", failures: 1, status: 403, retries: 4, wantTries: 3,
			header: http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"0"}},
		},
		{
			name: "retries exhausted", failures: 10, status: 502, retries: 2, wantTries: 3,
			wantErr: "GET SERVER/repos/acme/app/git/trees/main:build: 502 Bad Gateway",
		},
		{
			name: "Retry-After too long", failures: 1, status: 503, retries: 4, wantTries: 1,
			header:  http.Header{"Retry-After": {"3600"}},
			wantErr: "GET SERVER/repos/acme/app/git/trees/main:build: 503 Service Unavailable",
		},
		{
			name: "403 not retried", failures: 1, status: 403, retries: 4, wantTries: 1,
			wantErr: "403 Forbidden",
		},
		{
			// The second request is the top listing, made to tell what is missing.
			name: "404 not retried", failures: 1, status: 404, retries: 4, wantTries: 2,
			wantErr: "GET SERVER/repos/acme/app/git/trees/main:build: 404 Not Found",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			srv.FailNextWith("", tt.status, tt.failures, tt.header)
			src := newSource(t, srv, githubsource.WithMaxRetries(tt.retries))
			data, err := src.ReadFile(t.Context(), "acme", "app", "main", "build/image-info.json")
			if tt.wantErr != "" {
				require.ErrorContains(t, err, strings.ReplaceAll(tt.wantErr, "SERVER", srv.URL))
				var httpErr *githubsource.HTTPError
				require.ErrorAs(t, err, &httpErr)
				assert.Equal(t, tt.status, httpErr.StatusCode)
				assert.Equal(t, "GET", httpErr.Method)
			} else {
				require.NoError(t, err)
				assert.Equal(t, `{"schemaVersion":"2.0"}`, string(data))
			}
			// Every try asks for the directory listing; a successful one then for the blob.
			assert.Len(t, srv.RequestLines(), tt.wantTries)
		})
	}
}

func TestEnterpriseBaseURL(t *testing.T) {
	t.Parallel()
	srv := newServer(t, githubtest.WithPathPrefix("/api/v3"), githubtest.WithToken("ghes-token"))
	require.True(t, strings.HasSuffix(srv.URL, "/api/v3"))
	for _, base := range []string{srv.URL, srv.URL + "/"} {
		src := newSource(t, srv, githubsource.WithBaseURL(base), githubsource.WithToken("ghes-token"))
		data, err := src.ReadFile(t.Context(), "acme", "app", "release/8.0", "build/image-info.json")
		require.NoError(t, err)
		assert.Equal(t, `{"schemaVersion":"1.0"}`, string(data))
		fsys, err := src.Tree(t.Context(), "acme", "app", "nightly")
		require.NoError(t, err)
		data, err = fs.ReadFile(fsys, "nightly.txt")
		require.NoError(t, err)
		assert.Equal(t, "only on nightly\n", string(data))
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	src, err := githubsource.New(githubsource.WithBaseURL(srv.URL), githubsource.WithHTTPClient(&http.Client{}))
	require.NoError(t, err)
	fsys, err := src.Tree(t.Context(), "acme", "app", "main")
	require.NoError(t, err)
	require.NoError(t, src.Close())
	require.NoError(t, src.Close(), "Close twice")

	_, err = fs.ReadFile(fsys, "manifest.json")
	assert.ErrorIs(t, err, githubsource.ErrClosed)
	_, err = src.Tree(t.Context(), "acme", "app", "main")
	assert.ErrorIs(t, err, githubsource.ErrClosed)
	_, err = src.ReadFile(t.Context(), "acme", "app", "main", "manifest.json")
	assert.ErrorIs(t, err, githubsource.ErrClosed)
}

func TestInvalidArguments(t *testing.T) {
	t.Parallel()
	_, err := githubsource.New(githubsource.WithBaseURL("api.github.com"))
	assert.ErrorContains(t, err, "not an absolute http(s) URL")
	_, err = githubsource.New(githubsource.WithToken("a\nb"))
	assert.Error(t, err)

	src, err := githubsource.New(githubsource.WithBaseURL("http://127.0.0.1:1"))
	require.NoError(t, err)
	defer src.Close()
	for _, ref := range [][3]string{
		{"", "app", "main"}, {"acme", "", "main"}, {"acme", "app", ""},
		{"acme/x", "app", "main"}, {"acme", "a/b", "main"}, {"..", "app", "main"},
		{"acme", "app", "main:src"}, {"acme", "app", "a/../b"}, {"acme", "app", "a\nb"},
	} {
		_, err := src.Tree(t.Context(), ref[0], ref[1], ref[2])
		assert.ErrorContains(t, err, "githubsource: invalid", "%q", ref)
		var httpErr *githubsource.HTTPError
		assert.False(t, errors.As(err, &httpErr), "no request for %q", ref)
	}
	for _, p := range []string{"", ".", "..", "a/../../b"} {
		_, err := src.ReadFile(t.Context(), "acme", "app", "main", p)
		assert.ErrorIs(t, err, fs.ErrInvalid, "%q", p)
	}
}
