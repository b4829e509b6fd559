// Command get-stale-images checks subscriptions for images whose base images moved, and
// prints the Dockerfile paths to rebuild in ImageBuilder's getStaleImages format.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/internal/checkflags"
	"github.com/baseflow/baseflow/internal/cli"
	"github.com/baseflow/baseflow/registry"
)

const description = `For every subscription, clones the manifest's repository, parses its Dockerfiles, reads the
image-info file, asks the registry for the current digest of each external final-stage base
(one HEAD per distinct reference for the whole run), and lists the Dockerfile paths to rebuild:
the images whose base moved, and every image connected to them through FROMs.

With --manifest and --image-info instead of --subscriptions, checks the manifest and its
Dockerfiles as they are on disk (uncommitted changes included), without git or a
subscriptions file; the SubscriptionId is the manifest path as given.

Output (stdout, or --output FILE), as ImageBuilder writes it:
  [{"SubscriptionId":"dotnet/dotnet-docker/main/manifest.json","ImagePaths":["src/a","src/b"]}]

ImageBuilder's positional VARIABLE (getStaleImages staleImagePaths) is accepted: it sets
--variable and, unless --format is given, --format azure-pipelines.`

const environment = `GITHUB_TOKEN    token for --image-info-source github
DOCKER_CONFIG   docker config.json (credentials and credential helpers for registries)`

const examples = `# ImageBuilder's pipeline step, in an Azure Pipelines job
get-stale-images --subscriptions eng/check-base-image-subscriptions.json \
  --os-type '*' --architecture '*' --format azure-pipelines --variable staleImagePaths

# A working copy, right after recording and merging its builds
get-stale-images --manifest manifest.json --image-info image-info.json --explain

# Two of four matrix jobs, explained, against a local mirror of git repositories
get-stale-images --subscriptions subscriptions.json --repo-url file:///srv/git/{owner}/{repo} \
  --shard 2/4 --report report.json --explain`

func commandLine(fs *flag.FlagSet) *cli.Command {
	return &cli.Command{
		Name:        "get-stale-images",
		Synopsis:    "--subscriptions FILE [flags] [VARIABLE]\nget-stale-images --manifest FILE --image-info FILE [flags]",
		Description: description,
		Flags:       fs,
		Sections:    []cli.Section{{Title: "Environment", Body: environment}, {Title: "Examples", Body: examples}},
		Exit: []cli.ExitStatus{
			{Code: cli.ExitOK, Meaning: "every subscription was checked, stale or not"},
			{Code: cli.ExitError, Meaning: "a subscription failed (the others' results are still written; the failures are named on stderr)"},
			cli.ExitStatusUsage,
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
	var checkFlags checkflags.CheckFlags
	var out checkflags.OutputFlags
	fs := flag.NewFlagSet("get-stale-images", flag.ContinueOnError)
	checkFlags.Register(fs)
	checkFlags.RegisterTimeout(fs)
	checkFlags.RegisterWorkingCopy(fs)
	out.Register(fs)
	var logging cli.Logging
	logging.Register(fs, "")
	cmd := commandLine(fs)
	if code, done := cmd.Parse(args, stdout, stderr); done {
		return code
	}
	// Progress, --explain and failures follow the log format too.
	log, info, errs, err := logging.Start(stderr)
	if err != nil {
		return cmd.Fail(stderr, err)
	}
	switch args := cmd.Args(); len(args) {
	case 0:
	case 1:
		// ImageBuilder's getStaleImages takes the output variable's name as its argument.
		out.Variable = args[0]
		if !flagSet(fs, "format") {
			out.Format = "azure-pipelines"
		}
	default:
		return cmd.Fail(errs, cli.Usagef("unexpected argument %q (the only argument is the output VARIABLE)", args[1]))
	}
	if err := errors.Join(checkFlags.Validate(), out.Validate(), out.ValidateFiles(&checkFlags), out.ValidateEnvironment(getenv)); err != nil {
		return cmd.Fail(errs, err)
	}

	ctx, cancel := checkFlags.RunContext(ctx)
	defer cancel()
	c, err := checkFlags.NewCheck(getenv, log, resolver)
	if err != nil {
		return cmd.Fail(errs, err)
	}
	defer c.Close()
	c.Checker.Progress = func(done, total int, r *check.SubscriptionResult) {
		fmt.Fprintf(info, "[%d/%d] %s\n", done, total, checkflags.ProgressLine(r))
	}
	results := c.Checker.Check(ctx, c.Subscriptions)
	report := check.NewReport(results, c.RegistryReport())
	if err := out.Write(stdout, info, results, report, getenv); err != nil {
		return cmd.Fail(errs, err)
	}
	lines := checkflags.FailureLines(results)
	for _, line := range lines {
		fmt.Fprintf(errs, "get-stale-images: %s\n", line)
	}
	if err := checkflags.DeadlinePassed(ctx); err != nil {
		fmt.Fprintf(errs, "get-stale-images: stopped: %v\n", err)
		return cli.ExitError
	}
	if len(lines) > 0 {
		return cli.ExitError
	}
	return 0
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
