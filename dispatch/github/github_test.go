package github_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/github"
	"github.com/baseflow/baseflow/githubtest"
	"github.com/baseflow/baseflow/subscription"
)

const token = "ghp_DoNotPrintMe_5e1d0c"

var t0 = time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)

func newClient(t *testing.T, srv *githubtest.Server, logs *bytes.Buffer, opts ...github.Option) *github.Client {
	t.Helper()
	if logs == nil {
		logs = &bytes.Buffer{}
	}
	opts = append([]github.Option{
		github.WithBaseURL(srv.URL),
		github.WithToken(srv.Token),
		github.WithMaxRetries(2), github.WithBackoff(time.Millisecond), github.WithMaxRetryWait(2 * time.Millisecond),
		github.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	}, opts...)
	c, err := github.New(opts...)
	require.NoError(t, err)
	return c
}

func count(reqs []githubtest.Request, method string) int {
	n := 0
	for _, r := range reqs {
		if r.Method == method {
			n++
		}
	}
	return n
}

func TestDispatch(t *testing.T) {
	t.Parallel()
	srv := githubtest.NewServer(t, githubtest.WithToken(token))
	srv.Workflow("octo", "images", "build.yml")
	c := newClient(t, srv, nil)
	run, err := c.Workflow("octo", "images", "build.yml", "main").Queue(context.Background(), dispatch.QueueRequest{
		Branch: "main", Variable: "paths", Value: dispatch.PathArgs([]string{"alpine/3.20", "debian/bookworm"}),
	})
	require.NoError(t, err)
	assert.Zero(t, run.ID, "a 204 dispatch does not say which run it created")
	assert.Equal(t, srv.URL+"/octo/images/actions/workflows/build.yml", run.WebURL)
	assert.Equal(t, dispatch.RunQueued, run.Status)

	require.Equal(t, []githubtest.Dispatch{{
		Owner: "octo", Repo: "images", Workflow: "build.yml", Ref: "main",
		Inputs:    map[string]string{"paths": "--path 'alpine/3.20' --path 'debian/bookworm'"},
		RawInputs: `{"paths": "--path 'alpine/3.20' --path 'debian/bookworm'"}`,
	}}, srv.Dispatches())
	assert.Equal(t, []githubtest.Request{{Method: "POST", Path: "/repos/octo/images/actions/workflows/build.yml/dispatches"}}, srv.Requests())
}

func TestDispatchReturnRunDetails(t *testing.T) {
	t.Parallel()
	srv := githubtest.NewServer(t, githubtest.WithToken(token))
	srv.Workflow("octo", "images", "build.yml")
	c := newClient(t, srv, nil, github.WithReturnRunDetails(true))
	run, err := c.Workflow("octo", "images", "build.yml", "main").Queue(context.Background(),
		dispatch.QueueRequest{Branch: "main", Variable: "paths", Value: "--path 'a'"})
	require.NoError(t, err)
	assert.Equal(t, int64(9001), run.ID)
	assert.Equal(t, srv.RunURL("octo", "images", 9001), run.WebURL)
}

func TestActiveRuns(t *testing.T) {
	t.Parallel()
	srv := githubtest.NewServer(t, githubtest.WithToken(token))
	srv.Workflow("octo", "images", "build.yml",
		githubtest.Run{ID: 1, Status: "completed", Conclusion: "success", Branch: "main", Event: "push", CreatedAt: t0},
		githubtest.Run{ID: 2, Status: "in_progress", Branch: "main", Event: "workflow_dispatch", CreatedAt: t0.Add(time.Hour)},
		githubtest.Run{ID: 3, Status: "queued", Branch: "release", Event: "workflow_dispatch", CreatedAt: t0.Add(2 * time.Hour)},
		githubtest.Run{ID: 4, Status: "waiting", Branch: "main", Event: "schedule", CreatedAt: t0.Add(3 * time.Hour)},
	)
	srv.Workflow("octo", "images", "idle.yml", githubtest.Run{ID: 5, Status: "completed", Conclusion: "failure", CreatedAt: t0})
	c := newClient(t, srv, nil)

	runs, err := c.Workflow("octo", "images", "build.yml", "main").ActiveRuns(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []dispatch.Run{
		{ID: 3, Status: dispatch.RunQueued, WebURL: srv.RunURL("octo", "images", 3), QueuedAt: t0.Add(2 * time.Hour)},
		{ID: 4, Status: dispatch.RunQueued, WebURL: srv.RunURL("octo", "images", 4), QueuedAt: t0.Add(3 * time.Hour)},
		{ID: 2, Status: dispatch.RunInProgress, WebURL: srv.RunURL("octo", "images", 2), QueuedAt: t0.Add(time.Hour)},
	}, runs)
	var queries []string
	for _, r := range srv.Requests() {
		assert.Equal(t, "/repos/octo/images/actions/workflows/build.yml/runs", r.Path)
		queries = append(queries, r.Query)
	}
	assert.Equal(t, []string{
		"per_page=100&status=requested", "per_page=100&status=queued", "per_page=100&status=pending",
		"per_page=100&status=waiting", "per_page=100&status=in_progress",
	}, queries)

	idle, err := c.Workflow("octo", "images", "idle.yml", "main").ActiveRuns(context.Background())
	require.NoError(t, err)
	assert.Empty(t, idle)

	// Fewer calls when configured.
	c2 := newClient(t, srv, nil, github.WithActiveStatuses("queued", "in_progress"))
	before := len(srv.Requests())
	runs, err = c2.Workflow("octo", "images", "build.yml", "main").ActiveRuns(context.Background())
	require.NoError(t, err)
	assert.Len(t, runs, 2)
	assert.Equal(t, before+2, len(srv.Requests()))
}

func TestRecentRuns(t *testing.T) {
	t.Parallel()
	srv := githubtest.NewServer(t, githubtest.WithToken(token))
	srv.Workflow("octo", "images", "build.yml",
		githubtest.Run{ID: 1, Status: "completed", Conclusion: "failure", Branch: "main", Event: "workflow_dispatch", CreatedAt: t0},
		githubtest.Run{ID: 2, Status: "completed", Conclusion: "timed_out", Branch: "main", Event: "workflow_dispatch", CreatedAt: t0.Add(time.Hour)},
		githubtest.Run{ID: 3, Status: "completed", Conclusion: "success", Branch: "main", Event: "push", CreatedAt: t0.Add(2 * time.Hour)},
		githubtest.Run{ID: 4, Status: "completed", Conclusion: "cancelled", Branch: "main", Event: "workflow_dispatch", CreatedAt: t0.Add(3 * time.Hour)},
		githubtest.Run{ID: 5, Status: "completed", Conclusion: "success", Branch: "other", Event: "workflow_dispatch", CreatedAt: t0.Add(4 * time.Hour)},
	)
	c := newClient(t, srv, nil)
	runs, err := c.Workflow("octo", "images", "build.yml", "main").RecentRuns(context.Background(), 3)
	require.NoError(t, err)
	assert.Equal(t, []dispatch.Run{
		{ID: 4, Status: dispatch.RunCompleted, Result: dispatch.RunCanceled, WebURL: srv.RunURL("octo", "images", 4), QueuedAt: t0.Add(3 * time.Hour)},
		{ID: 2, Status: dispatch.RunCompleted, Result: dispatch.RunFailed, WebURL: srv.RunURL("octo", "images", 2), QueuedAt: t0.Add(time.Hour)},
		{ID: 1, Status: dispatch.RunCompleted, Result: dispatch.RunFailed, WebURL: srv.RunURL("octo", "images", 1), QueuedAt: t0},
	}, runs)
	assert.Equal(t, "branch=main&event=workflow_dispatch&per_page=3", srv.Requests()[0].Query)
}

var octoSubs = `[{
  "manifest": {"owner": "octo", "repo": "images", "branch": "main", "path": "manifest.json"},
  "imageInfo": {"owner": "octo", "repo": "images", "branch": "image-info", "path": "image-info.json"},
  "pipelineTrigger": {"workflow": "build.yml", "pathVariable": "paths"}}]`

func TestDispatcherGuards(t *testing.T) {
	t.Parallel()
	run := func(id int64, status, conclusion string, h int) githubtest.Run {
		return githubtest.Run{ID: id, Status: status, Conclusion: conclusion, Branch: "main", Event: "workflow_dispatch",
			CreatedAt: t0.Add(time.Duration(h) * time.Hour)}
	}
	tests := []struct {
		name string
		runs []githubtest.Run
		want dispatch.Outcome
		ids  []int64
	}{
		{"new workflow", nil, dispatch.Queued, nil},
		{"in progress", []githubtest.Run{run(9, "in_progress", "", 1)}, dispatch.SkippedActive, []int64{9}},
		{"queued", []githubtest.Run{run(9, "queued", "", 1)}, dispatch.SkippedActive, []int64{9}},
		{"exactly 3 failures", []githubtest.Run{run(1, "completed", "success", 1), run(2, "completed", "failure", 2),
			run(3, "completed", "failure", 3), run(4, "completed", "failure", 4)}, dispatch.BreakerTripped, []int64{4, 3, 2}},
		{"2 failures", []githubtest.Run{run(2, "completed", "failure", 2), run(3, "completed", "failure", 3)}, dispatch.Queued, nil},
		{"success newer than failures", []githubtest.Run{run(2, "completed", "failure", 2), run(3, "completed", "failure", 3),
			run(4, "completed", "failure", 4), run(5, "completed", "success", 5)}, dispatch.Queued, nil},
	}
	subs, err := subscription.Parse("subs.json", []byte(octoSubs))
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := githubtest.NewServer(t, githubtest.WithToken(token))
			srv.Workflow("octo", "images", "build.yml", tt.runs...)
			d := &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.GitHubActions: newClient(t, srv, nil)}}
			results, err := d.Dispatch(context.Background(), subs, []subscription.ImagePaths{
				{SubscriptionID: "octo/images/main/manifest.json", ImagePaths: []string{"alpine/3.20", "debian/bookworm"}},
			})
			require.NoError(t, err)
			r := results[0]
			require.Equal(t, tt.want, r.Outcome, "err: %v", r.Err)
			var ids []int64
			for _, run := range r.Runs {
				ids = append(ids, run.ID)
			}
			assert.Equal(t, tt.ids, ids)
			if tt.want == dispatch.Queued {
				require.Len(t, srv.Dispatches(), 1)
				assert.Equal(t, `{"paths": "--path 'alpine/3.20' --path 'debian/bookworm'"}`, srv.Dispatches()[0].RawInputs)
				assert.Equal(t, r.Parameters, srv.Dispatches()[0].RawInputs)
			} else {
				assert.Empty(t, srv.Dispatches())
				assert.Zero(t, count(srv.Requests(), http.MethodPost))
			}
		})
	}
}

func TestDispatch500ReportedOnceNotRetried(t *testing.T) {
	t.Parallel()
	srv := githubtest.NewServer(t, githubtest.WithToken(token))
	srv.Workflow("octo", "images", "build.yml")
	srv.FailNext(http.MethodPost, http.StatusInternalServerError, -1)
	c := newClient(t, srv, nil)
	_, err := c.Workflow("octo", "images", "build.yml", "main").Queue(context.Background(),
		dispatch.QueueRequest{Branch: "main", Variable: "paths", Value: "--path 'a'"})
	assert.EqualError(t, err, "POST /repos/octo/images/actions/workflows/build.yml/dispatches: 500 Internal Server Error: injected failure 500")
	assert.Equal(t, 1, count(srv.Requests(), http.MethodPost))
}

func TestGetRetriedAfter503(t *testing.T) {
	t.Parallel()
	srv := githubtest.NewServer(t, githubtest.WithToken(token))
	srv.Workflow("octo", "images", "build.yml", githubtest.Run{ID: 1, Status: "completed", Conclusion: "failure", Branch: "main",
		Event: "workflow_dispatch", CreatedAt: t0})
	srv.FailNext(http.MethodGet, http.StatusServiceUnavailable, 1)
	c := newClient(t, srv, nil)
	runs, err := c.Workflow("octo", "images", "build.yml", "main").RecentRuns(context.Background(), 3)
	require.NoError(t, err)
	assert.Len(t, runs, 1)
	assert.Equal(t, 2, count(srv.Requests(), http.MethodGet))
}

func TestNotifier(t *testing.T) {
	t.Parallel()
	subs, err := subscription.Parse("subs.json", []byte(octoSubs))
	require.NoError(t, err)
	srv := githubtest.NewServer(t, githubtest.WithToken(token))
	n := newClient(t, srv, nil).Notifier("octo", "notifications")
	base := dispatch.Result{SubscriptionID: "octo/images/main/manifest.json", Paths: []string{"b", "a"}}
	for _, r := range []dispatch.Result{
		func() dispatch.Result {
			r := base
			r.Outcome = dispatch.Queued
			r.Run = dispatch.Run{WebURL: "https://x/runs"}
			return r
		}(),
		func() dispatch.Result { r := base; r.Outcome = dispatch.SkippedActive; return r }(),
		func() dispatch.Result { r := base; r.Outcome = dispatch.BreakerTripped; return r }(),
		func() dispatch.Result { r := base; r.Outcome = dispatch.Failed; r.Err = errors.New("boom"); return r }(),
	} {
		require.NoError(t, n.Notify(context.Background(), dispatch.Notification{Subscription: subs[0], Result: r}))
	}
	issues := srv.Issues()
	require.Len(t, issues, 4)
	type summary struct {
		Title  string
		Labels []string
		Closed bool
	}
	var got []summary
	for _, is := range issues {
		assert.Equal(t, "notifications", is.Repo)
		assert.True(t, strings.HasPrefix(is.Body, "# AutoBuilder - "), is.Body)
		assert.Contains(t, is.Body, "* `a`\n* `b`\n")
		got = append(got, summary{is.Title, is.Labels, is.Closed})
	}
	labels := []string{"notify-autobuilder", "notify-images-main"}
	assert.Equal(t, []summary{
		{"AutoBuilder - Queued - octo/images/main/manifest.json", labels, true},
		{"AutoBuilder - Skipped - octo/images/main/manifest.json", labels, true},
		{"AutoBuilder - Failed - octo/images/main/manifest.json", labels, true},
		{"AutoBuilder - Failed - octo/images/main/manifest.json", append(labels, "notify-failure"), false},
	}, got)
	assert.Equal(t, 4, count(srv.Requests(), http.MethodPost))
	assert.Equal(t, 3, count(srv.Requests(), http.MethodPatch))
}

func TestNotifierCloseFails(t *testing.T) {
	t.Parallel()
	subs, err := subscription.Parse("subs.json", []byte(octoSubs))
	require.NoError(t, err)
	srv := githubtest.NewServer(t, githubtest.WithToken(token))
	srv.FailNext(http.MethodPatch, http.StatusBadGateway, 1)
	n := newClient(t, srv, nil).Notifier("octo", "notifications")
	err = n.Notify(context.Background(), dispatch.Notification{Subscription: subs[0],
		Result: dispatch.Result{SubscriptionID: "octo/images/main/manifest.json", Outcome: dispatch.SkippedActive}})
	assert.EqualError(t, err, "issue #1 created but not closed: PATCH /repos/octo/notifications/issues/1: 502 Bad Gateway: injected failure 502")
}

func TestTokenNeverPrinted(t *testing.T) {
	t.Parallel()
	srv := githubtest.NewServer(t, githubtest.WithToken(token))
	srv.Workflow("octo", "images", "build.yml")
	var logs bytes.Buffer
	var errs []string
	collect := func(err error) {
		require.Error(t, err)
		errs = append(errs, err.Error())
	}
	bad := newClient(t, srv, &logs, github.WithToken(token+"x"))
	_, err := bad.Workflow("octo", "images", "build.yml", "main").ActiveRuns(context.Background())
	collect(err)
	assert.Contains(t, err.Error(), "401 Unauthorized: Bad credentials")

	c := newClient(t, srv, &logs)
	srv.FailNext(http.MethodGet, http.StatusServiceUnavailable, 3)
	_, err = c.Workflow("octo", "images", "build.yml", "main").RecentRuns(context.Background(), 3)
	collect(err)
	_, err = c.Workflow("octo", "images", "missing.yml", "main").Queue(context.Background(),
		dispatch.QueueRequest{Branch: "main", Variable: "paths", Value: "--path 'a'"})
	collect(err)
	srv.FailNext(http.MethodPost, http.StatusInternalServerError, 1)
	_, err = c.CreateIssue(context.Background(), "octo", "n", github.NewIssue{Title: "t"})
	collect(err)
	_, err = github.New(github.WithBaseURL("https://x:"+token+"@ghe.example/api/v3"), github.WithToken(token))
	collect(err)

	out := strings.Join(errs, "\n") + logs.String()
	assert.NotEmpty(t, logs.String())
	assert.NotContains(t, out, token)
}

func TestNew(t *testing.T) {
	t.Parallel()
	_, err := github.New(github.WithEnv(func(string) string { return "" }))
	assert.EqualError(t, err, "github: no token: set GITHUB_TOKEN")
	_, err = github.New(github.WithEnv(func(k string) string { return map[string]string{"GITHUB_TOKEN": "t"}[k] }))
	assert.NoError(t, err)
	_, err = github.New(github.WithToken("t"), github.WithActiveStatuses())
	assert.Error(t, err)

	for api, web := range map[string]string{
		"https://api.github.com":          "https://github.com/o/r/actions/workflows/w.yml",
		"https://ghe.example/api/v3/":     "https://ghe.example/o/r/actions/workflows/w.yml",
		"http://127.0.0.1:8080":           "http://127.0.0.1:8080/o/r/actions/workflows/w.yml",
		"https://proxy.example/gh/api/v3": "https://proxy.example/gh/o/r/actions/workflows/w.yml",
	} {
		c, err := github.New(github.WithToken("t"), github.WithBaseURL(api))
		require.NoError(t, err)
		assert.Equal(t, web, c.Workflow("o", "r", "w.yml", "main").RunsPage(), api)
	}
	c, err := github.New(github.WithToken("t"), github.WithWebURL("https://web.example"))
	require.NoError(t, err)
	assert.Equal(t, "https://web.example/o/r/actions/workflows/w.yml", c.Workflow("o", "r", "w.yml", "main").RunsPage())

	_, err = c.Open(dispatch.Target{Backend: subscription.AzureDevOps, DefinitionID: 3})
	assert.EqualError(t, err, "github: cannot open azure-devops definition 3: not a GitHub Actions workflow")
}

func TestRetryOptions(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		opts []github.Option
		gets int
	}{
		{"no retries", []github.Option{github.WithMaxRetries(0)}, 1},
		{"two retries", []github.Option{github.WithMaxRetries(2), github.WithBackoff(time.Millisecond)}, 3},
		{"deprecated WithRetry counts attempts", []github.Option{github.WithRetry(2, time.Millisecond, time.Millisecond)}, 2},
	} {
		srv := githubtest.NewServer(t, githubtest.WithToken(token))
		srv.Workflow("octo", "images", "build.yml")
		srv.FailNext(http.MethodGet, http.StatusServiceUnavailable, -1)
		c := newClient(t, srv, nil, tt.opts...)
		_, err := c.Workflow("octo", "images", "build.yml", "main").RecentRuns(context.Background(), 3)
		require.Error(t, err, tt.name)
		assert.Equal(t, tt.gets, count(srv.Requests(), http.MethodGet), tt.name)
	}
	// A Retry-After longer than WithMaxRetryWait ends the retries at once.
	srv := githubtest.NewServer(t, githubtest.WithToken(token))
	srv.Workflow("octo", "images", "build.yml")
	srv.FailNextWith(http.MethodGet, http.StatusTooManyRequests, -1, http.Header{"Retry-After": {"120"}})
	c := newClient(t, srv, nil, github.WithMaxRetries(3), github.WithMaxRetryWait(time.Minute))
	_, err := c.Workflow("octo", "images", "build.yml", "main").RecentRuns(context.Background(), 3)
	require.ErrorContains(t, err, "429 Too Many Requests")
	assert.Equal(t, 1, count(srv.Requests(), http.MethodGet))
}

func TestCredentialsInBaseURLNeverShown(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"https://ghp_tokenInTheUser0123@ghe.example/api/v3", "https://user:s3cretPassw0rd@ghe.example/api/v3"} {
		_, err := github.New(github.WithToken("t"), github.WithBaseURL(base))
		require.ErrorContains(t, err, "credentials belong in GITHUB_TOKEN")
		assert.Contains(t, err.Error(), `"https://***@ghe.example/api/v3"`)
	}
}
