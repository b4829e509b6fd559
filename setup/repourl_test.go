package setup

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestExpandUserinfo(t *testing.T) {
	env := map[string]string{"GIT_TOKEN": "t0k/en:@ x", "GIT_USER": "bot"}
	getenv := func(k string) string { return env[k] }
	for in, want := range map[string]string{
		"https://x-access-token:${GIT_TOKEN}@host/{owner}/{repo}.git": "https://x-access-token:t0k%2Fen%3A%40%20x@host/{owner}/{repo}.git",
		"http://$GIT_USER:$GIT_TOKEN@127.0.0.1:8080/{owner}/{repo}":   "http://bot:t0k%2Fen%3A%40%20x@127.0.0.1:8080/{owner}/{repo}",
		"HTTPS://${GIT_TOKEN}@host":                                   "HTTPS://t0k%2Fen%3A%40%20x@host",
		// Only the user information is expanded; other URLs are left alone.
		"https://user:secret@host/{owner}/{repo}": "https://user:secret@host/{owner}/{repo}",
		"https://host/$GIT_TOKEN/{owner}/{repo}":  "https://host/$GIT_TOKEN/{owner}/{repo}",
		"ssh://$GIT_USER@host/{owner}/{repo}":     "ssh://$GIT_USER@host/{owner}/{repo}",
		"file:///srv/git/{owner}/{repo}":          "file:///srv/git/{owner}/{repo}",
	} {
		got, err := expandUserinfo(in, getenv)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}

	_, err := expandUserinfo("https://x:${MISSING_TOKEN}@host/{owner}/{repo}", getenv)
	require.ErrorContains(t, err, "environment variable MISSING_TOKEN is not set")
	require.ErrorContains(t, err, "https://***@host/{owner}/{repo}")
}

func TestOpenSourcesRefusesAnUnsetCredentialVariable(t *testing.T) {
	_, _, err := OpenSources(SourceSettings{
		RepoURL: "https://x:${GIT_TOKEN}@host/{owner}/{repo}",
		Getenv:  func(string) string { return "" },
	})
	require.ErrorContains(t, err, "GIT_TOKEN is not set")
}
