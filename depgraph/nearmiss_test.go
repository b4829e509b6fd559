package depgraph_test

import (
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/manifest"
)

// TestNearMiss: an entry that misses its platform by a likely mistake is named in the
// platform's reason, with what differs.
func TestNearMiss(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"manifest.json": {Data: []byte(`{"repos": [{"name": "app/runtime", "images": [{"platforms": [
		  {"os": "linux", "osVersion": "bookworm", "architecture": "arm", "dockerfile": "src/arm32", "tags": {"arm32": {}}},
		  {"os": "linux", "osVersion": "bookworm", "architecture": "amd64", "dockerfile": "src/amd64/Dockerfile.custom", "tags": {"amd64": {}}}]}]}]}`)},
		"src/arm32/Dockerfile":        {Data: []byte("FROM debian:bookworm\n")},
		"src/amd64/Dockerfile.custom": {Data: []byte("FROM debian:bookworm\n")},
	}
	m, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
	require.NoError(t, err)
	g, err := depgraph.Build(m, fsys, depgraph.Options{})
	require.NoError(t, err)

	entry := func(repo, dockerfile, osType, osVersion, arch string) string {
		return fmt.Sprintf(`{"repo": %q, "images": [{"platforms": [{"dockerfile": %q, "simpleTags": ["x"],
		  "baseImageDigest": "debian@sha256:aa", "osType": %q, "osVersion": %q, "architecture": %q}]}]}`,
			repo, dockerfile, osType, osVersion, arch)
	}
	tests := []struct {
		name, entry string
		platform    int
		want        string
	}{
		{"letter case of osType", entry("app/runtime", "src/arm32/Dockerfile", "linux", "bookworm", "arm32"), 0,
			`the entry app/runtime src/arm32/Dockerfile (arm32, linux, bookworm) with osType "linux" (want "Linux")`},
		{"letter case of the dockerfile", entry("app/runtime", "src/Arm32/Dockerfile", "Linux", "bookworm", "arm32"), 0,
			`the entry app/runtime src/Arm32/Dockerfile (arm32, Linux, bookworm) with dockerfile "src/Arm32/Dockerfile" (want "src/arm32/Dockerfile")`},
		{"directory without /Dockerfile", entry("app/runtime", "src/arm32", "Linux", "bookworm", "arm32"), 0,
			`the entry app/runtime src/arm32 (arm32, Linux, bookworm) with dockerfile "src/arm32" (want "src/arm32/Dockerfile")`},
		{"file with an extra /Dockerfile", entry("app/runtime", "src/amd64/Dockerfile.custom/Dockerfile", "Linux", "bookworm", "amd64"), 1,
			`the entry app/runtime src/amd64/Dockerfile.custom/Dockerfile (amd64, Linux, bookworm) with dockerfile "src/amd64/Dockerfile.custom/Dockerfile" (want "src/amd64/Dockerfile.custom")`},
		{"repo name", entry("runtime", "src/arm32/Dockerfile", "Linux", "bookworm", "arm32"), 0,
			`the entry runtime src/arm32/Dockerfile (arm32, Linux, bookworm) with repo "runtime" (want "app/runtime")`},
		{"osVersion", entry("app/runtime", "src/arm32/Dockerfile", "Linux", "bullseye", "arm32"), 0,
			`the entry app/runtime src/arm32/Dockerfile (arm32, Linux, bullseye) with osVersion "bullseye" (want "bookworm")`},
		{"architecture arm and several fields", entry("App/Runtime", "src/arm32/", "linux", "bookworm", "arm"), 0,
			`the entry App/Runtime src/arm32/ (arm, linux, bookworm) with repo "App/Runtime" (want "app/runtime"), dockerfile "src/arm32/" (want "src/arm32/Dockerfile"), osType "linux" (want "Linux"), architecture "arm" (want "arm32")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := `{"schemaVersion": "2.0", "repos": [` + tt.entry + `]}`
			records, err := depgraph.LoadImageInfoRecords("image-info.json", []byte(doc), m)
			require.NoError(t, err)
			res := depgraph.Stale(g, records, depgraph.MapLookup(nil), depgraph.CheckOptions{})
			var reason depgraph.Reason
			for _, img := range res.Images {
				if img.Platforms[0] == m.Platforms()[tt.platform] {
					reason = img.Reason
				}
			}
			require.Equal(t, depgraph.NotInImageInfo, reason.Kind)
			assert.Equal(t, tt.want, reason.NearMiss)
			assert.Equal(t, "image-info has no entry for this image; did you mean "+tt.want+"?", reason.String())
			assert.Equal(t, "not in image-info; did you mean "+tt.want+"?", reason.Brief())
		})
	}

	// An exact entry binds; an entry differing in something else is no near miss.
	records, err := depgraph.LoadImageInfoRecords("image-info.json", []byte(`{"schemaVersion": "2.0", "repos": [`+
		entry("app/runtime", "src/arm32/Dockerfile", "Linux", "bookworm", "arm32")+`, `+
		entry("app/runtime", "src/other/Dockerfile", "Linux", "bookworm", "amd64")+`]}`), m)
	require.NoError(t, err)
	_, found := records.BaseImageDigest(m.Platforms()[0])
	assert.True(t, found)
	assert.Empty(t, records.NearMiss(m.Platforms()[1]))
}
