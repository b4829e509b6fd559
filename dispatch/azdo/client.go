package azdo

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/internal/cleartext"
	"github.com/baseflow/baseflow/internal/httpkit"
	"github.com/baseflow/baseflow/internal/redact"
	"github.com/baseflow/baseflow/subscription"
)

const (
	// UserAgent is the User-Agent header of every request.
	UserAgent = "baseflow-dispatch"
	// DefaultBaseURL is Azure DevOps Services.
	DefaultBaseURL = "https://dev.azure.com"
	// APIVersion is the REST API version sent with every request.
	APIVersion = "7.1"
	// DefaultTag is added to every queued build, as ImageBuilder does.
	DefaultTag = "autobuilder"
)

// Environment variables TokenFromEnv reads, in order.
const (
	TokenEnv       = "AZURE_DEVOPS_TOKEN"
	SystemTokenEnv = "SYSTEM_ACCESSTOKEN"
)

// TokenFromEnv returns $AZURE_DEVOPS_TOKEN, or else $SYSTEM_ACCESSTOKEN (the token of a
// pipeline job that maps System.AccessToken into its environment).
func TokenFromEnv(getenv func(string) string) string {
	if t := getenv(TokenEnv); t != "" {
		return t
	}
	return getenv(SystemTokenEnv)
}

// Client talks to the Build API of one Azure DevOps project. It is safe for concurrent use.
type Client struct {
	api     httpkit.Client
	web     string // base URL of the project, for links
	project string // escaped "/{org}/{project}"
	tag     string
	log     *slog.Logger
}

// New returns a Client for the project of an organization. Without WithToken, the token
// comes from the environment (see TokenFromEnv); it is an error to have none.
func New(org, project string, opts ...Option) (*Client, error) {
	o := options{baseURL: DefaultBaseURL, getenv: os.Getenv, tag: DefaultTag,
		retry: httpkit.Retry{MaxRetries: DefaultMaxRetries, Backoff: DefaultBackoff, MaxWait: DefaultMaxRetryWait}}
	for _, opt := range opts {
		opt(&o)
	}
	if strings.TrimSpace(org) == "" || strings.TrimSpace(project) == "" {
		return nil, errors.New("azdo: an organization and a project are required")
	}
	base, err := checkBaseURL(o.baseURL)
	if err != nil {
		return nil, err
	}
	pat := TokenFromEnv(o.getenv)
	if o.token != nil {
		pat = *o.token
	}
	if pat == "" {
		return nil, fmt.Errorf("azdo: no token: set %s (or %s in a pipeline)", TokenEnv, SystemTokenEnv)
	}
	log := o.logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	basic := base64.StdEncoding.EncodeToString([]byte(":" + pat))
	prefix := "/" + url.PathEscape(org) + "/" + url.PathEscape(project)
	return &Client{
		api: httpkit.Client{
			BaseURL: base,
			HTTP:    o.http,
			Header: http.Header{
				"Authorization": {"Basic " + basic},
				"Accept":        {"application/json"},
			},
			UserAgent: UserAgent,
			Redactor:  redact.New(pat, basic),
			Retry:     o.retry,
			Logger:    log,
		},
		web:     base + prefix,
		project: prefix,
		tag:     o.tag,
		log:     log,
	}, nil
}

func checkBaseURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", errors.New("azdo: base URL: expected http(s)://host[/path]")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("azdo: base URL %q: expected http(s)://host[/path]", redact.URL(s))
	}
	if u.User != nil {
		return "", fmt.Errorf("azdo: base URL %q: credentials belong in %s, not in the URL", redact.URL(s), TokenEnv)
	}
	if err := cleartext.Check(u); err != nil {
		return "", fmt.Errorf("azdo: base URL %q: %w", u.Redacted(), err)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("azdo: base URL %q: must not have a query or fragment", redact.URL(s))
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// Definition returns the build definition id as a Pipeline.
func (c *Client) Definition(id int) *Definition {
	return &Definition{c: c, id: id}
}

// Open returns the build definition of an Azure DevOps target.
func (c *Client) Open(t dispatch.Target) (dispatch.Pipeline, error) {
	if t.Backend != subscription.AzureDevOps {
		return nil, fmt.Errorf("azdo: cannot open %s: not an Azure DevOps definition", t)
	}
	if t.DefinitionID <= 0 {
		return nil, fmt.Errorf("azdo: invalid definition id %d", t.DefinitionID)
	}
	return c.Definition(t.DefinitionID), nil
}
