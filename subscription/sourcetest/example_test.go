package sourcetest_test

import (
	"testing"
	"testing/fstest"

	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/subscription/sourcetest"
)

// A Source implementation runs the suite from a test of its own package: the setup function
// makes a Source serving exactly the branches it is given.
func ExampleRun() {
	_ = func(t *testing.T) { // func TestConformance(t *testing.T)
		sourcetest.Run(t, func(t *testing.T, branches []sourcetest.Branch) subscription.Source {
			src := subscription.StaticSource{}
			for _, b := range branches {
				fsys := fstest.MapFS{}
				for name, content := range b.Files {
					fsys[name] = &fstest.MapFile{Data: []byte(content)}
				}
				src[subscription.RepoKey(b.Owner, b.Repo, b.Branch)] = fsys
			}
			return src
		})
	}
}
