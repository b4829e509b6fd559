package githubrest_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/internal/githubrest"
)

func TestHeadersAndRedaction(t *testing.T) {
	t.Parallel()
	const token = "ghp_0123456789abcdefSECRET"
	var got []http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Clone())
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"message":"Bad credentials: ` + r.Header.Get("Authorization") + `"}`))
	}))
	defer srv.Close()

	c := githubrest.New(githubrest.Config{BaseURL: srv.URL, Token: token, UserAgent: "baseflow-test", HTTP: srv.Client()})
	_, err := c.Do(t.Context(), http.MethodGet, githubrest.RepoPath("acme", "a pp"), nil, nil, nil)
	require.EqualError(t, err, "GET /repos/acme/a%20pp: 401 Unauthorized: Bad credentials: Bearer ***")
	require.Len(t, got, 1)
	assert.Equal(t, "application/vnd.github+json", got[0].Get("Accept"))
	assert.Equal(t, "2022-11-28", got[0].Get("X-GitHub-Api-Version"))
	assert.Equal(t, "baseflow-test", got[0].Get("User-Agent"))
	assert.Equal(t, "Bearer "+token, got[0].Get("Authorization"))

	anonymous := githubrest.New(githubrest.Config{BaseURL: srv.URL, HTTP: srv.Client()})
	_, err = anonymous.Do(t.Context(), http.MethodGet, "/repos/a/b", nil, nil, nil)
	require.Error(t, err)
	assert.NotContains(t, got[1], "Authorization", "no token, no Authorization header")
}
