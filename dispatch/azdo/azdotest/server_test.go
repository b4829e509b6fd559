package azdotest_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch/azdo/azdotest"
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
	srv := azdotest.NewServer(tb, "org", "proj", "pat")
	srv.Definition(7)
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(":pat"))
	do := func(method, path, body string, header map[string]string) int {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", auth)
		req.Header.Set("Accept", "application/json")
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
	const builds = "/org/proj/_apis/build/builds"
	good := `{"definition":{"id":7},"sourceBranch":"main","parameters":"{\"v\": \"--path 'a'\"}"}`
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		header map[string]string
		want   int
	}{
		{"valid list", "GET", builds + "?definitions=7&statusFilter=inProgress&api-version=7.1", "", nil, 200},
		{"valid recent", "GET", builds + "?definitions=7&$top=3&queryOrder=queueTimeDescending&api-version=7.1", "", nil, 200},
		{"valid queue", "POST", builds + "?api-version=7.1", good, nil, 200},
		{"wrong token", "GET", builds + "?definitions=7&statusFilter=inProgress&api-version=7.1", "", map[string]string{"Authorization": "Basic eA=="}, 401},
		{"no api-version", "GET", builds + "?definitions=7&statusFilter=inProgress", "", nil, 400},
		{"old api-version", "GET", builds + "?definitions=7&statusFilter=inProgress&api-version=6.0", "", nil, 400},
		{"wrong accept", "GET", builds + "?definitions=7&statusFilter=inProgress&api-version=7.1", "", map[string]string{"Accept": "text/html"}, 400},
		{"unknown query", "GET", builds + "?definitions=7&statusFilter=inProgress&branchName=main&api-version=7.1", "", nil, 400},
		{"bad status", "GET", builds + "?definitions=7&statusFilter=running&api-version=7.1", "", nil, 400},
		{"top without order", "GET", builds + "?definitions=7&$top=3&api-version=7.1", "", nil, 400},
		{"wrong project", "GET", "/org/other/_apis/build/builds?definitions=7&statusFilter=inProgress&api-version=7.1", "", nil, 404},
		{"refs branch", "POST", builds + "?api-version=7.1", `{"definition":{"id":7},"sourceBranch":"refs/heads/main","parameters":"{}"}`, nil, 400},
		{"parameters object", "POST", builds + "?api-version=7.1", `{"definition":{"id":7},"sourceBranch":"main","parameters":{"v":"x"}}`, nil, 400},
		{"parameters not JSON", "POST", builds + "?api-version=7.1", `{"definition":{"id":7},"sourceBranch":"main","parameters":"{v: 'x'}"}`, nil, 400},
		{"unknown field", "POST", builds + "?api-version=7.1", `{"definition":{"id":7},"sourceBranch":"main","parameters":"{}","reason":"manual"}`, nil, 400},
		{"wrong content type", "POST", builds + "?api-version=7.1", good, map[string]string{"Content-Type": "text/plain"}, 400},
		{"delete", "DELETE", builds + "?api-version=7.1", "", nil, 404},
	}
	violations := 0
	for _, tt := range tests {
		got := do(tt.method, tt.path, tt.body, tt.header)
		assert.Equal(t, tt.want, got, tt.name)
		if got == 400 || got == 404 {
			violations++
			assert.Len(t, srv.Violations(), violations, tt.name)
		}
	}
	for _, f := range tb.cleanups {
		f()
	}
	assert.Len(t, tb.errors, violations, "every violation fails the test")
}
