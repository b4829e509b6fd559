// Command queue-build queues a rebuild for every subscription whose images are stale, as
// ImageBuilder's queueBuild does, with guards: a subscription whose pipeline has an active
// run is skipped, and one whose newest runs all failed is not queued (circuit breaker).
//
// It reads get-stale-images JSON, prints one line per subscription on stdout, and logs on
// stderr. See --help.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/azdo"
	"github.com/baseflow/baseflow/dispatch/github"
	"github.com/baseflow/baseflow/subscription"
)

// Exit statuses.
const (
	exitOK      = 0
	exitError   = 1
	exitUsage   = 2
	exitBreaker = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, " ") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

type config struct {
	subscriptions string
	imagePaths    stringList
	azdoURL       string
	azdoOrg       string
	azdoProject   string
	githubAPIURL  string
	failureLimit  int
	dryRun        bool
	notifyRepo    string
	logFormat     string
	verbose       bool
}

func flags(c *config) *flag.FlagSet {
	fs := flag.NewFlagSet("queue-build", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.subscriptions, "subscriptions", "", "subscriptions `FILE` (JSON array, ImageBuilder format); required")
	fs.Var(&c.imagePaths, "image-paths", "stale paths as get-stale-images `JSON`, or @FILE holding it; repeatable, merged in order")
	fs.StringVar(&c.azdoURL, "azdo-url", azdo.DefaultBaseURL, "Azure DevOps `URL` (Azure DevOps Server: the collection's parent)")
	fs.StringVar(&c.azdoOrg, "azdo-org", "", "Azure DevOps organization `ORG` (on Azure DevOps Server, the collection)")
	fs.StringVar(&c.azdoProject, "azdo-project", "", "Azure DevOps `PROJECT` holding the build definitions")
	fs.StringVar(&c.githubAPIURL, "github-api-url", github.DefaultBaseURL, "GitHub API `URL` (GitHub Enterprise Server: https://HOST/api/v3)")
	fs.IntVar(&c.failureLimit, "failure-limit", dispatch.DefaultFailureLimit, "do not queue when the newest `N` runs all failed; 0 turns the breaker off")
	fs.BoolVar(&c.dryRun, "dry-run", false, "print what would be queued (backend, pipeline, branch, parameters); make no call")
	fs.StringVar(&c.notifyRepo, "notify-repo", "", "post an issue per subscription outcome to `OWNER/REPO` (needs GITHUB_TOKEN)")
	fs.StringVar(&c.logFormat, "log-format", "text", "log `FORMAT` on stderr: text or json")
	fs.BoolVar(&c.verbose, "verbose", false, "log every request (debug level)")
	return fs
}

func usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, `Usage: queue-build --subscriptions FILE --image-paths JSON [--image-paths JSON]... [flags]

Queues one rebuild per subscription with stale images, on Azure DevOps (pipelineTrigger.id)
or GitHub Actions (pipelineTrigger.workflow), with the paths as --path '<path>' arguments in
the subscription's pathVariable. A subscription whose pipeline has a queued or running run is
skipped; one whose newest --failure-limit runs all failed is not queued (circuit breaker).

Flags:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		name, text := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + name
		}
		def := ""
		if f.DefValue != "" && f.DefValue != "false" && f.Name != "image-paths" {
			def = " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(tw, "  --%s%s\t%s%s\n", f.Name, name, text, def)
	})
	tw.Flush()
	fmt.Fprint(w, `
Environment:
  AZURE_DEVOPS_TOKEN   Azure DevOps personal access token (in a pipeline, SYSTEM_ACCESSTOKEN is used)
  GITHUB_TOKEN         GitHub token, for GitHub Actions subscriptions and --notify-repo

Examples:
  # Azure DevOps: the stale paths of a get-stale-images step, queued on dnceng/internal
  AZURE_DEVOPS_TOKEN=*** queue-build --subscriptions eng/check-base-image-subscriptions.json \
    --azdo-org dnceng --azdo-project internal --image-paths "$(cat stale-images.json)"

  # GitHub Actions: two shards' results merged, an issue per outcome in octo/notifications
  GITHUB_TOKEN=*** queue-build --subscriptions subscriptions.json \
    --image-paths @shard-1.json --image-paths @shard-2.json --notify-repo octo/notifications

Exit status: 0 every subscription was queued, skipped as active, had nothing to do, or the
run was dry; 3 a circuit breaker tripped (and nothing failed); 1 an error; 2 a usage error.
`)
}

// usageError is a command-line mistake: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) int {
	var c config
	fs := flags(&c)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout, fs)
			return exitOK
		}
		return fail(stderr, &usageError{err.Error()})
	}
	if err := c.check(fs.Args()); err != nil {
		return fail(stderr, err)
	}
	log := newLogger(stderr, c.logFormat, c.verbose)

	subs, err := subscription.Load(c.subscriptions)
	if err != nil {
		return fail(stderr, err)
	}
	inputs, err := readImagePaths(c.imagePaths)
	if err != nil {
		return fail(stderr, err)
	}
	jobs, err := dispatch.Plan(subs, inputs...)
	if err != nil {
		return fail(stderr, err)
	}
	d := &dispatch.Dispatcher{
		FailureLimit: c.failureLimit,
		DryRun:       c.dryRun,
		Logger:       log,
	}
	if c.failureLimit == 0 {
		d.FailureLimit = -1
	}
	if !c.dryRun {
		if err := c.backends(d, jobs, env, log); err != nil {
			return fail(stderr, err)
		}
	}

	results := d.DispatchJobs(ctx, jobs)
	printResults(stdout, results)
	return exitStatus(results)
}

func (c *config) check(rest []string) error {
	switch {
	case len(rest) > 0:
		return &usageError{fmt.Sprintf("unexpected argument %q", rest[0])}
	case c.subscriptions == "":
		return &usageError{"--subscriptions is required"}
	case len(c.imagePaths) == 0:
		return &usageError{"at least one --image-paths is required"}
	case c.failureLimit < 0:
		return &usageError{"--failure-limit must be 0 or more"}
	case c.logFormat != "text" && c.logFormat != "json":
		return &usageError{fmt.Sprintf("--log-format %q: want text or json", c.logFormat)}
	}
	if c.notifyRepo != "" {
		owner, repo, ok := strings.Cut(c.notifyRepo, "/")
		if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
			return &usageError{fmt.Sprintf("--notify-repo %q: want OWNER/REPO", c.notifyRepo)}
		}
	}
	return nil
}

// backends configures the clients the jobs need, and only those: a run with only GitHub
// subscriptions needs no Azure DevOps token.
func (c *config) backends(d *dispatch.Dispatcher, jobs []dispatch.Job, env func(string) string, log *slog.Logger) error {
	needAzure, needGitHub := "", c.notifyRepo != ""
	for _, j := range jobs {
		if len(j.Paths) == 0 {
			continue
		}
		if j.Target.Backend == subscription.GitHubActions {
			needGitHub = true
		} else if needAzure == "" {
			needAzure = j.Subscription.ID()
		}
	}
	if needAzure != "" {
		if c.azdoOrg == "" || c.azdoProject == "" {
			return &usageError{fmt.Sprintf("--azdo-org and --azdo-project are required to queue Azure DevOps pipelines (subscription %s)", needAzure)}
		}
		client, err := azdo.New(c.azdoOrg, c.azdoProject, azdo.WithBaseURL(c.azdoURL), azdo.WithEnv(env), azdo.WithLogger(log))
		if err != nil {
			return err
		}
		d.AzureDevOps = client
	}
	if needGitHub {
		client, err := github.New(github.WithBaseURL(c.githubAPIURL), github.WithEnv(env), github.WithLogger(log))
		if err != nil {
			return err
		}
		d.GitHubActions = client
		if c.notifyRepo != "" {
			owner, repo, _ := strings.Cut(c.notifyRepo, "/")
			d.Notifier = client.Notifier(owner, repo)
		}
	}
	return nil
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
		}
		in, err := subscription.ParseImagePaths(name, data)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, in)
	}
	return inputs, nil
}

func newLogger(w io.Writer, format string, verbose bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if verbose {
		opts.Level = slog.LevelDebug
	}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func printResults(w io.Writer, results []dispatch.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range results {
		line := fmt.Sprintf("%s\t%s\t%s", r.Outcome, r.SubscriptionID, r.Target)
		if d := detail(r); d != "" {
			line += "\t" + d
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
}

func detail(r dispatch.Result) string {
	urls := func(runs []dispatch.Run) string {
		var s []string
		for _, run := range runs {
			s = append(s, run.WebURL)
		}
		return strings.Join(s, " ")
	}
	var d string
	switch r.Outcome {
	case dispatch.Queued:
		d = r.Run.WebURL
	case dispatch.SkippedActive:
		d = "active: " + urls(r.Runs)
	case dispatch.BreakerTripped:
		d = fmt.Sprintf("CIRCUIT BREAKER: the last %d runs failed, queue manually after fixing them: %s", len(r.Runs), urls(r.Runs))
	case dispatch.Failed:
		d = "error: " + r.Err.Error()
	case dispatch.DryRun:
		d = fmt.Sprintf("branch %s parameters %s", r.Target.Branch, r.Parameters)
	}
	if r.NotifyErr != nil {
		d += " (notification failed: " + r.NotifyErr.Error() + ")"
	}
	return d
}

func exitStatus(results []dispatch.Result) int {
	code := exitOK
	for _, r := range results {
		switch {
		case r.Outcome == dispatch.Failed || r.NotifyErr != nil:
			return exitError
		case r.Outcome == dispatch.BreakerTripped:
			code = exitBreaker
		}
	}
	return code
}

func fail(w io.Writer, err error) int {
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(w, "queue-build: %v\nRun queue-build --help for usage.\n", err)
		return exitUsage
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(w, "queue-build: %s\n", line)
	}
	return exitError
}
