package checkflags

import (
	"log/slog"

	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/subscription/githubsource"
	"github.com/baseflow/baseflow/subscription/gitsource"
)

// SourceOpener returns a function that opens the check's sources afresh, as NewCheck does:
// git with --repo-url, and the GitHub API for image-info with --image-info-source github
// (getenv reads GITHUB_TOKEN). Sources cache what they read for their lifetime, so a command
// that checks again and again (watch-registry) opens new ones for every pass to see new
// commits; the caller closes them.
func (f *CheckFlags) SourceOpener(getenv func(string) string, log *slog.Logger) func() (manifests, imageInfo subscription.Source, err error) {
	return func() (subscription.Source, subscription.Source, error) {
		git, err := gitsource.New(gitsource.WithURLTemplate(f.RepoURL), gitsource.WithLogger(log))
		if err != nil {
			return nil, nil, err
		}
		if f.ImageInfoSource != "github" {
			return git, git, nil
		}
		gh, err := githubsource.New(githubsource.WithBaseURL(f.GitHubAPIURL), githubsource.WithToken(getenv("GITHUB_TOKEN")), githubsource.WithLogger(log))
		if err != nil {
			git.Close()
			return nil, nil, err
		}
		return git, gh, nil
	}
}
