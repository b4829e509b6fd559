package github_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/github"
	"github.com/baseflow/baseflow/internal/fakeserver"
)

// TestDispatchNotRetriedAfterTheRequestWasSent checks that a workflow dispatch whose
// connection closes after the server read it (no answer, or half a status line) is reported
// as failed and never sent again: the run may have started, and a second POST would start
// another.
func TestDispatchNotRetriedAfterTheRequestWasSent(t *testing.T) {
	t.Parallel()
	for name, reply := range map[string]string{"no answer": "", "half a status line": "HTTP/1.1 20"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url, posts := fakeserver.HangUp(t, reply, func(r *http.Request, body []byte) {
				assert.Equal(t, http.MethodPost, r.Method)
				assert.Contains(t, string(body), `"ref":"main"`)
			})
			c, err := github.New(github.WithBaseURL(url), github.WithToken(token), github.WithMaxRetries(2), github.WithBackoff(time.Millisecond), github.WithMaxRetryWait(2*time.Millisecond))
			require.NoError(t, err)

			_, err = c.Workflow("octo", "images", "build.yml", "main").Queue(context.Background(),
				dispatch.QueueRequest{Branch: "main", Variable: "paths", Value: "--path 'a'"})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "POST /repos/octo/images/actions/workflows/build.yml/dispatches")
			assert.Equal(t, 1, posts(), "the POST was sent once")
		})
	}
}
