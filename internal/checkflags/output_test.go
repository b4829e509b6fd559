package checkflags

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/baseflow/baseflow/check"
)

// TestMarkdownSummaryGroupsFailedBases: the step summary lists a failed base once, with what
// it leaves unchecked, instead of the subscription's error line per platform.
func TestMarkdownSummaryGroupsFailedBases(t *testing.T) {
	t.Parallel()
	err := "registry: HEAD docker.io/library/gone:1: not found (404)"
	rep := check.Report{
		Subscriptions: []check.SubscriptionReport{
			{ID: "o/a/main/manifest.json", Status: check.StatusFailed, Error: "src/x: base gone:1: " + err + "\nsrc/y: base gone:1: " + err,
				Stale: []check.StalePath{}, Bases: []check.BaseReport{{Reference: "gone:1", Error: err, Platforms: 2}}},
			{ID: "o/b/main/manifest.json", Status: check.StatusFailed, Error: "repository o/b branch main: not found", Stale: []check.StalePath{}, Bases: []check.BaseReport{}},
		},
		FailedBases: []check.BaseFailure{{Reference: "gone:1", Error: err, Platforms: 2, Subscriptions: []string{"o/a/main/manifest.json"}}},
	}
	assert.Equal(t, "### Stale images\n\nNo stale images.\n"+
		"\n### Bases that could not be looked up\n\n| Base | Platforms not checked | Subscriptions | Error |\n|---|---|---|---|\n"+
		"| `gone:1` | 2 | o/a/main/manifest.json | "+err+" |\n"+
		"\n**o/b/main/manifest.json failed:** repository o/b branch main: not found\n\n", MarkdownSummary(rep))
}
