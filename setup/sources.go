package setup

import (
	"errors"
	"fmt"
	"log/slog"
	"os"

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
	RepoURL string
	// ImageInfo is where image-info files are read; empty means ImageInfoGit.
	ImageInfo ImageInfoSource
	// GitHubAPIURL is the GitHub REST API for ImageInfoGitHub; empty means
	// githubsource.DefaultBaseURL (GitHub Enterprise Server: https://HOST/api/v3).
	GitHubAPIURL string
	// Getenv reads GITHUB_TOKEN for ImageInfoGitHub; nil means os.Getenv.
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
		opts = append(opts, gitsource.WithURLTemplate(s.RepoURL))
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

func getenv(f func(string) string) func(string) string {
	if f == nil {
		return os.Getenv
	}
	return f
}
