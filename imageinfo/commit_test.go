package imageinfo_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/manifest"
)

func TestCheckCommitOverride(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "4ef5a3030654728decc420aa363a57670ae53de4", "refs/4ef5a3030654728decc420aa363a57670ae53de4"} {
		assert.NoError(t, imageinfo.CheckCommitOverride(ok), ok)
	}
	for _, bad := range []string{"", "4ef5a30", "4EF5A3030654728DECC420AA363A57670AE53DE4", "g000000000000000000000000000000000000000"} {
		err := imageinfo.CheckCommitOverride(bad)
		assert.ErrorIs(t, err, imageinfo.ErrInvalidCommit, bad)
	}
	_, err := imageinfo.OverrideCommits(&imageinfo.Document{}, &imageinfo.Document{}, "main")
	assert.EqualError(t, err, `commit override "main": not a valid commit SHA`)
}

// ImageBuilder's MergeImageInfoFilesCommandTests.CommitUrlOverride, extended: a static
// platform keeps its commit; a rebuilt one (new digest), one whose commit changed, and a new
// one get the override.
func TestOverrideCommits(t *testing.T) {
	t.Parallel()
	const (
		static   = "0000000000000000000000000000000000000000"
		initial  = "1111111111111111111111111111111111111111"
		newer    = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		override = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	)
	m := loadManifest(t, `{"repos": [{"name": "repo", "images": [
	  {"productVersion": "1.0", "platforms": [
	    {"dockerfile": "static", "os": "linux", "osVersion": "noble", "tags": {}},
	    {"dockerfile": "changing", "os": "linux", "osVersion": "noble", "tags": {}},
	    {"dockerfile": "recommitted", "os": "linux", "osVersion": "noble", "tags": {}},
	    {"dockerfile": "new", "os": "linux", "osVersion": "noble", "tags": {}},
	    {"dockerfile": "nourl", "os": "linux", "osVersion": "noble", "tags": {}}
	  ]}
	]}]}`, "static/Dockerfile", "changing/Dockerfile", "recommitted/Dockerfile", "new/Dockerfile", "nourl/Dockerfile")
	p := func(dir, digest, commit string) string {
		url := ""
		if commit != "" {
			url = "https://github.com/dotnet/dotnet-docker/blob/" + commit + "/src/" + dir + "/Dockerfile"
		}
		return `{"dockerfile": "` + dir + `/Dockerfile", "digest": "` + digest + `", "osType": "Linux", "osVersion": "noble", "architecture": "amd64", "commitUrl": "` + url + `"}`
	}
	initialDoc := docj(repoj("repo", imgj("1.0", platformsj(p("static", "sha256:static", static), p("changing", "sha256:initial", initial), p("recommitted", "sha256:same", initial)))))
	update := docj(repoj("repo", imgj("1.0", platformsj(p("changing", "sha256:new", newer), p("recommitted", "sha256:same", newer), p("new", "sha256:new", newer), p("nourl", "sha256:new", "")))))
	url := func(dir, commit string) string {
		return "https://github.com/dotnet/dotnet-docker/blob/" + commit + "/src/" + dir + "/Dockerfile"
	}
	for name, bindTo := range map[string]*manifest.Manifest{"bound": m, "manifest-free": nil} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			target := parse(t, initialDoc, bindTo, imageinfo.BindOptions{})
			before := target.Clone()
			require.NoError(t, imageinfo.Merge(target, parse(t, update, bindTo, imageinfo.BindOptions{}), imageinfo.MergeOptions{Publish: true}))
			n, err := imageinfo.OverrideCommits(target, before, override)
			require.NoError(t, err)
			assert.Equal(t, 3, n)
			got := map[string]string{}
			for _, pl := range target.Repos[0].Images[0].Platforms {
				got[pl.Dockerfile] = pl.CommitURL
			}
			assert.Equal(t, map[string]string{
				"static/Dockerfile":      url("static", static),
				"changing/Dockerfile":    url("changing", override),
				"recommitted/Dockerfile": url("recommitted", override),
				"new/Dockerfile":         url("new", override),
				"nourl/Dockerfile":       "",
			}, got)
			// The initial copy is untouched.
			assert.Equal(t, url("changing", initial), before.Repos[0].Images[0].Platforms[1].CommitURL)
		})
	}
}

func TestOverrideCommitsReplacesEveryRun(t *testing.T) {
	t.Parallel()
	d := parse(t, docj(repoj("r", imgj("1.0", platformsj(pj("a", "amd64", `"commitUrl": "https://x/1111111111111111111111111111111111111111/2222222222222222222222222222222222222222abc/a"`))))), nil, imageinfo.BindOptions{})
	n, err := imageinfo.OverrideCommits(d, &imageinfo.Document{}, "v$1-cccccccccccccccccccccccccccccccccccccccc")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	// Replaced literally ("$1" is not a group reference).
	assert.Equal(t, "https://x/v$1-cccccccccccccccccccccccccccccccccccccccc/v$1-ccccccccccccccccccccccccccccccccccccccccabc/a",
		d.Repos[0].Images[0].Platforms[0].CommitURL)
}

func TestOverrideCommitsTreatsUnboundImagesAsNew(t *testing.T) {
	t.Parallel()
	m := loadManifest(t, mergeManifest, mergeDockerfiles...)
	skip := imageinfo.BindOptions{SkipManifestValidation: true}
	text := docj(repoj("r", imgj("9.0", platformsj(pj("a", "amd64", `"simpleTags": ["x"]`)))))
	current := parse(t, text, m, skip)
	require.Nil(t, current.Repos[0].Images[0].ManifestImage())
	n, err := imageinfo.OverrideCommits(current, parse(t, text, m, skip), "cccccccccccccccccccccccccccccccccccccccc")
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	// Without a manifest the same image is found by the manifest-free identity.
	free := parse(t, text, nil, skip)
	n, err = imageinfo.OverrideCommits(free, parse(t, text, nil, skip), "cccccccccccccccccccccccccccccccccccccccc")
	require.NoError(t, err)
	assert.Zero(t, n)
}
