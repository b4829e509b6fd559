package githubsource_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/baseflow/baseflow/internal/cleartext"
	"github.com/baseflow/baseflow/subscription/githubsource"
)

// TestPlainHTTPOnlyToLoopback checks that an http:// API URL, which would send the token in
// clear text, is refused unless its host is loopback.
func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	t.Parallel()
	const tok = "ghp_cleartext_0123456789"
	for _, u := range []string{"http://api.github.com", "http://ghe.corp.example/api/v3"} {
		_, err := githubsource.New(githubsource.WithToken(tok), githubsource.WithBaseURL(u))
		assert.ErrorIs(t, err, cleartext.ErrPlainHTTP, u)
		assert.ErrorContains(t, err, `githubsource: base URL "`+u+`": plain http would send the token in clear text`)
		assert.NotContains(t, err.Error(), tok)
	}
	for _, u := range []string{"https://api.github.com", "http://127.0.0.1:8080", "http://localhost:8080/api/v3"} {
		src, err := githubsource.New(githubsource.WithToken(tok), githubsource.WithBaseURL(u))
		if assert.NoError(t, err, u) {
			src.Close()
		}
	}
}
