package azdo_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/azdo"
	"github.com/baseflow/baseflow/internal/fakeserver"
)

// TestQueueNotRetriedAfterTheRequestWasSent checks that a queue request whose connection
// closes after the server read it (no answer, or half a status line) is reported as failed and
// never sent again: the build may have been queued, and a second POST would queue another.
func TestQueueNotRetriedAfterTheRequestWasSent(t *testing.T) {
	t.Parallel()
	for name, reply := range map[string]string{"no answer": "", "half a status line": "HTTP/1.1 20"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url, posts := fakeserver.HangUp(t, reply, func(r *http.Request, body []byte) {
				assert.Equal(t, http.MethodPost, r.Method)
				assert.Contains(t, string(body), `"sourceBranch":"main"`)
			})
			c, err := azdo.New("o", "p", azdo.WithBaseURL(url), azdo.WithToken(token), azdo.WithMaxRetries(2), azdo.WithBackoff(time.Millisecond), azdo.WithMaxRetryWait(2*time.Millisecond))
			require.NoError(t, err)

			_, err = c.Definition(7).Queue(context.Background(), dispatch.QueueRequest{Branch: "main", Variable: "v", Value: "--path 'a'"})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "POST /o/p/_apis/build/builds")
			assert.Equal(t, 1, posts(), "the POST was sent once")
		})
	}
}
