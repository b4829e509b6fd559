package setup

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/subscription/githubsource"
	"github.com/baseflow/baseflow/subscription/gitsource"
)

// ImageInfoSource names where image-info files are read.
type ImageInfoSource string

// Image-info sources.
const (
	// ImageInfoGit reads image-info files with git, like the manifests (the default).
	ImageInfoGit ImageInfoSource = "git"
	// ImageInfoGitHub reads image-info files through GitHub's REST API (GITHUB_TOKEN).
	ImageInfoGitHub ImageInfoSource = "github"
)

// SourceSettings say where subscribed repositories are read.
type SourceSettings struct {
	// RepoURL is the git URL template of subscribed repositories, with {owner} and {repo};
	// any URL git accepts, file:// included. Empty means gitsource.DefaultURLTemplate.
	// In the user information of an http(s) URL, $NAME and ${NAME} are replaced by the
	// environment variable NAME (read with Getenv, percent-encoded), so that a token need not
	// be written on a command line: "https://x-access-token:${GIT_TOKEN}@host/{owner}/{repo}".
	// An unset variable is an error.
	RepoURL string
	// ImageInfo is where image-info files are read; empty means ImageInfoGit.
	ImageInfo ImageInfoSource
	// GitHubAPIURL is the GitHub REST API for ImageInfoGitHub; empty means
	// githubsource.DefaultBaseURL (GitHub Enterprise Server: https://HOST/api/v3).
	GitHubAPIURL string
	// Getenv reads GITHUB_TOKEN for ImageInfoGitHub and the variables RepoURL names; nil
	// means os.Getenv.
	Getenv func(string) string
	// Logger receives the sources' progress and diagnostics; nil discards them.
	Logger *slog.Logger
}

// Validate reports a setting that cannot work.
func (s SourceSettings) Validate() error {
	switch s.ImageInfo {
	case "", ImageInfoGit, ImageInfoGitHub:
		return nil
	}
	return fmt.Errorf("setup: image-info source %q: want %q or %q", s.ImageInfo, ImageInfoGit, ImageInfoGitHub)
}

// OpenSources opens the sources a check reads: manifests and Dockerfiles with git, image-info
// files with git (the same Source) or the GitHub API. Sources cache what they read for their
// lifetime; the caller closes both (once when they are the same).
func OpenSources(s SourceSettings) (manifests, imageInfo subscription.Source, err error) {
	if err := s.Validate(); err != nil {
		return nil, nil, err
	}
	opts := []gitsource.Option{gitsource.WithLogger(s.Logger)}
	if s.RepoURL != "" {
		tmpl, err := expandUserinfo(s.RepoURL, getenv(s.Getenv))
		if err != nil {
			return nil, nil, err
		}
		opts = append(opts, gitsource.WithURLTemplate(tmpl))
	}
	git, err := gitsource.New(opts...)
	if err != nil {
		return nil, nil, err
	}
	if s.ImageInfo != ImageInfoGitHub {
		return git, git, nil
	}
	gh, err := openGitHub(s)
	if err != nil {
		return nil, nil, errors.Join(err, git.Close())
	}
	return git, gh, nil
}

// openGitHub opens the GitHub source of image-info files.
func openGitHub(s SourceSettings) (*githubsource.Source, error) {
	ghOpts := []githubsource.Option{githubsource.WithToken(getenv(s.Getenv)("GITHUB_TOKEN")), githubsource.WithLogger(s.Logger)}
	if s.GitHubAPIURL != "" {
		ghOpts = append(ghOpts, githubsource.WithBaseURL(s.GitHubAPIURL))
	}
	return githubsource.New(ghOpts...)
}

// SourceOpener returns a function that opens the sources afresh on every call, for a
// long-running program (watch.Config.Sources) that must see new commits.
func SourceOpener(s SourceSettings) func() (manifests, imageInfo subscription.Source, err error) {
	return func() (subscription.Source, subscription.Source, error) { return OpenSources(s) }
}

// expandUserinfo replaces $NAME and ${NAME} in the user information of an http(s) URL
// template by the percent-encoded value of the environment variable NAME. The template is not
// parsed as a URL: "{owner}" and "{repo}" are not valid in one.
func expandUserinfo(tmpl string, getenv func(string) string) (string, error) {
	scheme, rest, ok := strings.Cut(tmpl, "://")
	if !ok || (!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https")) {
		return tmpl, nil
	}
	authority, path, hasPath := strings.Cut(rest, "/")
	at := strings.LastIndex(authority, "@")
	if at < 0 || !strings.Contains(authority[:at], "$") {
		return tmpl, nil
	}
	var missing []string
	info := os.Expand(authority[:at], func(name string) string {
		v, ok := lookup(getenv, name)
		if !ok {
			missing = append(missing, name)
		}
		return strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("setup: repository URL %s: environment variable %s is not set", gitsource.RedactURL(tmpl), strings.Join(missing, ", "))
	}
	out := scheme + "://" + info + authority[at:]
	if hasPath {
		out += "/" + path
	}
	return out, nil
}

// lookup reads name with getenv; an empty value counts as unset.
func lookup(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

func getenv(f func(string) string) func(string) string {
	if f == nil {
		return os.Getenv
	}
	return f
}
