package githubsource_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/githubtest"
	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/subscription/githubsource"
	"github.com/baseflow/baseflow/subscription/sourcetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	sourcetest.Run(t, func(t *testing.T, branches []sourcetest.Branch) subscription.Source {
		srv := githubtest.NewServer(t, githubtest.WithToken("conformance-token"))
		for _, b := range branches {
			files := map[string]githubtest.File{}
			for name, content := range b.Files {
				files[name] = githubtest.File{Content: content}
			}
			srv.SetBranch(b.Owner, b.Repo, b.Branch, files)
		}
		src, err := githubsource.New(githubsource.WithBaseURL(srv.URL), githubsource.WithToken("conformance-token"),
			githubsource.WithHTTPClient(&http.Client{}))
		require.NoError(t, err)
		return src
	})
}
