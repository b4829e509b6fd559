package imageinfo_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/manifest"
)

const (
	dotnetDockerInfo = "../testdata/dotnet-docker/image-info.dotnet-dotnet-docker-main.json"
	dockerToolsInfo  = "../testdata/docker-tools/image-info.dotnet-docker-tools-main-imagebuilder.json"
	dockerToolsV1    = "../testdata/docker-tools/image-info.dotnet-docker-tools-main-imagebuilder.schema-1.0.json"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	require.NoError(t, err)
	return data
}

func parseFile(t testing.TB, name string) *imageinfo.Document {
	t.Helper()
	d, err := imageinfo.Parse(name, readFile(t, name))
	require.NoError(t, err)
	return d
}

func dotnetDockerManifest(t testing.TB) *manifest.Manifest {
	t.Helper()
	m, err := manifest.Load(os.DirFS("../testdata/dotnet-docker"), "manifest.json", manifest.Options{})
	require.NoError(t, err)
	return m
}

func dockerToolsManifest(t testing.TB) *manifest.Manifest {
	t.Helper()
	m, err := manifest.Load(os.DirFS("../testdata/docker-tools/src"), "manifest.json",
		manifest.Options{Variables: map[string]string{"UniqueId": ""}})
	require.NoError(t, err)
	return m
}

// boundDotnetDocker returns the real dotnet-docker image-info bound to the real manifest.
func boundDotnetDocker(t testing.TB) (*imageinfo.Document, *manifest.Manifest) {
	t.Helper()
	m := dotnetDockerManifest(t)
	d := parseFile(t, dotnetDockerInfo)
	require.NoError(t, imageinfo.Bind(d, m, imageinfo.BindOptions{}))
	return d, m
}

// loadManifest loads a manifest given as JSON text, with an empty file for each Dockerfile.
func loadManifest(t testing.TB, text string, dockerfiles ...string) *manifest.Manifest {
	t.Helper()
	fsys := fstest.MapFS{"manifest.json": {Data: []byte(text)}}
	for _, f := range dockerfiles {
		fsys[f] = &fstest.MapFile{Data: []byte("FROM scratch\n")}
	}
	m, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
	require.NoError(t, err)
	return m
}

// parse reads a document given as JSON text, and binds it to m when m is not nil.
func parse(t testing.TB, text string, m *manifest.Manifest, opts imageinfo.BindOptions) *imageinfo.Document {
	t.Helper()
	d, err := imageinfo.Parse("test.json", []byte(text))
	require.NoError(t, err)
	if m != nil {
		require.NoError(t, imageinfo.Bind(d, m, opts))
	}
	return d
}

// compact returns d as written, compacted, for readable expectations.
func compact(t testing.TB, d *imageinfo.Document) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, json.Compact(&b, imageinfo.Marshal(d)))
	return b.String()
}

// compactJSON compacts JSON text.
func compactJSON(t testing.TB, text string) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, json.Compact(&b, []byte(text)))
	return b.String()
}
