package azdo_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/baseflow/baseflow/dispatch/azdo"
	"github.com/baseflow/baseflow/internal/cleartext"
)

// TestPlainHTTPOnlyToLoopback checks that an http:// base URL, which would send the token in
// clear text, is refused unless its host is loopback.
func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://dev.azure.com", "http://tfs.corp.example/tfs", "http://10.1.2.3:8080"} {
		_, err := azdo.New("o", "p", azdo.WithToken(token), azdo.WithBaseURL(u))
		assert.ErrorIs(t, err, cleartext.ErrPlainHTTP, u)
		assert.ErrorContains(t, err, `azdo: base URL "`+u+`": plain http would send the token in clear text`)
		assert.NotContains(t, err.Error(), token)
	}
	for _, u := range []string{"https://dev.azure.com", "http://127.0.0.1:8080", "http://localhost:8080/tfs", "http://[::1]:80"} {
		_, err := azdo.New("o", "p", azdo.WithToken(token), azdo.WithBaseURL(u))
		assert.NoError(t, err, u)
	}
}
