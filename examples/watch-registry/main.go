// Command watch-registry rebuilds images within seconds of a base image push: it receives
// registry push events (CNCF distribution notifications, Docker Hub and Azure Container
// Registry webhooks), checks the subscriptions whose final-stage bases the pushed tag is, and
// queues their rebuilds as queue-build does, with the same guards. It also checks every
// subscription on a schedule, as a safety net for missed events. See --help and README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/internal/checkflags"
	"github.com/baseflow/baseflow/internal/cli"
	"github.com/baseflow/baseflow/internal/queueflags"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/setup"
	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/watch"
)

// SecretEnv is the environment variable holding the webhooks' shared secret.
const SecretEnv = "BASEFLOW_WEBHOOK_SECRET"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal ends the process at once
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv, deps{})
	stop()
	os.Exit(code)
}

// deps replaces parts of the command for tests and demonstrations.
type deps struct {
	// resolver replaces the network registry client.
	resolver registry.Resolver
	// backend replaces the Azure DevOps and GitHub Actions clients.
	backend dispatch.Opener
	// listener replaces listening on --listen.
	listener net.Listener
}

type config struct {
	check          checkflags.CheckFlags
	queue          queueflags.QueueFlags
	listen         string
	debounce       time.Duration
	interval       time.Duration
	refresh        time.Duration
	journal        string
	insecureNoAuth bool
	secretInURL    bool
	logging        cli.Logging
}

func flags(c *config) *flag.FlagSet {
	fs := flag.NewFlagSet("watch-registry", flag.ContinueOnError)
	c.check.Register(fs)
	c.queue.Register(fs, false)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8080", "serve webhooks, /healthz and /metrics on `ADDR`")
	fs.DurationVar(&c.debounce, "debounce", watch.DefaultDebounce, "collect a subscription's events for `DURATION` after the first, then check it once; 0: no wait")
	fs.DurationVar(&c.interval, "interval", watch.DefaultInterval, "check every subscription at start-up and every `DURATION`, for missed events; 0: never")
	fs.DurationVar(&c.refresh, "refresh", watch.DefaultRefresh, "rebuild the index of final-stage bases from the manifests every `DURATION`; 0: never")
	fs.StringVar(&c.journal, "journal", "", "keep accepted events in `DIR` until handled, so a restart loses none; empty: in memory only")
	fs.BoolVar(&c.insecureNoAuth, "insecure-no-auth", false, "accept webhooks without a shared secret when "+SecretEnv+" is not set")
	fs.BoolVar(&c.secretInURL, "secret-in-url", false, "also accept the secret as ?token=SECRET (for Docker Hub, which cannot send headers; the URL is stored and logged by others)")
	c.logging.Register(fs, "")
	return fs
}

const description = `Receives registry push events and, for each tag pushed, checks only the subscriptions whose
manifests use that tag as a final-stage base, then queues their rebuilds on Azure DevOps or
GitHub Actions as queue-build does (a pipeline with an active run is skipped; one whose newest
runs all failed is not queued). Events for a subscription within --debounce make one check and
at most one build. Every subscription is also checked at start-up and every --interval.

Endpoints:
  POST /webhook               a webhook in any known format, detected from the body
  POST /webhook/distribution  a CNCF distribution registry notification
  POST /webhook/dockerhub     a Docker Hub webhook
  POST /webhook/acr           an Azure Container Registry webhook
  GET  /healthz               status (JSON)
  GET  /metrics               Prometheus metrics

Webhooks must carry the shared secret as "Authorization: Bearer SECRET", or an HMAC-SHA256 of
the body keyed with it as "X-Baseflow-Signature: sha256=HEX". Requests without it get 401,
bodies over 1 MiB 413, bodies in no known format (or naming no valid image) 400, accepted
events 202. A bearer token is checked before the body is read; at most 8 bodies are read at
once before their signature is checked (more get 503 and Retry-After). At most 1024
connections are held at once; headers must arrive within 5s and a body within 10s more.`

const environment = `BASEFLOW_WEBHOOK_SECRET  the webhooks' shared secret, at least 16 bytes (white space around it,
                         such as a file's final newline, is ignored); required unless
                         --insecure-no-auth
AZURE_DEVOPS_TOKEN       Azure DevOps personal access token (SYSTEM_ACCESSTOKEN in a pipeline)
GITHUB_TOKEN             GitHub token, for GitHub Actions subscriptions, --notify-repo and
                         --image-info-source github
DOCKER_CONFIG            docker config.json (credentials and credential helpers for registries)`

const examples = `# Queue Azure DevOps pipelines for dotnet-docker's subscriptions, journal in /var/lib
BASEFLOW_WEBHOOK_SECRET=*** AZURE_DEVOPS_TOKEN=*** watch-registry \
  --subscriptions eng/check-base-image-subscriptions.json --azdo-org dnceng --azdo-project internal \
  --listen :8080 --journal /var/lib/watch-registry --mirror docker.io=myacr.azurecr.io/mirror

# Try it: dry run against local repositories, no secret
watch-registry --subscriptions subscriptions.json --repo-url 'file:///srv/git/{owner}/{repo}' \
  --dry-run --insecure-no-auth --debounce 2s`

func commandLine(fs *flag.FlagSet) *cli.Command {
	return &cli.Command{
		Name:        "watch-registry",
		Synopsis:    "--subscriptions FILE [--listen 127.0.0.1:8080] [--debounce 30s]\n               [--interval 4h] [--refresh 30m] [--journal DIR] [flags]",
		Description: description,
		Flags:       fs,
		Sections:    []cli.Section{{Title: "Environment", Body: environment}, {Title: "Examples", Body: examples}},
		Exit: []cli.ExitStatus{
			{Code: cli.ExitOK, Meaning: "a shutdown on SIGINT or SIGTERM (events not handled stay in the journal)"},
			{Code: cli.ExitError, Meaning: "the server could not start or failed"},
			cli.ExitStatusUsage,
		},
		Aliases: cli.ImageBuilderAliases,
		Foreign: cli.ImageBuilderForeign,
	}
}

func (c *config) validate(rest []string) error {
	switch {
	case len(rest) > 0:
		return cli.Usagef("unexpected argument %q", rest[0])
	case c.debounce < 0:
		return cli.Usagef("--debounce must not be negative")
	case c.interval < 0:
		return cli.Usagef("--interval must not be negative")
	case c.refresh < 0:
		return cli.Usagef("--refresh must not be negative")
	case c.listen == "":
		return cli.Usagef("--listen is required")
	}
	return errors.Join(c.check.Validate(), c.queue.Validate())
}

// orOff maps a flag's 0 ("never", "no wait") to the watcher's negative value.
func orOff(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, d deps) int {
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
	if err := c.validate(cmd.Args()); err != nil {
		return fail(errs, err)
	}
	// A secret made from a file ends with a newline that no sender sends.
	secret := strings.TrimSpace(getenv(SecretEnv))
	switch {
	case secret == "" && getenv(SecretEnv) != "":
		return fail(errs, cli.Usagef("%s holds only white space: webhooks need a shared secret", SecretEnv))
	case secret == "" && !c.insecureNoAuth:
		return fail(errs, cli.Usagef("%s is not set: webhooks need a shared secret (or pass --insecure-no-auth to accept anyone's)", SecretEnv))
	case secret != "" && len(secret) < watch.MinSecretLength:
		return fail(errs, cli.Usagef("%s is %d bytes long (without the white space around it): use a random secret of at least %d bytes", SecretEnv, len(secret), watch.MinSecretLength))
	}

	chk, err := c.check.NewCheck(getenv, log, d.resolver)
	if err != nil {
		return fail(errs, err)
	}
	defer chk.Close()
	var disp *dispatch.Dispatcher
	if d.backend != nil {
		settings := c.queue.Settings(getenv, log)
		settings.Backends = dispatch.Backends{subscription.AzureDevOps: d.backend, subscription.GitHubActions: d.backend}
		disp, err = setup.NewDispatcher(settings, chk.Subscriptions)
	} else {
		disp, err = c.queue.NewDispatcher(chk.Subscriptions, getenv, log)
	}
	if err != nil {
		return fail(errs, err)
	}

	var out sync.Mutex
	w, err := watch.New(watch.Config{
		Subscriptions:  chk.Subscriptions,
		Checker:        chk.Checker,
		Sources:        chk.PassSources(),
		Dispatcher:     disp,
		Secret:         secret,
		InsecureNoAuth: c.insecureNoAuth,
		SecretInURL:    c.secretInURL,
		Debounce:       orOff(c.debounce),
		Interval:       orOff(c.interval),
		Refresh:        orOff(c.refresh),
		JournalDir:     c.journal,
		Logger:         log,
		OnRun: func(r watch.Run) {
			if r.Outcome == nil {
				return
			}
			var acted []dispatch.Result
			for _, q := range r.Outcome.Queued {
				if q.Outcome != dispatch.NothingToDo {
					acted = append(acted, q)
				}
			}
			out.Lock()
			defer out.Unlock()
			queueflags.PrintDispatch(stdout, acted)
		},
	})
	if err != nil {
		return fail(errs, err)
	}
	if secret == "" {
		log.Warn("webhooks are accepted without authentication (--insecure-no-auth)")
	}
	ln := d.listener
	if ln == nil {
		if ln, err = net.Listen("tcp", c.listen); err != nil {
			return fail(errs, err)
		}
	}
	if err := w.Serve(ctx, ln); err != nil {
		return fail(errs, err)
	}
	return cli.ExitOK
}

func fail(w io.Writer, err error) int { return cli.Fail(w, "watch-registry", err) }
