package azdo_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/azdo"
	"github.com/baseflow/baseflow/dispatch/azdo/azdotest"
	"github.com/baseflow/baseflow/subscription"
)

const token = "azdo-PAT-do-not-print-7f3c91"

var t0 = time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)

func newClient(t *testing.T, srv *azdotest.Server, logs *bytes.Buffer, opts ...azdo.Option) *azdo.Client {
	t.Helper()
	if logs == nil {
		logs = &bytes.Buffer{}
	}
	opts = append([]azdo.Option{
		azdo.WithBaseURL(srv.URL),
		azdo.WithToken(srv.Token),
		azdo.WithMaxRetries(2), azdo.WithBackoff(time.Millisecond), azdo.WithMaxRetryWait(2 * time.Millisecond),
		azdo.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	}, opts...)
	c, err := azdo.New(srv.Org, srv.Project, opts...)
	require.NoError(t, err)
	return c
}

func count(reqs []azdotest.Request, method string) int {
	n := 0
	for _, r := range reqs {
		if r.Method == method {
			n++
		}
	}
	return n
}

func TestQueue(t *testing.T) {
	t.Parallel()
	srv := azdotest.NewServer(t, "dnceng", "internal", token)
	srv.Definition(373)
	c := newClient(t, srv, nil)

	run, err := c.Definition(373).Queue(context.Background(), dispatch.QueueRequest{
		Branch: "main", Variable: "imageBuilder.pathArgs",
		Value: dispatch.PathArgs([]string{"src/runtime-deps/8.0/bookworm-slim/arm32v7", "src/runtime/8.0/bookworm-slim/arm32v7"}),
	})
	require.NoError(t, err)
	assert.Equal(t, int64(5001), run.ID)
	assert.Equal(t, dispatch.RunQueued, run.Status)
	assert.Equal(t, srv.URL+"/dnceng/internal/_build/results?buildId=5001", run.WebURL)
	assert.Equal(t, time.Date(2026, 3, 1, 12, 1, 0, 0, time.UTC), run.QueuedAt)

	require.Equal(t, []azdotest.QueuedBuild{{
		DefinitionID: 373,
		SourceBranch: "main",
		Parameters:   `{"imageBuilder.pathArgs": "--path 'src/runtime-deps/8.0/bookworm-slim/arm32v7' --path 'src/runtime/8.0/bookworm-slim/arm32v7'"}`,
		Variables: map[string]string{
			"imageBuilder.pathArgs": "--path 'src/runtime-deps/8.0/bookworm-slim/arm32v7' --path 'src/runtime/8.0/bookworm-slim/arm32v7'",
		},
		Tags: []string{"autobuilder"},
	}}, srv.Queued())
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, azdotest.Request{Method: "POST", Path: "/dnceng/internal/_apis/build/builds", Query: "api-version=7.1"}, reqs[0])
	assert.Equal(t, azdotest.Request{Method: "PUT", Path: "/dnceng/internal/_apis/build/builds/5001/tags/autobuilder", Query: "api-version=7.1"}, reqs[1])
}

func TestQueueWithoutTag(t *testing.T) {
	t.Parallel()
	srv := azdotest.NewServer(t, "o", "p", token)
	srv.Definition(1)
	c := newClient(t, srv, nil, azdo.WithTag(""))
	_, err := c.Definition(1).Queue(context.Background(), dispatch.QueueRequest{Branch: "main", Variable: "v", Value: "--path 'a'"})
	require.NoError(t, err)
	assert.Equal(t, 1, len(srv.Requests()))
	assert.Empty(t, srv.Queued()[0].Tags)
}

func TestEscapesOrgAndProject(t *testing.T) {
	t.Parallel()
	srv := azdotest.NewServer(t, "my org", "Docker Images", token)
	srv.Definition(12, azdotest.Build{ID: 1, Status: "inProgress", QueueTime: t0})
	c := newClient(t, srv, nil)
	runs, err := c.Definition(12).ActiveRuns(context.Background())
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.Equal(t, srv.URL+"/my org/Docker Images/_build/results?buildId=1", runs[0].WebURL)
}

func TestActiveRuns(t *testing.T) {
	t.Parallel()
	srv := azdotest.NewServer(t, "o", "p", token)
	srv.Definition(7,
		azdotest.Build{ID: 1, Status: "completed", Result: "succeeded", QueueTime: t0},
		azdotest.Build{ID: 2, Status: "inProgress", QueueTime: t0.Add(time.Hour)},
		azdotest.Build{ID: 3, Status: "notStarted", QueueTime: t0.Add(2 * time.Hour)},
	)
	srv.Definition(8)
	c := newClient(t, srv, nil)

	runs, err := c.Definition(7).ActiveRuns(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []dispatch.Run{
		{ID: 3, Status: dispatch.RunQueued, WebURL: srv.WebURL(3), QueuedAt: t0.Add(2 * time.Hour)},
		{ID: 2, Status: dispatch.RunInProgress, WebURL: srv.WebURL(2), QueuedAt: t0.Add(time.Hour)},
	}, runs)
	var queries []string
	for _, r := range srv.Requests() {
		queries = append(queries, r.Method+" "+r.Query)
	}
	assert.Equal(t, []string{
		"GET api-version=7.1&definitions=7&statusFilter=notStarted",
		"GET api-version=7.1&definitions=7&statusFilter=inProgress",
	}, queries)

	runs, err = c.Definition(8).ActiveRuns(context.Background())
	require.NoError(t, err)
	assert.Empty(t, runs)
}

func TestRecentRuns(t *testing.T) {
	t.Parallel()
	srv := azdotest.NewServer(t, "o", "p", token)
	srv.Definition(7,
		azdotest.Build{ID: 1, Status: "completed", Result: "succeeded", QueueTime: t0},
		azdotest.Build{ID: 2, Status: "completed", Result: "failed", QueueTime: t0.Add(time.Hour)},
		azdotest.Build{ID: 3, Status: "completed", Result: "partiallySucceeded", QueueTime: t0.Add(2 * time.Hour)},
		azdotest.Build{ID: 4, Status: "completed", Result: "canceled", QueueTime: t0.Add(3 * time.Hour)},
	)
	c := newClient(t, srv, nil)
	runs, err := c.Definition(7).RecentRuns(context.Background(), 3)
	require.NoError(t, err)
	assert.Equal(t, []dispatch.Run{
		{ID: 4, Status: dispatch.RunCompleted, Result: dispatch.RunCanceled, WebURL: srv.WebURL(4), QueuedAt: t0.Add(3 * time.Hour)},
		{ID: 3, Status: dispatch.RunCompleted, Result: dispatch.RunPartiallySucceeded, WebURL: srv.WebURL(3), QueuedAt: t0.Add(2 * time.Hour)},
		{ID: 2, Status: dispatch.RunCompleted, Result: dispatch.RunFailed, WebURL: srv.WebURL(2), QueuedAt: t0.Add(time.Hour)},
	}, runs)
	assert.Equal(t, "%24top=3&api-version=7.1&definitions=7&queryOrder=queueTimeDescending", srv.Requests()[0].Query)
}

// TestDispatcherGuards runs the whole Dispatcher against the fake.
func TestDispatcherGuards(t *testing.T) {
	t.Parallel()
	failed := func(id int64, h int) azdotest.Build {
		return azdotest.Build{ID: id, Status: "completed", Result: "failed", QueueTime: t0.Add(time.Duration(h) * time.Hour)}
	}
	ok := func(id int64, h int) azdotest.Build {
		return azdotest.Build{ID: id, Status: "completed", Result: "succeeded", QueueTime: t0.Add(time.Duration(h) * time.Hour)}
	}
	tests := []struct {
		name   string
		builds []azdotest.Build
		want   dispatch.Outcome
		runs   []int64
	}{
		{"new pipeline", nil, dispatch.Queued, nil},
		{"in progress", []azdotest.Build{{ID: 9, Status: "inProgress", QueueTime: t0}}, dispatch.SkippedActive, []int64{9}},
		{"not started", []azdotest.Build{{ID: 9, Status: "notStarted", QueueTime: t0}}, dispatch.SkippedActive, []int64{9}},
		{"exactly 3 failures", []azdotest.Build{ok(1, 1), failed(2, 2), failed(3, 3), failed(4, 4)}, dispatch.BreakerTripped, []int64{4, 3, 2}},
		{"2 failures", []azdotest.Build{failed(2, 2), failed(3, 3)}, dispatch.Queued, nil},
		{"success newer than failures", []azdotest.Build{failed(2, 2), failed(3, 3), failed(4, 4), ok(5, 5)}, dispatch.Queued, nil},
	}
	subs, err := subscription.Parse("subs.json", []byte(`[{
	  "manifest": {"owner": "dotnet", "repo": "dotnet-docker", "branch": "main", "path": "manifest.json"},
	  "imageInfo": {"owner": "dotnet", "repo": "versions", "branch": "main", "path": "image-info.json"},
	  "pipelineTrigger": {"id": 373, "pathVariable": "imageBuilder.pathArgs"}}]`))
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := azdotest.NewServer(t, "dnceng", "internal", token)
			srv.Definition(373, tt.builds...)
			d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: newClient(t, srv, nil)}}
			results, err := d.Dispatch(context.Background(), subs, []subscription.ImagePaths{
				{SubscriptionID: "dotnet/dotnet-docker/main/manifest.json", ImagePaths: []string{"src/a", "src/b"}},
			})
			require.NoError(t, err)
			r := results[0]
			require.Equal(t, tt.want, r.Outcome, "err: %v", r.Err)
			var ids []int64
			for _, run := range r.Runs {
				ids = append(ids, run.ID)
				assert.Equal(t, srv.WebURL(run.ID), run.WebURL)
			}
			assert.Equal(t, tt.runs, ids)
			if tt.want == dispatch.Queued {
				require.Len(t, srv.Queued(), 1)
				assert.Equal(t, `{"imageBuilder.pathArgs": "--path 'src/a' --path 'src/b'"}`, srv.Queued()[0].Parameters)
				assert.Equal(t, srv.WebURL(r.Run.ID), r.Run.WebURL)
			} else {
				assert.Empty(t, srv.Queued())
				assert.Zero(t, count(srv.Requests(), http.MethodPost))
			}
		})
	}
}

func TestQueue500ReportedOnceNotRetried(t *testing.T) {
	t.Parallel()
	srv := azdotest.NewServer(t, "o", "p", token)
	srv.Definition(1)
	srv.FailNext(http.MethodPost, http.StatusInternalServerError, -1)
	var logs bytes.Buffer
	c := newClient(t, srv, &logs)
	_, err := c.Definition(1).Queue(context.Background(), dispatch.QueueRequest{Branch: "main", Variable: "v", Value: "--path 'a'"})
	require.Error(t, err)
	var herr *dispatch.HTTPError
	require.ErrorAs(t, err, &herr)
	assert.Equal(t, "POST /o/p/_apis/build/builds: 500 Internal Server Error: injected failure 500", err.Error())
	assert.Equal(t, 1, count(srv.Requests(), http.MethodPost))
	assert.Zero(t, count(srv.Requests(), http.MethodPut))
	assert.NotContains(t, logs.String(), "retrying")
}

func TestGetRetriedAfter503(t *testing.T) {
	t.Parallel()
	srv := azdotest.NewServer(t, "o", "p", token)
	srv.Definition(1, azdotest.Build{ID: 1, Status: "notStarted", QueueTime: t0})
	srv.FailNext(http.MethodGet, http.StatusServiceUnavailable, 1)
	c := newClient(t, srv, nil)
	runs, err := c.Definition(1).ActiveRuns(context.Background())
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.Equal(t, 3, count(srv.Requests(), http.MethodGet), "one failed GET, then the two status queries")
}

func TestTagFailureKeepsTheBuild(t *testing.T) {
	t.Parallel()
	srv := azdotest.NewServer(t, "o", "p", token)
	srv.Definition(1)
	srv.FailNext(http.MethodPut, http.StatusInternalServerError, 1)
	var logs bytes.Buffer
	c := newClient(t, srv, &logs)
	run, err := c.Definition(1).Queue(context.Background(), dispatch.QueueRequest{Branch: "main", Variable: "v", Value: "--path 'a'"})
	require.NoError(t, err)
	assert.Equal(t, int64(5001), run.ID)
	assert.Contains(t, logs.String(), "build queued but not tagged")
}

func TestTokenNeverPrinted(t *testing.T) {
	t.Parallel()
	basic := base64.StdEncoding.EncodeToString([]byte(":" + token))
	srv := azdotest.NewServer(t, "o", "p", token)
	srv.Definition(1)
	var logs bytes.Buffer
	var errs []string
	collect := func(err error) {
		require.Error(t, err)
		errs = append(errs, err.Error())
	}

	// A wrong token: 401.
	bad := newClient(t, srv, &logs, azdo.WithToken(token+"-wrong"))
	_, err := bad.Definition(1).ActiveRuns(context.Background())
	collect(err)
	assert.Contains(t, err.Error(), "401 Unauthorized")

	c := newClient(t, srv, &logs)
	srv.FailNext(http.MethodGet, http.StatusServiceUnavailable, 3)
	_, err = c.Definition(1).ActiveRuns(context.Background())
	collect(err)
	srv.FailNext(http.MethodPost, http.StatusInternalServerError, 1)
	_, err = c.Definition(1).Queue(context.Background(), dispatch.QueueRequest{Branch: "main", Variable: "v", Value: "--path 'a'"})
	collect(err)
	_, err = c.Definition(404).Queue(context.Background(), dispatch.QueueRequest{Branch: "main", Variable: "v", Value: "--path 'a'"})
	collect(err)
	assert.Contains(t, err.Error(), "404 Not Found: The requested build definition 404 does not exist.")
	srv.FailNext(http.MethodPut, http.StatusBadGateway, 1)
	_, err = c.Definition(1).Queue(context.Background(), dispatch.QueueRequest{Branch: "main", Variable: "v", Value: "--path 'a'"})
	require.NoError(t, err)

	_, err = azdo.New("o", "p", azdo.WithBaseURL("https://user:"+token+"@dev.azure.com"), azdo.WithToken(token))
	collect(err)

	out := strings.Join(errs, "\n") + logs.String()
	assert.NotEmpty(t, logs.String())
	assert.NotContains(t, out, token)
	assert.NotContains(t, out, basic)
}

func TestNew(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	assert.Equal(t, "a", azdo.TokenFromEnv(env(map[string]string{"AZURE_DEVOPS_TOKEN": "a", "SYSTEM_ACCESSTOKEN": "b"})))
	assert.Equal(t, "b", azdo.TokenFromEnv(env(map[string]string{"SYSTEM_ACCESSTOKEN": "b"})))
	assert.Equal(t, "", azdo.TokenFromEnv(env(nil)))

	_, err := azdo.New("o", "p", azdo.WithEnv(env(nil)))
	assert.EqualError(t, err, "azdo: no token: set AZURE_DEVOPS_TOKEN (or SYSTEM_ACCESSTOKEN in a pipeline)")
	_, err = azdo.New("o", "p", azdo.WithEnv(env(map[string]string{"SYSTEM_ACCESSTOKEN": "b"})))
	assert.NoError(t, err)
	_, err = azdo.New("", "p", azdo.WithToken("x"))
	assert.Error(t, err)
	for _, u := range []string{"dev.azure.com", "ftp://dev.azure.com", "https://dev.azure.com?x=1", "://"} {
		_, err = azdo.New("o", "p", azdo.WithToken("x"), azdo.WithBaseURL(u))
		assert.Error(t, err, u)
	}

	c, err := azdo.New("o", "p", azdo.WithToken("x"))
	require.NoError(t, err)
	_, err = c.Open(dispatch.Target{Backend: subscription.GitHubActions, Workflow: "x.yml"})
	assert.EqualError(t, err, "azdo: cannot open github-actions / workflow x.yml: not an Azure DevOps definition")
	p, err := c.Open(dispatch.Target{Backend: subscription.AzureDevOps, DefinitionID: 3})
	require.NoError(t, err)
	assert.IsType(t, &azdo.Definition{}, p)
}

func TestRetryOptions(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		opts []azdo.Option
		gets int
	}{
		{"no retries", []azdo.Option{azdo.WithMaxRetries(0)}, 1},
		{"two retries", []azdo.Option{azdo.WithMaxRetries(2), azdo.WithBackoff(time.Millisecond)}, 3},
		{"deprecated WithRetry counts attempts", []azdo.Option{azdo.WithRetry(2, time.Millisecond, time.Millisecond)}, 2},
	} {
		srv := azdotest.NewServer(t, "o", "p", token)
		srv.Definition(1)
		srv.FailNext(http.MethodGet, http.StatusServiceUnavailable, -1)
		c := newClient(t, srv, nil, tt.opts...)
		_, err := c.Definition(1).RecentRuns(context.Background(), 3)
		require.Error(t, err, tt.name)
		assert.Equal(t, tt.gets, count(srv.Requests(), http.MethodGet), tt.name)
	}
}

func TestCredentialsInBaseURLNeverShown(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"https://patInTheUserName0123@tfs.example/tfs", "https://user:s3cretPassw0rd@tfs.example/tfs"} {
		_, err := azdo.New("o", "p", azdo.WithToken("t"), azdo.WithBaseURL(base))
		require.ErrorContains(t, err, "credentials belong in AZURE_DEVOPS_TOKEN")
		assert.Contains(t, err.Error(), `"https://***@tfs.example/tfs"`)
	}
}
