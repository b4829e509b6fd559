package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch/azdo/azdotest"
	"github.com/baseflow/baseflow/githubtest"
	"github.com/baseflow/baseflow/internal/cli"
	"github.com/baseflow/baseflow/internal/cli/clitest"
)

const (
	azdoToken   = "azdo-PAT-secret-4b8e2a"
	githubToken = "ghp_secret_91c7d3"
)

const subscriptionsJSON = `[
  {"manifest": {"owner": "dotnet", "repo": "dotnet-docker", "branch": "main", "path": "manifest.json"},
   "imageInfo": {"owner": "dotnet", "repo": "versions", "branch": "main", "path": "build-info/docker/image-info.dotnet-dotnet-docker-main.json"},
   "pipelineTrigger": {"id": 373, "pathVariable": "imageBuilder.pathArgs"}},
  {"manifest": {"owner": "octo", "repo": "images", "branch": "main", "path": "manifest.json"},
   "imageInfo": {"owner": "octo", "repo": "images", "branch": "image-info", "path": "image-info.json"},
   "pipelineTrigger": {"workflow": "build.yml", "pathVariable": "paths"}}
]`

const (
	staleDotnet = `[{"SubscriptionId":"dotnet/dotnet-docker/main/manifest.json","ImagePaths":["src/runtime-deps/8.0/bookworm-slim/amd64","src/runtime/8.0/bookworm-slim/amd64"]}]`
	staleOcto   = `[{"SubscriptionId":"octo/images/main/manifest.json","ImagePaths":["alpine/3.20"]},{"SubscriptionId":"dotnet/dotnet-docker/main/manifest.json","ImagePaths":["src/runtime/8.0/bookworm-slim/amd64","src/aspnet/8.0/bookworm-slim/amd64"]}]`
)

type fixture struct {
	subs   string
	azdo   *azdotest.Server
	github *githubtest.Server
	env    map[string]string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	subs := filepath.Join(dir, "subscriptions.json")
	require.NoError(t, os.WriteFile(subs, []byte(subscriptionsJSON), 0o644))
	f := &fixture{
		subs:   subs,
		azdo:   azdotest.NewServer(t, "dnceng", "internal", azdoToken),
		github: githubtest.NewServer(t, githubtest.WithToken(githubToken)),
		env:    map[string]string{"AZURE_DEVOPS_TOKEN": azdoToken, "GITHUB_TOKEN": githubToken},
	}
	f.azdo.Definition(373)
	f.github.Workflow("octo", "images", "build.yml")
	return f
}

// run runs queue-build with the fakes' URLs and the standard flags, plus args.
func (f *fixture) run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	all := append([]string{
		"--subscriptions", f.subs,
		"--azdo-url", f.azdo.URL, "--azdo-org", "dnceng", "--azdo-project", "internal",
		"--github-api-url", f.github.URL,
		"--verbose",
	}, args...)
	var out, errOut bytes.Buffer
	code = run(context.Background(), all, &out, &errOut, func(k string) string { return f.env[k] })
	return code, out.String(), errOut.String()
}

func (f *fixture) calls() int { return len(f.azdo.Requests()) + len(f.github.Requests()) }

// assertNoSecrets checks output for the tokens in every form they are sent.
func assertNoSecrets(t *testing.T, outputs ...string) {
	t.Helper()
	basic := base64.StdEncoding.EncodeToString([]byte(":" + azdoToken))
	for _, o := range outputs {
		assert.NotContains(t, o, azdoToken)
		assert.NotContains(t, o, basic)
		assert.NotContains(t, o, githubToken)
	}
}

func TestQueueBothBackends(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	code, stdout, stderr := f.run(t, "--image-paths", staleDotnet, "--image-paths", staleOcto)
	require.Equal(t, cli.ExitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)

	assert.Equal(t,
		"queued  dotnet/dotnet-docker/main/manifest.json  azure-devops definition 373                    "+f.azdo.WebURL(5001)+"\n"+
			"queued  octo/images/main/manifest.json           github-actions octo/images workflow build.yml  "+f.github.URL+"/octo/images/actions/workflows/build.yml\n",
		stdout)
	queued := f.azdo.Queued()
	require.Len(t, queued, 1)
	assert.Equal(t, "main", queued[0].SourceBranch)
	assert.Equal(t, `{"imageBuilder.pathArgs": "--path 'src/runtime-deps/8.0/bookworm-slim/amd64' --path 'src/runtime/8.0/bookworm-slim/amd64' --path 'src/aspnet/8.0/bookworm-slim/amd64'"}`,
		queued[0].Parameters)
	assert.Equal(t, []string{"autobuilder"}, queued[0].Tags)
	dispatches := f.github.Dispatches()
	require.Len(t, dispatches, 1)
	assert.Equal(t, `{"paths": "--path 'alpine/3.20'"}`, dispatches[0].RawInputs)
	assert.Contains(t, stderr, "level=DEBUG msg=request method=POST")
	assertNoSecrets(t, stdout, stderr)

	// Run again: both pipelines now have an active run, nothing is queued twice.
	code, stdout, stderr = f.run(t, "--image-paths", staleDotnet, "--image-paths", staleOcto)
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.True(t, strings.HasPrefix(stdout, "skipped-active  dotnet/dotnet-docker/main/manifest.json"), stdout)
	assert.Contains(t, stdout, "active: "+f.azdo.WebURL(5001))
	assert.Len(t, f.azdo.Queued(), 1)
	assert.Len(t, f.github.Dispatches(), 1)
}

func TestImagePathsFromFile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	file := filepath.Join(t.TempDir(), "stale.json")
	require.NoError(t, os.WriteFile(file, []byte(staleDotnet), 0o644))
	code, stdout, stderr := f.run(t, "--image-paths", "@"+file)
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, stdout, "queued         dotnet/dotnet-docker/main/manifest.json")
	assert.Contains(t, stdout, "nothing-to-do  octo/images/main/manifest.json")
	assert.Empty(t, f.github.Requests(), "no GitHub call when no GitHub subscription has paths")
}

// TestImagePathsFileWithoutAt: a file name given without @ is answered with the @FILE form,
// as a usage error, before anything is queued.
func TestImagePathsFileWithoutAt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	file := filepath.Join(t.TempDir(), "stale.json")
	require.NoError(t, os.WriteFile(file, []byte(staleDotnet), 0o644))
	code, stdout, stderr := f.run(t, "--image-paths", "[]", "--image-paths", file)
	assert.Equal(t, cli.ExitUsage, code)
	assert.Empty(t, stdout)
	assert.Equal(t, fmt.Sprintf("queue-build: --image-paths %q is a file name: write --image-paths @%s to read the file; see queue-build --help\n", file, file), stderr)

	code, _, stderr = f.run(t, "--image-paths", "stale-images")
	assert.Equal(t, cli.ExitUsage, code)
	assert.Equal(t, `queue-build: --image-paths #1: want get-stale-images JSON ([{"SubscriptionId": …, "ImagePaths": […]}]) or @FILE; see queue-build --help`+"\n", stderr)
	assert.Zero(t, f.calls())
}

func TestDryRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.env = nil // no token needed
	code, stdout, stderr := f.run(t, "--dry-run", "--image-paths", staleDotnet, "--image-paths", staleOcto, "--notify-repo", "octo/notes")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Equal(t,
		`dry-run  dotnet/dotnet-docker/main/manifest.json  azure-devops definition 373                    branch main parameters {"imageBuilder.pathArgs": "--path 'src/runtime-deps/8.0/bookworm-slim/amd64' --path 'src/runtime/8.0/bookworm-slim/amd64' --path 'src/aspnet/8.0/bookworm-slim/amd64'"}`+"\n"+
			`dry-run  octo/images/main/manifest.json           github-actions octo/images workflow build.yml  branch main parameters {"paths": "--path 'alpine/3.20'"}`+"\n",
		stdout)
	assert.Equal(t, 1, strings.Count(stderr, "--path 'src/runtime/"), "the parameters are logged once, at debug level (the fixture runs --verbose)")
	assert.Equal(t, 2, strings.Count(stderr, `level=DEBUG msg="dry run: parameters"`))
	assert.Zero(t, f.calls())
}

// TestDryRunAtScale: a dry run with many paths prints one short line per subscription, the
// exact parameters once, with --verbose, in the log.
func TestDryRunAtScale(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.env = nil
	var paths []string
	for i := range 107 {
		paths = append(paths, fmt.Sprintf(`"src/runtime/%d/amd64"`, i))
	}
	input := `[{"SubscriptionId":"dotnet/dotnet-docker/main/manifest.json","ImagePaths":[` + strings.Join(paths, ",") + `]}]`
	code, stdout, stderr := f.run(t, "--dry-run", "--image-paths", input)
	require.Equal(t, cli.ExitOK, code, stderr)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, lines, 2)
	assert.Equal(t, "dry-run        dotnet/dotnet-docker/main/manifest.json  azure-devops definition 373  "+
		"branch main, 107 paths: src/runtime/0/amd64, src/runtime/1/amd64, src/runtime/2/amd64, … and 104 more (the exact parameters with --verbose)", lines[0])
	// The fixture runs --verbose: the exact parameters are in the debug log, once; the
	// information-level line only counts the paths.
	assert.Equal(t, 1, strings.Count(stderr, "--path 'src/runtime/106/amd64'"))
	assert.Contains(t, stderr, `level=INFO msg="dry run: would queue" subscription=dotnet/dotnet-docker/main/manifest.json pipeline="azure-devops definition 373" branch=main paths=107`+"\n")
}

func TestNothingToDo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	code, stdout, stderr := f.run(t, "--image-paths", "[]")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Equal(t, "nothing-to-do  dotnet/dotnet-docker/main/manifest.json  azure-devops definition 373\n"+
		"nothing-to-do  octo/images/main/manifest.json           github-actions octo/images workflow build.yml\n", stdout)
	assert.Contains(t, stderr, "no stale paths were handed over; nothing to queue")
	assert.Zero(t, f.calls())
}

func TestBreakerExits3(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	t0 := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	f.azdo.Definition(373,
		azdotest.Build{ID: 11, Status: "completed", Result: "failed", QueueTime: t0},
		azdotest.Build{ID: 12, Status: "completed", Result: "failed", QueueTime: t0.Add(time.Hour)},
		azdotest.Build{ID: 13, Status: "completed", Result: "failed", QueueTime: t0.Add(2 * time.Hour)},
	)
	code, stdout, stderr := f.run(t, "--image-paths", staleDotnet, "--image-paths", staleOcto)
	require.Equal(t, cli.ExitBreaker, code, stderr)
	assert.Contains(t, stdout, "breaker-tripped  dotnet/dotnet-docker/main/manifest.json")
	assert.Contains(t, stdout, "CIRCUIT BREAKER: the last 3 runs failed, queue manually after fixing them: "+
		f.azdo.WebURL(13)+" "+f.azdo.WebURL(12)+" "+f.azdo.WebURL(11))
	assert.Contains(t, stdout, "queued           octo/images/main/manifest.json")
	assert.Contains(t, stderr, "level=ERROR")
	assert.Empty(t, f.azdo.Queued())

	assert.NotContains(t, stdout, "##vso[", "logging commands only with --format azure-pipelines")

	// In an Azure Pipelines step, as ImageBuilder: an ##[error] line, the step completed
	// "succeeded with issues", exit status 0.
	code, stdout, stderr = f.run(t, "--image-paths", staleDotnet, "--format", "azure-pipelines")
	require.Equal(t, cli.ExitOK, code, stderr)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, lines, 4, stdout)
	assert.True(t, strings.HasPrefix(lines[0], "breaker-tripped  dotnet/dotnet-docker/main/manifest.json"), lines[0])
	assert.Equal(t, "##[error]Unable to queue build due to too many recent build failures: dotnet/dotnet-docker/main/manifest.json "+
		"(azure-devops definition 373): the last 3 runs failed: "+f.azdo.WebURL(13)+" "+f.azdo.WebURL(12)+" "+f.azdo.WebURL(11), lines[2])
	assert.Equal(t, "##vso[task.complete result=SucceededWithIssues]", lines[3])
	assert.Empty(t, f.azdo.Queued())

	// With the breaker off, it queues.
	code, _, stderr = f.run(t, "--image-paths", staleDotnet, "--failure-limit", "0")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Len(t, f.azdo.Queued(), 1)
}

func TestErrorsExit1(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		setup   func(*fixture)
		wantErr string
	}{
		{"unknown subscription", []string{"--image-paths", `[{"SubscriptionId":"dotnet/nope/main/manifest.json","ImagePaths":["a"]}]`},
			nil, `subscription "dotnet/nope/main/manifest.json" is not in the subscriptions file`},
		{"hostile path", []string{"--image-paths", `[{"SubscriptionId":"octo/images/main/manifest.json","ImagePaths":["a' --push 'evil"]}]`},
			nil, `path "a' --push 'evil": character U+0027 (') at position 2 is not allowed`},
		{"newline in path", []string{"--image-paths", `[{"SubscriptionId":"octo/images/main/manifest.json","ImagePaths":["a\nb"]}]`},
			nil, `path "a\nb": character U+000A at position 2 is not allowed`},
		{"bad JSON", []string{"--image-paths", `[{"SubscriptionId":}]`}, nil, "--image-paths #1:1:"},
		{"missing file", []string{"--image-paths", "@/nonexistent/stale.json"}, nil, "no such file"},
		{"queue fails", []string{"--image-paths", staleDotnet},
			func(f *fixture) { f.azdo.FailNext(http.MethodPost, http.StatusInternalServerError, -1) },
			"error: azure-devops definition 373: queue: POST /dnceng/internal/_apis/build/builds: 500 Internal Server Error"},
		{"wrong token", []string{"--image-paths", staleOcto},
			func(f *fixture) { f.env["GITHUB_TOKEN"] = "wrong" }, "401 Unauthorized: Bad credentials"},
		{"no token", []string{"--image-paths", staleDotnet},
			func(f *fixture) { delete(f.env, "AZURE_DEVOPS_TOKEN") }, "azdo: no token: set AZURE_DEVOPS_TOKEN"},
		{"notification fails", []string{"--image-paths", staleDotnet, "--notify-repo", "octo/notes"},
			func(f *fixture) { f.github.FailNext(http.MethodPost, http.StatusForbidden, -1) }, "notification failed: notify Queued: POST /repos/octo/notes/issues: 403 Forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			code, stdout, stderr := f.run(t, tt.args...)
			assert.Equal(t, cli.ExitError, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			assert.Contains(t, stdout+stderr, tt.wantErr)
			assertNoSecrets(t, stdout, stderr)
		})
	}
}

func TestQueue500NotRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.azdo.FailNext(http.MethodPost, http.StatusInternalServerError, -1)
	code, stdout, stderr := f.run(t, "--image-paths", staleDotnet)
	require.Equal(t, cli.ExitError, code)
	posts := 0
	for _, r := range f.azdo.Requests() {
		if r.Method == http.MethodPost {
			posts++
		}
	}
	assert.Equal(t, 1, posts)
	assert.Equal(t, 1, strings.Count(stdout, "500 Internal Server Error"), stdout)
	assert.Equal(t, 1, strings.Count(stderr, "level=ERROR"), stderr)
}

func TestNotifications(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.github.Workflow("octo", "images", "build.yml", githubtest.Run{ID: 3, Status: "in_progress", Branch: "main",
		Event: "workflow_dispatch", CreatedAt: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)})
	code, _, stderr := f.run(t, "--image-paths", staleDotnet, "--image-paths", staleOcto, "--notify-repo", "octo/notes")
	require.Equal(t, cli.ExitOK, code, stderr)
	issues := f.github.Issues()
	require.Len(t, issues, 2)
	titles := []string{issues[0].Title, issues[1].Title}
	assert.ElementsMatch(t, []string{
		"AutoBuilder - Queued - dotnet/dotnet-docker/main/manifest.json",
		"AutoBuilder - Skipped - octo/images/main/manifest.json",
	}, titles)
	for _, is := range issues {
		assert.Equal(t, "notes", is.Repo)
		assert.True(t, is.Closed)
		assert.Contains(t, is.Labels, "notify-autobuilder")
	}
}

func TestUsageExit2(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--image-paths", "[]", "--queue-twice"}, "unknown flag --queue-twice"},
		{"no image paths", nil, "at least one --image-paths is required"},
		{"negative limit", []string{"--image-paths", "[]", "--failure-limit", "-1"}, "--failure-limit must be 0 or more"},
		{"bad limit", []string{"--image-paths", "[]", "--failure-limit", "x"}, `--failure-limit "x": want a whole number`},
		{"log format", []string{"--image-paths", "[]", "--log-format", "xml"}, `--log-format "xml"`},
		{"argument", []string{"--image-paths", "[]", "extra"}, `queue-build takes no arguments (got 1)`},
		{"ImageBuilder arguments", []string{"s3cr3t-pat", "dnceng", "internal", "--image-paths", "[]"}, "set AZURE_DEVOPS_TOKEN in the environment and pass --azdo-org ORGANIZATION --azdo-project PROJECT"},
		{"notify repo", []string{"--image-paths", "[]", "--notify-repo", "octo"}, "want OWNER/REPO"},
		{"format", []string{"--image-paths", "[]", "--format", "json"}, `--format "json": want text or azure-pipelines`},
		{"no org", []string{"--image-paths", staleDotnet, "--azdo-org", ""}, "--azdo-org and --azdo-project are required to queue Azure DevOps pipelines (subscription dotnet/dotnet-docker/main/manifest.json)"},
	}
	for _, tt := range tests {
		code, stdout, stderr := f.run(t, tt.args...)
		assert.Equal(t, cli.ExitUsage, code, tt.name)
		assert.Empty(t, stdout, tt.name)
		assert.Contains(t, stderr, tt.want, tt.name)
		assert.NotContains(t, stderr, "s3cr3t", tt.name)
		assert.True(t, strings.HasSuffix(stderr, "; see queue-build --help\n"), "%s: %q", tt.name, stderr)
	}
	var out, errOut bytes.Buffer
	assert.Equal(t, cli.ExitUsage, run(context.Background(), []string{"--image-paths", "[]"}, &out, &errOut, func(string) string { return "" }))
	assert.Contains(t, errOut.String(), "--subscriptions is required")
	assert.Zero(t, f.calls())
}

func TestHelp(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"--help"}, &out, &errOut, func(string) string { return "" })
	require.Equal(t, cli.ExitOK, code)
	assert.Empty(t, errOut.String())
	help := out.String()
	for _, flag := range []string{"--subscriptions FILE", "--image-paths JSON", "--azdo-url URL", "--azdo-org ORG",
		"--azdo-project PROJECT", "--github-api-url URL", "--failure-limit N", "--dry-run", "--notify-repo OWNER/REPO",
		"--log-format FORMAT", "--verbose"} {
		assert.Contains(t, help, "\n  "+flag+" ", flag)
	}
	assert.Contains(t, help, "--azdo-org dnceng --azdo-project internal --image-paths")
	assert.Contains(t, help, "GITHUB_TOKEN=*** queue-build --subscriptions subscriptions.json")
	for _, line := range strings.Split(help, "\n") {
		assert.LessOrEqual(t, len([]rune(line)), 130, line)
	}
}

func TestJSONLogs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	code, _, stderr := f.run(t, "--image-paths", staleDotnet, "--log-format", "json")
	require.Equal(t, cli.ExitOK, code, stderr)
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		assert.True(t, strings.HasPrefix(line, `{"time":`), line)
	}
	assertNoSecrets(t, stderr)
}

func TestCommandLineConventions(t *testing.T) {
	t.Parallel()
	clitest.Conventions(t, "queue-build", func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr, func(string) string { return "" })
		return code, stdout.String(), stderr.String()
	})
}
