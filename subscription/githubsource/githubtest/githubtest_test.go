package githubtest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/subscription/githubsource"
	"github.com/baseflow/baseflow/subscription/githubsource/githubtest"
)

func TestFormerMethodSet(t *testing.T) {
	t.Parallel()
	srv := githubtest.NewServer(githubtest.WithToken("tok"))
	defer srv.Close()
	srv.SetBranch("acme", "app", "main", map[string]githubtest.File{"a.txt": {Content: "a"}})
	srv.FailNext(1, http.StatusServiceUnavailable, http.Header{"Retry-After": {"0"}})
	src, err := githubsource.New(githubsource.WithBaseURL(srv.URL), githubsource.WithToken("tok"))
	require.NoError(t, err)
	defer src.Close()
	data, err := src.ReadFile(t.Context(), "acme", "app", "main", "a.txt")
	require.NoError(t, err)
	assert.Equal(t, "a", string(data))
	assert.Equal(t, []string{"GET /repos/acme/app/git/trees/main", "GET /repos/acme/app/git/trees/main", "GET /repos/acme/app/git/blobs/2e65efe2a145dda7ee51d1741299f848e5bf752e"}, srv.Requests())
	assert.Empty(t, srv.Errors())
}
