package imageinfo_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/imageinfo/imageinfotest"
)

// TestMergeFilesBuildTime merges the real dotnet-docker image-info, split into per-job files,
// back into the published bytes.
func TestMergeFilesBuildTime(t *testing.T) {
	t.Parallel()
	published := readFile(t, dotnetDockerInfo)
	m := dotnetDockerManifest(t)
	d := parseFile(t, dotnetDockerInfo)
	var files []imageinfo.File
	for k, part := range imageinfotest.Split(d, 5, nil) {
		files = append(files, imageinfo.File{Name: fmt.Sprintf("job-%d.json", k), Data: imageinfo.Marshal(part)})
	}

	rep, err := imageinfo.MergeFiles(files, imageinfo.MergeFilesOptions{Manifest: m})
	require.NoError(t, err)
	assert.Equal(t, string(published), string(imageinfo.Marshal(rep.Document)))
	require.Len(t, rep.Merged, 5)
	platforms := 0
	for k, f := range rep.Merged {
		assert.Equal(t, fmt.Sprintf("job-%d.json", k), f.Name)
		platforms += f.Counts.Platforms
	}
	assert.Equal(t, d.Count().Platforms, platforms)
	assert.Empty(t, rep.Unbound)
	assert.Empty(t, rep.Initial)
	assert.False(t, rep.Pruned)
}

// TestMergeFilesPublish runs the publish-time sequence: the published file loses what the
// manifest dropped, takes the build's file, and the updated platform points at the commit.
func TestMergeFilesPublish(t *testing.T) {
	t.Parallel()
	m := loadManifest(t, mergeManifest, mergeDockerfiles...)
	published := docj(
		repoj("gone", imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["x"]`)))),
		repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`), pj("a", "arm64", `"simpleTags": ["1.0-arm64"]`)))),
	)
	build := docj(repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"], "digest": "r@sha256:2"`)))))
	const sha = "abcdefabcdefabcdefabcdefabcdefabcdefabcd"

	rep, err := imageinfo.MergeFiles([]imageinfo.File{
		{Name: "build.json", Data: []byte(build)},
		{Name: "published.json", Data: []byte(published)},
	}, imageinfo.MergeFilesOptions{Manifest: m, Publish: true, Initial: "published.json", CommitOverride: sha})
	require.NoError(t, err)

	assert.Equal(t, []imageinfo.UnboundRepo{{File: "published.json", Repo: "gone"}}, rep.Unbound)
	assert.Equal(t, "published.json", rep.Initial)
	assert.Equal(t, imageinfo.Counts{Repos: 2, Images: 2, Platforms: 3}, rep.InitialCounts)
	assert.True(t, rep.Pruned)
	assert.Equal(t, imageinfo.Removed{Repos: 1}, rep.Removed)
	assert.Equal(t, []imageinfo.MergedFile{{Name: "build.json", Counts: imageinfo.Counts{Repos: 1, Images: 1, Platforms: 1}}}, rep.Merged)
	assert.Equal(t, 1, rep.CommitsOverridden, "only the platform whose digest changed")

	out := compact(t, rep.Document)
	assert.NotContains(t, out, `"gone"`)
	assert.Contains(t, out, `"digest":"r@sha256:2"`)
	assert.Contains(t, out, "blob/"+sha+"/a/Dockerfile")
	assert.Equal(t, 1, strings.Count(out, "blob/1111111111111111111111111111111111111111/a/Dockerfile"), "the unchanged arm64 platform keeps its commit")
}

func TestMergeFilesWithoutManifest(t *testing.T) {
	t.Parallel()
	a := docj(repoj("r", imgj("1.0.1", `"manifest": {"sharedTags": ["1.0"]}`, platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`)))))
	b := docj(repoj("r", imgj("1.0.1", `"manifest": {"sharedTags": ["1.0"]}`, platformsj(pj("a", "arm64", `"simpleTags": ["1.0-arm64"]`)))))
	rep, err := imageinfo.MergeFiles([]imageinfo.File{{Name: "a.json", Data: []byte(a)}, {Name: "b.json", Data: []byte(b)}}, imageinfo.MergeFilesOptions{})
	require.NoError(t, err)
	assert.Equal(t, imageinfo.Counts{Repos: 1, Images: 1, Platforms: 2}, rep.Document.Count(), "one image: the shared tag matches them")
}

func TestMergeFilesErrors(t *testing.T) {
	t.Parallel()
	m := loadManifest(t, mergeManifest, mergeDockerfiles...)
	good := imageinfo.File{Name: "good.json", Data: []byte(docj(repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))))))}
	stranger := imageinfo.File{Name: "stranger.json", Data: []byte(docj(repoj("r", imgj("9.9", platformsj(pj("zzz", "amd64", `"simpleTags": ["9"]`))))))}
	broken := imageinfo.File{Name: "broken.json", Data: []byte(`{"schemaVersion": "2.0", "repos": [`)}
	const sha = "abcdefabcdefabcdefabcdefabcdefabcdefabcd"
	for name, tt := range map[string]struct {
		files []imageinfo.File
		opts  imageinfo.MergeFilesOptions
		want  string
	}{
		"invalid JSON":         {[]imageinfo.File{good, broken}, imageinfo.MergeFilesOptions{}, "broken.json"},
		"not in the manifest":  {[]imageinfo.File{good, stranger}, imageinfo.MergeFilesOptions{Manifest: m}, "stranger.json: "},
		"initial not a file":   {[]imageinfo.File{good}, imageinfo.MergeFilesOptions{Initial: "other.json"}, "initial file other.json is not one of the files"},
		"override, no initial": {[]imageinfo.File{good}, imageinfo.MergeFilesOptions{CommitOverride: sha}, "needs an initial file"},
		"override, not a sha":  {[]imageinfo.File{good}, imageinfo.MergeFilesOptions{CommitOverride: "main", Initial: "good.json"}, `commit override "main"`},
		"prune leaves nothing": {[]imageinfo.File{stranger}, imageinfo.MergeFilesOptions{Manifest: loadManifest(t, `{"repos": [{"name": "other", "images": []}]}`), Publish: true, Initial: "stranger.json"}, "stranger.json: "},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rep, err := imageinfo.MergeFiles(tt.files, tt.opts)
			require.ErrorContains(t, err, tt.want)
			require.NotNil(t, rep)
			assert.Nil(t, rep.Document, "no document on error")
		})
	}
}
