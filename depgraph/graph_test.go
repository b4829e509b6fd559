package depgraph_test

import (
	"os"
	"testing"

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
