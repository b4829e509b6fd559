package setup_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/setup"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

// TestNewRecord records a pushed image and checks the working copy with the result: the
// build side and the check side of the loop, wired as the commands wire them.
func TestNewRecord(t *testing.T) {
	t.Parallel()
	srv := registrytest.New()
	t.Cleanup(srv.Close)
	amd64 := registry.Platform{OS: "linux", Architecture: "amd64"}
	base, err := srv.PushImage("os", "1", amd64)
	require.NoError(t, err)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"manifest.json": `{"repos": [{"name": "team/x", "images": [{"platforms": [
		  {"dockerfile": "x", "os": "linux", "osVersion": "v", "tags": {"1": {}}},
		  {"dockerfile": "y", "os": "linux", "osVersion": "v", "architecture": "arm64", "tags": {"1-arm64": {}}}]}]}]}`,
		"x/Dockerfile": "FROM " + srv.Host() + "/os:1\n",
		"y/Dockerfile": "FROM " + srv.Host() + "/os:1\n",
	})
	_, err = registrytest.PushBuiltImage(context.Background(), srv.Target("team/x"), registrytest.BuiltImage{Platform: amd64,
		Annotations: map[string]string{registry.AnnotationBaseName: srv.Host() + "/os:1", registry.AnnotationBaseDigest: base.String()}}, "1")
	require.NoError(t, err)

	manifestFile := filepath.Join(dir, "manifest.json")
	rec, err := setup.NewRecord(setup.RecordSettings{Manifest: manifestFile, RegistryOverride: srv.Host(), Architecture: "amd64"})
	require.NoError(t, err)
	require.NotNil(t, rec.Registry, "the network client")
	require.Len(t, rec.Platforms, 1)
	doc, _, err := rec.Recorder.Record(context.Background(), rec.Graph, rec.Platforms)
	require.NoError(t, err)
	assert.Equal(t, srv.Host()+"/os@"+base.String(), *doc.Repos[0].Images[0].Platforms[0].BaseImageDigest)

	f, err := os.Create(filepath.Join(dir, "image-info.json"))
	require.NoError(t, err)
	require.NoError(t, writeDoc(f, doc))
	c, err := setup.NewCheck(setup.CheckSettings{WorkingCopy: &setup.WorkingCopy{Manifest: manifestFile, ImageInfo: filepath.Join(dir, "image-info.json")}, Architecture: "amd64"})
	require.NoError(t, err)
	defer c.Close()
	results := c.Checker.Check(context.Background(), c.Subscriptions)
	require.Len(t, results, 1)
	require.NoError(t, results[0].Err)
	assert.Equal(t, manifestFile, results[0].Subscription.ID())
	assert.Empty(t, results[0].Paths(), "what was recorded is up to date")
	assert.Equal(t, []string{srv.Host() + "/os:1"}, []string{results[0].Lookups[0].Ref})
	assert.Equal(t, digest.Digest(results[0].Lookups[0].Digest), base)

	_, err = setup.NewRecord(setup.RecordSettings{Manifest: filepath.Join(dir, "missing.json")})
	assert.ErrorContains(t, err, "missing.json")
	// A registry override holding credentials is refused, before any registry call, and they
	// are not repeated.
	_, err = setup.NewRecord(setup.RecordSettings{Manifest: manifestFile, RegistryOverride: "bob:s3cret@" + srv.Host()})
	require.ErrorContains(t, err, "registry override: want a registry host")
	assert.NotContains(t, err.Error(), "s3cret")
	_, err = setup.NewCheck(setup.CheckSettings{WorkingCopy: &setup.WorkingCopy{Manifest: manifestFile, ImageInfo: filepath.Join(dir, "image-info.json")},
		RegistryOverride: "bob:s3cret@" + srv.Host()})
	require.ErrorContains(t, err, "registry override: want a registry host")
	assert.NotContains(t, err.Error(), "s3cret")
	_, err = setup.NewCheck(setup.CheckSettings{WorkingCopy: &setup.WorkingCopy{Manifest: manifestFile}})
	assert.ErrorContains(t, err, "WorkingCopy needs Manifest and ImageInfo")
}

func writeDoc(f *os.File, doc *imageinfo.Document) error {
	defer f.Close()
	return imageinfo.Write(f, doc)
}
