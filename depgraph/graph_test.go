package depgraph_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/manifest"
)

// BenchmarkBuildDotnetDocker loads the dotnet-docker manifest and parses its 601 Dockerfiles.
func BenchmarkBuildDotnetDocker(b *testing.B) {
	fsys := os.DirFS("../testdata/dotnet-docker")
	b.ReportAllocs()
	for b.Loop() {
		m, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
		require.NoError(b, err)
		_, err = depgraph.Build(m, fsys, depgraph.Options{})
		require.NoError(b, err)
	}
}

func TestWriteMermaid(t *testing.T) {
	t.Parallel()
	g := mustBuild(t,
		spec{repo: "base", path: "base", tags: []string{"1"}, dockerfile: "FROM alpine:3.20"},
		// base is used only by a builder stage, yet the app is rebuilt with it: a solid arrow.
		spec{repo: "app", path: "app", tags: []string{"1"}, dockerfile: "FROM reg.io/base:1 AS tools\nFROM golang:1.23 AS build\nFROM debian:12\n"},
	)
	var b strings.Builder
	require.NoError(t, g.WriteMermaid(&b))
	assert.Equal(t, `flowchart LR
  p0["base:1"]
  e0(["alpine:3.20"])
  p1["app:1"]
  e1(["golang:1.23"])
  e2(["debian:12"])
  e0 --> p0
  p0 --> p1
  e1 -.-> p1
  e2 --> p1
`, b.String())
}
