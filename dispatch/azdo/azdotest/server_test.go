package azdotest_test

import (
	"encoding/base64"
	"testing"

	"github.com/baseflow/baseflow/dispatch/azdo/azdotest"
	"github.com/baseflow/baseflow/internal/fakeserver"
)

func TestServerRejectsContractViolations(t *testing.T) {
	t.Parallel()
	const builds = "/org/proj/_apis/build/builds"
	good := `{"definition":{"id":7},"sourceBranch":"main","parameters":"{\"v\": \"--path 'a'\"}"}`
	fakeserver.CheckContract(t, func(tb testing.TB) (string, func() []string) {
		srv := azdotest.NewServer(tb, "org", "proj", "pat")
		srv.Definition(7)
		return srv.URL, srv.Violations
	}, map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(":pat")), "Accept": "application/json"}, []fakeserver.Case{
		{"valid list", "GET", builds + "?definitions=7&statusFilter=inProgress&api-version=7.1", "", nil, 200, false},
		{"valid recent", "GET", builds + "?definitions=7&$top=3&queryOrder=queueTimeDescending&api-version=7.1", "", nil, 200, false},
		{"valid queue", "POST", builds + "?api-version=7.1", good, nil, 200, false},
		{"wrong token", "GET", builds + "?definitions=7&statusFilter=inProgress&api-version=7.1", "", map[string]string{"Authorization": "Basic eA=="}, 401, false},
		{"no api-version", "GET", builds + "?definitions=7&statusFilter=inProgress", "", nil, 400, false},
		{"old api-version", "GET", builds + "?definitions=7&statusFilter=inProgress&api-version=6.0", "", nil, 400, false},
		{"wrong accept", "GET", builds + "?definitions=7&statusFilter=inProgress&api-version=7.1", "", map[string]string{"Accept": "text/html"}, 400, false},
		{"unknown query", "GET", builds + "?definitions=7&statusFilter=inProgress&branchName=main&api-version=7.1", "", nil, 400, false},
		{"bad status", "GET", builds + "?definitions=7&statusFilter=running&api-version=7.1", "", nil, 400, false},
		{"top without order", "GET", builds + "?definitions=7&$top=3&api-version=7.1", "", nil, 400, false},
		{"wrong project", "GET", "/org/other/_apis/build/builds?definitions=7&statusFilter=inProgress&api-version=7.1", "", nil, 404, false},
		{"refs branch", "POST", builds + "?api-version=7.1", `{"definition":{"id":7},"sourceBranch":"refs/heads/main","parameters":"{}"}`, nil, 400, false},
		{"parameters object", "POST", builds + "?api-version=7.1", `{"definition":{"id":7},"sourceBranch":"main","parameters":{"v":"x"}}`, nil, 400, false},
		{"parameters not JSON", "POST", builds + "?api-version=7.1", `{"definition":{"id":7},"sourceBranch":"main","parameters":"{v: 'x'}"}`, nil, 400, false},
		{"unknown field", "POST", builds + "?api-version=7.1", `{"definition":{"id":7},"sourceBranch":"main","parameters":"{}","reason":"manual"}`, nil, 400, false},
		{"wrong content type", "POST", builds + "?api-version=7.1", good, map[string]string{"Content-Type": "text/plain"}, 400, false},
		{"delete", "DELETE", builds + "?api-version=7.1", "", nil, 404, false},
	})
}
