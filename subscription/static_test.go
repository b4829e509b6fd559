package subscription_test

import (
	"testing"
	"testing/fstest"

	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/subscription/sourcetest"
)

func TestStaticSourceConformance(t *testing.T) {
	t.Parallel()
	sourcetest.Run(t, func(t *testing.T, branches []sourcetest.Branch) subscription.Source {
		src := subscription.StaticSource{}
		for _, b := range branches {
			fsys := fstest.MapFS{}
			for name, content := range b.Files {
				fsys[name] = &fstest.MapFile{Data: []byte(content), Mode: 0o644}
			}
			src[subscription.RepoKey(b.Owner, b.Repo, b.Branch)] = fsys
		}
		return src
	})
}
