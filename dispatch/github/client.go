package github

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/internal/cleartext"
	"github.com/baseflow/baseflow/internal/githubrest"
	"github.com/baseflow/baseflow/internal/httpkit"
	"github.com/baseflow/baseflow/internal/redact"
	"github.com/baseflow/baseflow/subscription"
)

const (
	// UserAgent is the User-Agent header of every request.
	UserAgent = "baseflow-dispatch"
	// DefaultBaseURL is the github.com API.
	DefaultBaseURL = githubrest.DefaultBaseURL
	// APIVersion is sent as X-GitHub-Api-Version.
	APIVersion = githubrest.APIVersion
	// TokenEnv is the environment variable the token is read from by default.
	TokenEnv = "GITHUB_TOKEN"
)

// DefaultActiveStatuses are the run statuses that count as active, in lifecycle order.
var DefaultActiveStatuses = []string{"requested", "queued", "pending", "waiting", "in_progress"}

// Client talks to the GitHub REST API. It is safe for concurrent use.
type Client struct {
	api              *httpkit.Client
	web              string
	activeStatuses   []string
	returnRunDetails bool
}

// New returns a Client. Without WithToken, the token is $GITHUB_TOKEN; it is an error to
// have none.
func New(opts ...Option) (*Client, error) {
	o := options{baseURL: DefaultBaseURL, getenv: os.Getenv, activeStatuses: DefaultActiveStatuses,
		retry: httpkit.Retry{MaxRetries: DefaultMaxRetries, Backoff: DefaultBackoff, MaxWait: DefaultMaxRetryWait}}
	for _, opt := range opts {
		opt(&o)
	}
	base, err := checkURL("API URL", o.baseURL)
	if err != nil {
		return nil, err
	}
	web := o.webURL
	if web == "" {
		web = webURL(base)
	}
	if web, err = checkURL("web URL", web); err != nil {
		return nil, err
	}
	token := o.getenv(TokenEnv)
	if o.token != nil {
		token = *o.token
	}
	if token == "" {
		return nil, fmt.Errorf("github: no token: set %s", TokenEnv)
	}
	if len(o.activeStatuses) == 0 {
		return nil, errors.New("github: at least one active status is required")
	}
	log := o.logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{
		api: githubrest.New(githubrest.Config{
			BaseURL:   base,
			Token:     token,
			UserAgent: UserAgent,
			HTTP:      o.http,
			Logger:    log,
			Retry:     o.retry,
		}),
		web:              web,
		activeStatuses:   slices.Clone(o.activeStatuses),
		returnRunDetails: o.returnRunDetails,
	}, nil
}

func checkURL(what, s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("github: %s: expected http(s)://host[/path]", what)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("github: %s %q: expected http(s)://host[/path]", what, redact.URL(s))
	}
	if u.User != nil {
		return "", fmt.Errorf("github: %s %q: credentials belong in %s, not in the URL", what, redact.URL(s), TokenEnv)
	}
	if err := cleartext.Check(u); err != nil {
		return "", fmt.Errorf("github: %s %q: %w", what, u.Redacted(), err)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("github: %s %q: must not have a query or fragment", what, redact.URL(s))
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// webURL derives the site URL from the API URL.
func webURL(api string) string {
	u, _ := url.Parse(api)
	switch {
	case u.Host == "api.github.com":
		u.Host = "github.com"
		u.Path = ""
	case strings.HasSuffix(u.Path, "/api/v3"):
		u.Path = strings.TrimSuffix(u.Path, "/api/v3")
	}
	return strings.TrimSuffix(u.String(), "/")
}

// repoPath is the escaped "/repos/{owner}/{repo}".
func repoPath(owner, repo string) string { return githubrest.RepoPath(owner, repo) }

// Workflow returns a workflow (a file name such as "build.yml", or a numeric id) of a
// repository as a Pipeline; runs are queued on, and recent runs read from, branch.
func (c *Client) Workflow(owner, repo, workflow, branch string) *Workflow {
	return &Workflow{c: c, owner: owner, repo: repo, workflow: workflow, branch: branch}
}

// Open returns the workflow of a GitHub Actions target.
func (c *Client) Open(t dispatch.Target) (dispatch.Pipeline, error) {
	if t.Backend != subscription.GitHubActions {
		return nil, fmt.Errorf("github: cannot open %s: not a GitHub Actions workflow", t)
	}
	if t.Owner == "" || t.Repo == "" || t.Workflow == "" {
		return nil, errors.New("github: owner, repository and workflow are required")
	}
	return c.Workflow(t.Owner, t.Repo, t.Workflow, t.Branch), nil
}
