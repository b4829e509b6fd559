// Command queue-build queues a rebuild for every subscription whose images are stale, as
// ImageBuilder's queueBuild does, with guards: a subscription whose pipeline has an active
// run is skipped, and one whose newest runs all failed is not queued (circuit breaker).
//
// It reads get-stale-images JSON, prints one line per subscription on stdout, and logs on
// stderr. See --help.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/internal/cli"
	"github.com/baseflow/baseflow/internal/queueflags"
	"github.com/baseflow/baseflow/subscription"
)

func main() {
	ctx, stop := cli.SignalContext(context.Background())
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

type config struct {
	subscriptions string
	imagePaths    cli.Strings
	queue         queueflags.QueueFlags
	format        string
	logging       cli.Logging
}

func flags(c *config) *flag.FlagSet {
	fs := flag.NewFlagSet("queue-build", flag.ContinueOnError)
	fs.StringVar(&c.subscriptions, "subscriptions", "", "subscriptions `FILE` (JSON array, ImageBuilder format); required")
	fs.Var(&c.imagePaths, "image-paths", "stale paths as get-stale-images `JSON`, or @FILE holding it; repeatable, merged in order")
	c.queue.Register(fs, true)
	fs.StringVar(&c.format, "format", "text", "output `FORMAT`: text, or azure-pipelines (a tripped circuit breaker ends the step \"succeeded with issues\" with exit status 0, as ImageBuilder's queueBuild does)")
	c.logging.Register(fs, "log every request (debug level)")
	return fs
}

const description = `Queues one rebuild per subscription with stale images, on Azure DevOps (pipelineTrigger.id)
or GitHub Actions (pipelineTrigger.workflow), with the paths as --path '<path>' arguments in
the subscription's pathVariable. A subscription whose pipeline has a queued or running run is
skipped; one whose newest --failure-limit runs all failed is not queued (circuit breaker).`

const environment = `AZURE_DEVOPS_TOKEN   Azure DevOps personal access token (in a pipeline, SYSTEM_ACCESSTOKEN is used)
GITHUB_TOKEN         GitHub token, for GitHub Actions subscriptions and --notify-repo`

const examples = `# Azure DevOps: the stale paths of a get-stale-images step, queued on dnceng/internal
AZURE_DEVOPS_TOKEN=*** queue-build --subscriptions eng/check-base-image-subscriptions.json \
  --azdo-org dnceng --azdo-project internal --image-paths "$(cat stale-images.json)"

# GitHub Actions: two shards' results merged, an issue per outcome in octo/notifications
GITHUB_TOKEN=*** queue-build --subscriptions subscriptions.json \
  --image-paths @shard-1.json --image-paths @shard-2.json --notify-repo octo/notifications`

func commandLine(fs *flag.FlagSet) *cli.Command {
	return &cli.Command{
		Name:        "queue-build",
		Synopsis:    "--subscriptions FILE --image-paths JSON|@FILE [--image-paths JSON|@FILE]... [flags]",
		Description: description,
		Flags:       fs,
		Sections:    []cli.Section{{Title: "Environment", Body: environment}, {Title: "Examples", Body: examples}},
		Exit: []cli.ExitStatus{
			{Code: cli.ExitOK, Meaning: "every subscription was queued, skipped as active, had nothing to do, or the run was dry"},
			cli.ExitStatusError,
			cli.ExitStatusUsage,
			{Code: cli.ExitBreaker, Meaning: "a circuit breaker tripped (and nothing failed); with --format azure-pipelines, 0 and the step is marked succeeded with issues, as ImageBuilder does"},
		},
		Aliases: cli.ImageBuilderAliases,
		Foreign: cli.ImageBuilderForeign,
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) int {
	var c config
	cmd := commandLine(flags(&c))
	if code, done := cmd.Parse(args, stdout, stderr); done {
		return code
	}
	// Errors follow the log format too.
	log, _, errs, err := c.logging.Start(stderr)
	if err != nil {
		return fail(stderr, err)
	}
	if err := c.check(cmd.Args()); err != nil {
		return fail(errs, err)
	}

	subs, err := subscription.Load(c.subscriptions)
	if err != nil {
		return fail(errs, err)
	}
	inputs, err := readImagePaths(c.imagePaths)
	if err != nil {
		return fail(errs, err)
	}
	jobs, err := dispatch.Plan(subs, inputs...)
	if err != nil {
		return fail(errs, err)
	}
	d, err := c.queue.NewDispatcher(queueflags.WithPaths(jobs), env, log)
	if err != nil {
		return fail(errs, err)
	}
	results := d.DispatchJobs(ctx, jobs)
	code, err := queueflags.WriteDispatch(stdout, c.format, results)
	if err != nil {
		return fail(errs, err)
	}
	return code
}

func (c *config) check(rest []string) error {
	switch {
	case len(rest) > 0:
		// ImageBuilder's queueBuild takes PAT ORGANIZATION PROJECT as arguments. The first may
		// be a token: the message never repeats the arguments.
		return cli.Usagef("queue-build takes no arguments (got %d): for ImageBuilder's PAT ORGANIZATION PROJECT, "+
			"set AZURE_DEVOPS_TOKEN in the environment and pass --azdo-org ORGANIZATION --azdo-project PROJECT", len(rest))
	case c.subscriptions == "":
		return cli.Usagef("--subscriptions is required")
	case len(c.imagePaths) == 0:
		return cli.Usagef("at least one --image-paths is required")
	case c.format != "text" && c.format != "azure-pipelines":
		return cli.Usagef("--format %q: want text or azure-pipelines", c.format)
	}
	return c.queue.Validate()
}

func readImagePaths(values []string) ([][]subscription.ImagePaths, error) {
	var inputs [][]subscription.ImagePaths
	for i, v := range values {
		name, data := fmt.Sprintf("--image-paths #%d", i+1), []byte(v)
		if file, ok := strings.CutPrefix(v, "@"); ok {
			var err error
			if data, err = os.ReadFile(file); err != nil {
				return nil, fmt.Errorf("--image-paths: %w", err)
			}
			name = file
		} else if t := strings.TrimSpace(v); !strings.HasPrefix(t, "[") && !strings.HasPrefix(t, "{") && t != "null" {
			// Not JSON at all: most likely a file name given without its @.
			if _, err := os.Stat(v); err == nil {
				return nil, cli.Usagef("--image-paths %q is a file name: write --image-paths @%s to read the file", v, v)
			}
			return nil, cli.Usagef("--image-paths %s: want get-stale-images JSON ([{\"SubscriptionId\": …, \"ImagePaths\": […]}]) or @FILE", name[len("--image-paths "):])
		}
		in, err := subscription.ParseImagePaths(name, data)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, in)
	}
	return inputs, nil
}

func fail(w io.Writer, err error) int { return cli.Fail(w, "queue-build", err) }
