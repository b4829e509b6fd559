package gitsource_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/subscription/gitsource"
	"github.com/baseflow/baseflow/subscription/gitsource/gittest"
	"github.com/baseflow/baseflow/subscription/sourcetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	sourcetest.Run(t, func(t *testing.T, branches []sourcetest.Branch) subscription.Source {
		host := gittest.NewHost(t)
		for _, b := range branches {
			host.Repo(b.Owner, b.Repo).SetBranch(b.Branch, b.Files)
		}
		src, err := gitsource.New(gitsource.WithURLTemplate(host.URLTemplate()),
			gitsource.WithTempDir(t.TempDir()), gitsource.WithEnv(gittest.Env...))
		require.NoError(t, err)
		return src
	})
}
