package depgraph_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/manifest"
)

// drawSpecs: two repos; app builds on both base platforms (amd64 in a builder stage) and on
// golang in a builder stage.
var drawSpecs = []spec{
	{repo: "base", path: "base/amd64", tags: []string{"1-amd64"}, dockerfile: "FROM alpine:3.20"},
	{repo: "base", path: "base/arm64", arch: "arm64", tags: []string{"1-arm64"}, dockerfile: "FROM alpine:3.20"},
	{repo: "app", path: "app/amd64", tags: []string{"1-amd64"}, dockerfile: "FROM golang:1.23 AS build\nFROM reg.io/base:1-amd64\n"},
	{repo: "app", path: "app/arm64", arch: "arm64", tags: []string{"1-arm64"}, dockerfile: "FROM reg.io/base:1-amd64 AS tools\nFROM golang:1.23 AS build\nFROM reg.io/base:1-arm64\n"},
}

func mermaid(t *testing.T, d *depgraph.Drawing) string {
	t.Helper()
	var b strings.Builder
	require.NoError(t, d.WriteMermaid(&b))
	return b.String()
}

func TestDrawFilterDrawsParentsAsContext(t *testing.T) {
	t.Parallel()
	g := mustBuild(t, drawSpecs...)
	d := g.Draw(depgraph.DrawOptions{Filter: manifest.Filter{Repos: []string{"app"}, Architecture: "arm64"}})
	assert.Equal(t, `flowchart LR
  p0["base:1-amd64"]:::context
  p1["base:1-arm64"]:::context
  p3["app:1-arm64"]
  e0(["golang:1.23"])
  p0 --> p3
  e0 -.-> p3
  p1 --> p3
  classDef context stroke-dasharray: 5 5
`, mermaid(t, d))

	var dot strings.Builder
	require.NoError(t, d.WriteDOT(&dot))
	assert.Contains(t, dot.String(), "  p0 [label=\"base:1-amd64\", style=dashed];\n")
	assert.Contains(t, dot.String(), "  e0 -> p3 [style=dashed];\n")
}

func TestDrawFinalOnly(t *testing.T) {
	t.Parallel()
	g := mustBuild(t, drawSpecs...)
	d := g.Draw(depgraph.DrawOptions{FinalOnly: true})
	for _, n := range d.Nodes {
		assert.NotEqual(t, "golang:1.23", n.Label, "builder-only bases are left out")
	}
	for _, e := range d.Edges {
		assert.True(t, e.Final, "%v", e)
	}
	assert.Len(t, d.Edges, 5, "alpine → 2 base platforms, base → app (3 edges, the builder-stage base included)")
}

func TestDrawCollapse(t *testing.T) {
	t.Parallel()
	g := mustBuild(t, drawSpecs...)
	assert.Equal(t, `flowchart LR
  r0["base (2 platforms)"]
  e0(["alpine:3.20"])
  r1["app (2 platforms)"]
  e1(["golang:1.23"])
  e0 --> r0
  e1 -.-> r1
  r0 --> r1
`, mermaid(t, g.Draw(depgraph.DrawOptions{Collapse: depgraph.CollapseRepo})), "one node per repo, one edge per pair")

	d := g.Draw(depgraph.DrawOptions{Collapse: depgraph.CollapseImage, FinalOnly: true})
	var labels []string
	for _, n := range d.Nodes {
		labels = append(labels, n.Label)
	}
	// The test manifest has one image per platform and no shared tags.
	assert.Equal(t, []string{"base (1 platform)", "alpine:3.20", "base (1 platform)", "app (1 platform)", "app (1 platform)"}, labels)
}

// TestDrawDotnetDocker pins the sizes of dotnet-docker's drawings: the full one is past
// Mermaid's limits, the collapsed ones are far under them.
func TestDrawDotnetDocker(t *testing.T) {
	t.Parallel()
	g, _, _ := dotnetDocker(t)
	// 601 platforms; 35 distinct external bases over all stages, 22 of them final; 107
	// external final stages and 460 platforms built on one other platform.
	for _, tc := range []struct {
		opts         depgraph.DrawOptions
		nodes, edges int
		fits         bool
	}{
		{depgraph.DrawOptions{}, 601 + 35, 899, false},
		{depgraph.DrawOptions{FinalOnly: true}, 601 + 22, 107 + 460, false},
		{depgraph.DrawOptions{Collapse: depgraph.CollapseImage, FinalOnly: true}, 0, 0, true},
		// 7 repos; 16 Linux bases → runtime-deps, 6 Windows bases → runtime, and 7 edges
		// between repos (runtime-deps → runtime, aspnet; runtime → aspnet; aspnet → sdk,
		// monitor/base, aspire-dashboard; monitor/base → monitor).
		{depgraph.DrawOptions{Collapse: depgraph.CollapseRepo, FinalOnly: true}, 7 + 22, 16 + 6 + 7, true},
		{depgraph.DrawOptions{Filter: manifest.Filter{Repos: []string{"dotnet/aspnet"}, OSType: "linux", Architecture: "amd64"}}, 0, 0, true},
	} {
		d := g.Draw(tc.opts)
		text := mermaid(t, d)
		fits := len(text) <= depgraph.MermaidMaxTextSize && len(d.Edges) <= depgraph.MermaidMaxEdges
		assert.Equal(t, tc.fits, fits, "%+v: %d characters, %d edges", tc.opts, len(text), len(d.Edges))
		if tc.nodes > 0 {
			assert.Equal(t, tc.nodes, len(d.Nodes), "%+v", tc.opts)
		}
		if tc.edges > 0 {
			assert.Equal(t, tc.edges, len(d.Edges), "%+v", tc.opts)
		}
	}
}

// TestErrOncePerDockerfile: two platforms built from one Dockerfile whose base lookup failed
// give one error line.
func TestErrOncePerDockerfile(t *testing.T) {
	t.Parallel()
	g := mustBuild(t,
		spec{repo: "tool", path: "tool", tags: []string{"amd64"}, dockerfile: "FROM gone:1"},
		spec{repo: "tool", path: "tool", arch: "arm64", tags: []string{"arm64"}, dockerfile: "FROM gone:1"},
	)
	recs := records{"tool|amd64": "gone@sha256:1", "tool|arm64": "gone@sha256:1"}
	res := depgraph.Stale(g, recs, depgraph.MapLookup(nil), depgraph.CheckOptions{})
	require.Len(t, res.Checks, 2)
	assert.Equal(t, "tool: base gone:1: no digest for gone:1", res.Err().Error())
}
