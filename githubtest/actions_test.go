package githubtest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/baseflow/baseflow/githubtest"
	"github.com/baseflow/baseflow/internal/fakeserver"
)

func TestServerRejectsContractViolations(t *testing.T) {
	t.Parallel()
	var srv *githubtest.Server
	const wf = "/repos/o/r/actions/workflows/build.yml"
	fakeserver.CheckContract(t, func(tb testing.TB) (string, func() []string) {
		srv = githubtest.NewServer(tb, githubtest.WithToken("tok"))
		srv.Workflow("o", "r", "build.yml")
		return srv.URL, srv.Violations
	}, map[string]string{"Authorization": "Bearer tok", "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "test"}, []fakeserver.Case{
		{"valid runs", "GET", wf + "/runs?status=in_progress&per_page=100", "", nil, 200, false},
		{"valid dispatch", "POST", wf + "/dispatches", `{"ref":"main","inputs":{"paths":"--path 'a'"}}`, nil, 204, false},
		{"valid issue", "POST", "/repos/o/r/issues", `{"title":"t","body":"b","labels":["x"]}`, nil, 201, false},
		{"valid close", "PATCH", "/repos/o/r/issues/1", `{"state":"closed"}`, nil, 200, false},
		{"wrong token", "GET", wf + "/runs", "", map[string]string{"Authorization": "token tok"}, 401, false},
		{"unknown workflow", "GET", "/repos/o/r/actions/workflows/x.yml/runs", "", nil, 404, true},
		{"no api version", "GET", wf + "/runs", "", map[string]string{"X-GitHub-Api-Version": "2021-01-01"}, 400, false},
		{"old accept", "GET", wf + "/runs", "", map[string]string{"Accept": "application/json"}, 400, false},
		{"two statuses", "GET", wf + "/runs?status=queued&status=in_progress", "", nil, 400, false},
		{"comma statuses", "GET", wf + "/runs?status=queued,in_progress", "", nil, 422, false},
		{"per_page too big", "GET", wf + "/runs?per_page=500", "", nil, 422, false},
		{"unknown query", "GET", wf + "/runs?state=open", "", nil, 400, false},
		{"no ref", "POST", wf + "/dispatches", `{"inputs":{}}`, nil, 422, false},
		{"non-string input", "POST", wf + "/dispatches", `{"ref":"main","inputs":{"n":1}}`, nil, 422, false},
		{"unknown field", "POST", wf + "/dispatches", `{"ref":"main","branch":"main"}`, nil, 422, false},
		{"bad state", "PATCH", "/repos/o/r/issues/1", `{"state":"done"}`, nil, 422, false},
		{"wrong route", "GET", "/repos/o/r/actions/runs", "", nil, 404, false},
	})
	assert.Len(t, srv.Dispatches(), 1)
	assert.True(t, srv.Issues()[0].Closed)
}
