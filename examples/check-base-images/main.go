// Command check-base-images is the main job: it checks every subscription for images whose
// base images moved and queues their rebuilds, in one process. Without flags it runs a
// self-contained demo.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/baseflow/baseflow"
	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/internal/checkflags"
	"github.com/baseflow/baseflow/internal/cli"
	"github.com/baseflow/baseflow/internal/queueflags"
	"github.com/baseflow/baseflow/registry"
)

const description = `Checks every subscription for stale images, as get-stale-images does, then queues one rebuild
per subscription with stale images, as queue-build does, with the same guards: a pipeline with
a queued or running run is skipped, and one whose newest runs all failed is not queued.
Without flags it runs a self-contained demo: no network or account needed.

Output: one line per subscription with what was queued (stdout); progress and logs (stderr);
the stale paths in ImageBuilder's JSON with --output, a JSON report with --report, the reasons
as text with --explain.`

const environment = `AZURE_DEVOPS_TOKEN   Azure DevOps PAT (in a pipeline, SYSTEM_ACCESSTOKEN is used)
GITHUB_TOKEN         GitHub token: GitHub Actions subscriptions, --notify-repo, --image-info-source github
DOCKER_CONFIG        docker config.json (registry credentials and credential helpers)`

const examples = `# Azure DevOps: the scheduled check of the .NET images, mirrored bases, one queue per subscription
AZURE_DEVOPS_TOKEN=*** check-base-images --subscriptions eng/check-base-image-subscriptions.json \
  --azdo-org dnceng --azdo-project internal --os-type '*' --architecture '*' \
  --mirror docker.io=dotnetdocker.azurecr.io/mirror --explain

# GitHub Actions: subscriptions whose pipelineTrigger names a workflow, image-info read
# through the API, shard 1 of 4 of a matrix, without queueing anything
GITHUB_TOKEN=*** check-base-images --subscriptions subscriptions.json \
  --image-info-source github --shard 1/4 --dry-run --report report.json`

func commandLine(fs *flag.FlagSet) *cli.Command {
	return &cli.Command{
		Name:        "check-base-images",
		Synopsis:    "--subscriptions FILE [flags]\ncheck-base-images            (no flags: the demo)",
		Description: description,
		Flags:       fs,
		Sections:    []cli.Section{{Title: "Environment", Body: environment}, {Title: "Examples", Body: examples}},
		Exit: []cli.ExitStatus{
			{Code: cli.ExitOK, Meaning: "every subscription was checked, and queued, skipped as active, or had nothing to do"},
			{Code: cli.ExitError, Meaning: "a subscription could not be checked or a queue call failed"},
			cli.ExitStatusUsage,
			{Code: cli.ExitBreaker, Meaning: "a circuit breaker tripped (and nothing failed); with --format azure-pipelines, 0 and the step is marked succeeded with issues, as ImageBuilder does"},
		},
		Aliases: cli.ImageBuilderAliases,
		Foreign: cli.ImageBuilderForeign,
	}
}

func main() {
	ctx, stop := cli.SignalContext(context.Background())
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv, nil)
	stop()
	os.Exit(code)
}

// run is the command; resolver, when not nil, replaces the network registry client.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, resolver registry.Resolver) int {
	var (
		checkFlags checkflags.CheckFlags
		queue      queueflags.QueueFlags
		out        checkflags.OutputFlags
	)
	fs := flag.NewFlagSet("check-base-images", flag.ContinueOnError)
	checkFlags.Register(fs)
	checkFlags.RegisterTimeout(fs)
	queue.Register(fs, false)
	out.Register(fs)
	var logging cli.Logging
	logging.Register(fs, "")
	demo := fs.Bool("demo", false, "run the self-contained demo (the default when no flag is given)")
	cmd := commandLine(fs)
	if code, done := cmd.Parse(args, stdout, stderr); done {
		return code
	}
	// Progress, --explain and failures follow the log format too.
	log, info, errs, err := logging.Start(stderr)
	if err != nil {
		return fail(stderr, err)
	}
	if len(cmd.Args()) > 0 {
		return fail(errs, cli.Usagef("unexpected argument %q", cmd.Args()[0]))
	}
	if len(args) == 0 || *demo {
		if !logging.Verbose {
			// The demo narrates on stdout; the log only has something to add when it goes wrong.
			log, _ = cli.NewLogger(stderr, logging.Format, slog.LevelWarn)
		}
		if _, err := runDemo(ctx, stdout, log); err != nil {
			return fail(errs, fmt.Errorf("demo: %w", err))
		}
		return cli.ExitOK
	}
	queue.GitHubAPIURL = checkFlags.GitHubAPIURL
	if err := errors.Join(checkFlags.Validate(), queue.Validate(), out.Validate(), out.ValidateFiles(&checkFlags), out.ValidateEnvironment(getenv)); err != nil {
		return fail(errs, err)
	}

	ctx, cancel := checkFlags.RunContext(ctx)
	defer cancel()
	c, err := checkFlags.NewCheck(getenv, log, resolver)
	if err != nil {
		return fail(errs, err)
	}
	defer c.Close()
	d, err := queue.NewDispatcher(c.Subscriptions, getenv, log)
	if err != nil {
		return fail(errs, err)
	}
	c.Checker.Progress = func(done, total int, r *check.SubscriptionResult) {
		fmt.Fprintf(info, "[%d/%d] %s\n", done, total, checkflags.ProgressLine(r))
	}
	outcome, err := baseflow.Check(ctx, baseflow.Config{Subscriptions: c.Subscriptions, Checker: c.Checker, Dispatcher: d})
	if err != nil {
		return fail(errs, err)
	}
	report := check.NewReport(outcome.Results, c.RegistryReport())
	// The stale-path JSON goes to stdout only in get-stale-images; here stdout lists what was
	// queued, and the JSON is written when --output (- for stdout, before that list) or the
	// github-actions format asks.
	jsonOut := io.Discard
	if out.Output == "-" || out.Output == "/dev/stdout" {
		jsonOut = stdout
	}
	if err := out.Write(jsonOut, info, outcome.Results, report, getenv); err != nil {
		return fail(errs, err)
	}
	code, err := queueflags.WriteDispatch(stdout, out.Format, outcome.Queued)
	if err != nil {
		return fail(errs, err)
	}
	if lines := checkflags.FailureLines(outcome.Results); len(lines) > 0 {
		for _, line := range lines {
			fmt.Fprintf(errs, "check-base-images: %s\n", line)
		}
		code = cli.ExitError
	}
	if err := checkflags.DeadlinePassed(ctx); err != nil {
		fmt.Fprintf(errs, "check-base-images: stopped: %v\n", err)
		code = cli.ExitError
	}
	return code
}

func fail(w io.Writer, err error) int { return cli.Fail(w, "check-base-images", err) }
