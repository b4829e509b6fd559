package githubsource_test

import (
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/githubtest"
	"github.com/baseflow/baseflow/subscription/githubsource"
)

// bigFile is 1.3 MB of pseudo-random bytes: over the 1 MB the contents API can return.
var bigFile = func() string {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 1_300_000)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return string(b)
}()

const submoduleSHA = "0123456789abcdef0123456789abcdef01234567"

// mainFiles is acme/app at main.
var mainFiles = map[string]githubtest.File{
	"manifest.json":                    {Content: `{"branch":"main"}`},
	"build/image-info.json":            {Content: `{"schemaVersion":"2.0"}`},
	"build/image-info.dotnet-big.json": {Content: bigFile},
	"src/app/Dockerfile":               {Content: "FROM alpine:3.20\n"},
	"src/app/link":                     {Content: "Dockerfile", Mode: "120000"},
	"src/up":                           {Content: "../manifest.json", Mode: "120000"},
	"dirlink":                          {Content: "src/app", Mode: "120000"},
	"escape-abs":                       {Content: "/etc/passwd", Mode: "120000"},
	"escape-rel":                       {Content: "src/../../outside.txt", Mode: "120000"},
	"loop1":                            {Content: "loop2", Mode: "120000"},
	"loop2":                            {Content: "loop1", Mode: "120000"},
	"Readme.md":                        {Content: "mixed case"},
	"README.md":                        {Content: "upper case"},
	"run.sh":                           {Content: "#!/bin/sh\n", Mode: "100755"},
	"vendor/lib":                       {Content: submoduleSHA, Mode: "160000"},
}

// newServer starts a fake API with acme/app (branches main, nightly and release/8.0) and
// acme/clean (no links that leave the repository or loop), and checks at the end of the test
// that every request followed the API.
func newServer(t *testing.T, opts ...githubtest.Option) *githubtest.Server {
	t.Helper()
	srv := githubtest.NewServer(t, opts...)
	srv.SetBranch("acme", "app", "main", mainFiles)
	srv.SetBranch("acme", "app", "nightly", map[string]githubtest.File{
		"manifest.json":         {Content: `{"branch":"nightly"}`},
		"build/image-info.json": {Content: `{"schemaVersion":"2.1"}`},
		"nightly.txt":           {Content: "only on nightly\n"},
	})
	srv.SetBranch("acme", "app", "release/8.0", map[string]githubtest.File{
		"manifest.json":         {Content: `{"branch":"release/8.0"}`},
		"build/image-info.json": {Content: `{"schemaVersion":"1.0"}`},
	})
	srv.SetBranch("acme", "clean", "main", map[string]githubtest.File{
		"manifest.json":      {Content: `{"repos":[]}`},
		"src/a/Dockerfile":   {Content: "FROM alpine\n"},
		"src/a/link":         {Content: "Dockerfile", Mode: "120000"},
		"src/b/Dockerfile":   {Content: "FROM scratch\n"},
		"src/b/tool.sh":      {Content: "#!/bin/sh\n", Mode: "100755"},
		"src/latest":         {Content: "b", Mode: "120000"},
		"docs/deep/er/x.txt": {Content: "x"},
	})
	return srv
}

// newSource returns a Source for srv with fast retries, closed at the end of the test.
func newSource(t *testing.T, srv *githubtest.Server, opts ...githubsource.Option) *githubsource.Source {
	t.Helper()
	opts = append([]githubsource.Option{
		githubsource.WithBaseURL(srv.URL),
		githubsource.WithBackoff(time.Millisecond), githubsource.WithMaxRetryWait(time.Second),
		githubsource.WithHTTPClient(&http.Client{}),
	}, opts...)
	src, err := githubsource.New(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, src.Close()) })
	return src
}
