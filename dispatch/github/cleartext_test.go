package github_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/baseflow/baseflow/dispatch/github"
	"github.com/baseflow/baseflow/internal/cleartext"
)

// TestPlainHTTPOnlyToLoopback checks that an http:// API URL, which would send the token in
// clear text, is refused unless its host is loopback.
func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://api.github.com", "http://ghe.corp.example/api/v3", "http://10.1.2.3:8080"} {
		_, err := github.New(github.WithToken(token), github.WithBaseURL(u))
		assert.ErrorIs(t, err, cleartext.ErrPlainHTTP, u)
		assert.ErrorContains(t, err, `github: API URL "`+u+`": plain http would send the token in clear text`)
		assert.NotContains(t, err.Error(), token)
	}
	for _, u := range []string{"https://api.github.com", "http://127.0.0.1:8080", "http://localhost:8080/api/v3", "http://[::1]:80"} {
		_, err := github.New(github.WithToken(token), github.WithBaseURL(u))
		assert.NoError(t, err, u)
	}
}
