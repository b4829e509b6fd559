// Package githubrest is the one client of the GitHub REST API in this module, shared by the
// GitHub source (git trees and blobs) and the GitHub Actions dispatcher (workflow runs,
// dispatches, issues): an httpkit.Client that sends what GitHub documents for every request —
// "Accept: application/vnd.github+json", "X-GitHub-Api-Version: 2022-11-28", a User-Agent
// (required), and "Authorization: Bearer <token>" when there is a token — with the token
// redacted from every error and log line.
package githubrest

import (
	"log/slog"
	"net/http"
	"net/url"

	"github.com/baseflow/baseflow/internal/httpkit"
	"github.com/baseflow/baseflow/internal/redact"
)

// The GitHub REST API as this module speaks it.
const (
	// DefaultBaseURL is the github.com API; GitHub Enterprise Server serves it at
	// https://HOST/api/v3.
	DefaultBaseURL = "https://api.github.com"
	// APIVersion is sent as X-GitHub-Api-Version.
	APIVersion = "2022-11-28"
	// MediaType is sent as Accept.
	MediaType = "application/vnd.github+json"
)

// Config is what a GitHub client is made from.
type Config struct {
	// BaseURL is the API base URL, without a trailing slash.
	BaseURL string
	// Token is sent as a bearer token; "" sends no Authorization header.
	Token string
	// UserAgent names the program; "" means httpkit.DefaultUserAgent.
	UserAgent string
	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client
	// Logger receives requests (debug) and retries (warn); nil discards.
	Logger *slog.Logger
	// Retry bounds the retries of reads.
	Retry httpkit.Retry
	// ShowHost makes errors name requests by their full URL instead of their path.
	ShowHost bool
	// MaxResponseBytes bounds an answer; 0 means httpkit.DefaultMaxResponseBytes.
	MaxResponseBytes int64
}

// New returns a client for the GitHub REST API.
func New(c Config) *httpkit.Client {
	header := http.Header{
		"Accept":               {MediaType},
		"X-Github-Api-Version": {APIVersion},
	}
	red := redact.New(c.Token)
	if c.Token != "" {
		header.Set("Authorization", "Bearer "+c.Token)
	}
	red.AddURL(c.BaseURL)
	return &httpkit.Client{
		BaseURL:          c.BaseURL,
		HTTP:             c.HTTP,
		Header:           header,
		UserAgent:        c.UserAgent,
		Redactor:         red,
		Retry:            c.Retry,
		ShowHost:         c.ShowHost,
		MaxResponseBytes: c.MaxResponseBytes,
		Logger:           c.Logger,
	}
}

// RepoPath is the escaped API path of a repository, "/repos/{owner}/{repo}".
func RepoPath(owner, repo string) string {
	return "/repos/" + url.PathEscape(owner) + "/" + url.PathEscape(repo)
}
