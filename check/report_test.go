package check_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
)

// TestWriteTextAtScale: --explain names a base that failed once with the platforms it leaves
// unchecked, summarizes long build waves, and says "respelled" when only the repository's
// spelling differs from what image-info recorded.
func TestWriteTextAtScale(t *testing.T) {
	t.Parallel()
	respelled := depgraph.Reason{Kind: depgraph.BaseChanged, Base: "mirror.example/debian:bookworm-slim",
		Recorded: "debian@" + recorded, Current: "mirror.example/debian@" + recorded}
	moved := depgraph.Reason{Kind: depgraph.BaseChanged, Base: "alpine:3.20", Recorded: "alpine@" + recorded, Current: "alpine@" + current}
	wave := []string{"src/a", "src/b", "src/c", "src/d", "src/e"}
	rep := check.Report{Subscriptions: []check.SubscriptionReport{{
		ID: "o/r/main/manifest.json", Status: check.StatusFailed, Candidates: 9,
		Error: "src/x: base gone:1: registry: HEAD docker.io/library/gone:1: not found (404)\nsrc/y: base gone:1: registry: HEAD docker.io/library/gone:1: not found (404)",
		Stale: []check.StalePath{{Path: "src/a", Reason: respelled}, {Path: "src/b", Reason: moved}},
		Waves: [][]string{wave, {"src/f"}},
		Bases: []check.BaseReport{
			{Reference: "gone:1", Error: "registry: HEAD docker.io/library/gone:1: not found (404)", Platforms: 2},
			{Reference: "alpine:3.20", Digest: current, Platforms: 6},
		},
	}}}
	var b strings.Builder
	require.NoError(t, rep.WriteText(&b))
	assert.Equal(t, `o/r/main/manifest.json: failed (9 candidate platforms, 2 bases looked up, 2 paths to rebuild, 0s)
  lookup failed: gone:1 (2 platforms not checked): registry: HEAD docker.io/library/gone:1: not found (404)
  base respelled, same digest: mirror.example/debian:bookworm-slim  image-info records debian, the check compares mirror.example/debian
    (the next build records the new spelling; to avoid this rebuild, record baseImageDigest as mirror.example/debian@`+recorded+`, see docs/recording-base-digests.md)
  base moved: alpine:3.20  `+recorded+` → `+current+`
  rebuild:
    src/a   base mirror.example/debian:bookworm-slim respelled (same digest)
    src/b   base alpine:3.20 changed
  wave 1: src/a, src/b, src/c and 2 more (all in --report)
  wave 2: src/f
`, b.String())
	assert.Equal(t, "base mirror.example/debian:bookworm-slim has the same digest sha256:111111111111, but image-info records the repository as debian and the check compares mirror.example/debian", respelled.String())
	assert.True(t, respelled.Respelled())
	assert.False(t, moved.Respelled())
}
