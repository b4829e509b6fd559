package queueflags

import (
	"errors"
	"flag"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch/backends"
	"github.com/baseflow/baseflow/internal/cli"
	"github.com/baseflow/baseflow/subscription"
)

func parseQueue(t *testing.T, args ...string) *QueueFlags {
	t.Helper()
	var f QueueFlags
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.Register(fs, true)
	require.NoError(t, fs.Parse(args))
	return &f
}

func TestQueueFlagsSettings(t *testing.T) {
	t.Parallel()
	f := parseQueue(t, "--azdo-url", "https://tfs.example", "--azdo-org", "coll", "--azdo-project", "p",
		"--github-api-url", "https://ghe.example/api/v3", "--failure-limit", "2", "--dry-run", "--notify-repo", "o/r")
	require.NoError(t, f.Validate())
	s := f.Settings(nil, nil)
	assert.Equal(t, backends.Settings{AzureDevOpsURL: "https://tfs.example", AzureDevOpsOrg: "coll", AzureDevOpsProject: "p",
		GitHubAPIURL: "https://ghe.example/api/v3", FailureLimit: 2, DryRun: true, NotifyRepo: "o/r"}, s)

	off := parseQueue(t, "--failure-limit", "0").Settings(nil, nil)
	assert.Equal(t, -1, off.FailureLimit, "--failure-limit 0 turns the breaker off")
	def := parseQueue(t).Settings(nil, nil)
	assert.Equal(t, 3, def.FailureLimit, "the flag's default is the dispatcher's")
}

func TestQueueFlagsValidate(t *testing.T) {
	t.Parallel()
	for args, want := range map[string]string{
		"--failure-limit=-1":  "--failure-limit must be 0 or more",
		"--notify-repo=owner": `--notify-repo "owner": want OWNER/REPO`,
		"--notify-repo=o/r/x": `--notify-repo "o/r/x": want OWNER/REPO`,
		"--notify-repo=/repo": `--notify-repo "/repo": want OWNER/REPO`,
	} {
		err := parseQueue(t, args).Validate()
		var usage *cli.UsageError
		require.ErrorAs(t, err, &usage, args)
		assert.EqualError(t, err, want)
	}
}

func TestQueueFlagsNewDispatcherNeedsAzureProject(t *testing.T) {
	t.Parallel()
	subs, err := subscription.Parse("s.json", []byte(`[{"manifest": {"owner": "o", "repo": "r", "branch": "main", "path": "m.json"},
	  "imageInfo": {"owner": "o", "repo": "i", "branch": "main", "path": "i.json"},
	  "pipelineTrigger": {"id": 1, "pathVariable": "v"}}]`))
	require.NoError(t, err)
	_, err = parseQueue(t, "--azdo-org", "o").NewDispatcher(subs, func(string) string { return "pat" }, nil)
	var usage *cli.UsageError
	require.True(t, errors.As(err, &usage))
	assert.EqualError(t, err, "--azdo-org and --azdo-project are required to queue Azure DevOps pipelines (subscription o/r/main/m.json)")

	d, err := parseQueue(t, "--dry-run").NewDispatcher(subs, nil, nil)
	require.NoError(t, err, "a dry run needs no project")
	assert.True(t, d.DryRun)
}
