package githubtest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/githubtest"
)

// stubTB collects what the fake reports at cleanup instead of failing the test.
type stubTB struct {
	testing.TB
	cleanups []func()
	errors   []string
}

func (s *stubTB) Cleanup(f func())                  { s.cleanups = append(s.cleanups, f) }
func (s *stubTB) Errorf(format string, args ...any) { s.errors = append(s.errors, format) }

func TestServerRejectsContractViolations(t *testing.T) {
	t.Parallel()
	tb := &stubTB{}
	srv := githubtest.NewServer(tb, githubtest.WithToken("tok"))
	srv.Workflow("o", "r", "build.yml")
	do := func(method, path, body string, header map[string]string) int {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer tok")
		req.Header.Set("Accept", "application/vnd.github+json")
		req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
		req.Header.Set("User-Agent", "test")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	const wf = "/repos/o/r/actions/workflows/build.yml"
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		header map[string]string
		want   int
	}{
		{"valid runs", "GET", wf + "/runs?status=in_progress&per_page=100", "", nil, 200},
		{"valid dispatch", "POST", wf + "/dispatches", `{"ref":"main","inputs":{"paths":"--path 'a'"}}`, nil, 204},
		{"valid issue", "POST", "/repos/o/r/issues", `{"title":"t","body":"b","labels":["x"]}`, nil, 201},
		{"valid close", "PATCH", "/repos/o/r/issues/1", `{"state":"closed"}`, nil, 200},
		{"wrong token", "GET", wf + "/runs", "", map[string]string{"Authorization": "token tok"}, 401},
		{"unknown workflow", "GET", "/repos/o/r/actions/workflows/x.yml/runs", "", nil, 404},
		{"no api version", "GET", wf + "/runs", "", map[string]string{"X-GitHub-Api-Version": "2021-01-01"}, 400},
		{"old accept", "GET", wf + "/runs", "", map[string]string{"Accept": "application/json"}, 400},
		{"two statuses", "GET", wf + "/runs?status=queued&status=in_progress", "", nil, 400},
		{"comma statuses", "GET", wf + "/runs?status=queued,in_progress", "", nil, 422},
		{"per_page too big", "GET", wf + "/runs?per_page=500", "", nil, 422},
		{"unknown query", "GET", wf + "/runs?state=open", "", nil, 400},
		{"no ref", "POST", wf + "/dispatches", `{"inputs":{}}`, nil, 422},
		{"non-string input", "POST", wf + "/dispatches", `{"ref":"main","inputs":{"n":1}}`, nil, 422},
		{"unknown field", "POST", wf + "/dispatches", `{"ref":"main","branch":"main"}`, nil, 422},
		{"bad state", "PATCH", "/repos/o/r/issues/1", `{"state":"done"}`, nil, 422},
		{"wrong route", "GET", "/repos/o/r/actions/runs", "", nil, 404},
	}
	violations := 0
	for _, tt := range tests {
		got := do(tt.method, tt.path, tt.body, tt.header)
		assert.Equal(t, tt.want, got, tt.name)
		if got >= 400 && got != 401 && tt.name != "unknown workflow" {
			violations++
			assert.Len(t, srv.Violations(), violations, tt.name)
		}
	}
	for _, f := range tb.cleanups {
		f()
	}
	assert.Len(t, tb.errors, violations, "every violation fails the test")
	assert.Len(t, srv.Dispatches(), 1)
	assert.True(t, srv.Issues()[0].Closed)
}
