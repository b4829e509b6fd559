package imageinfo_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/imageinfo"
)

func TestRemoveOutOfDateContent(t *testing.T) {
	t.Parallel()
	m := loadManifest(t, mergeManifest, mergeDockerfiles...)
	skip := imageinfo.BindOptions{SkipManifestValidation: true}
	d := parse(t, docj(
		repoj("gone", imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["x"]`)))),
		repoj("q"),
		repoj("r",
			// Bound through its amd64 platform; its arm32 and jammy platforms match nothing:
			// both go.
			imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`), pj("a", "arm32", `"simpleTags": ["x"]`), pj("a", "amd64", `"osVersion": "jammy", "simpleTags": ["x"]`))),
			// An old version of the image: unbound, goes.
			imgj("1.2.0", platformsj(pj("a", "amd64", `"simpleTags": ["1.2-amd64"]`))),
			// Bound to the 2.0 image; its untagged platform matches no 2.0 platform and goes.
			imgj("2.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`), pj("a", "amd64", `"digest": "no-tags"`))),
		),
		repoj("s"),
	), m, skip)
	require.NotNil(t, d.Repos[2].Images[2].ManifestImage())

	removed, err := imageinfo.RemoveOutOfDateContent(d)
	require.NoError(t, err)
	assert.Equal(t, imageinfo.Removed{Repos: 1, Images: 1, Platforms: 3}, removed)
	want := docj(
		repoj("q"),
		repoj("r",
			imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))),
			imgj("2.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))),
		),
		repoj("s"),
	)
	assert.Equal(t, compact(t, parse(t, want, nil, skip)), compact(t, d))
}

func TestRemoveOutOfDateContentKeepsPlatformsOfTheirOwnImageOnly(t *testing.T) {
	t.Parallel()
	m := loadManifest(t, mergeManifest, mergeDockerfiles...)
	// A 1.0 image holding the untagged platform, which binds to the second manifest image:
	// the image binds to the first through its tagged platform, so the untagged one goes.
	d := parse(t, docj(repoj("r", imgj("1.0.1", platformsj(
		pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`),
		pj("a", "amd64", `"digest": "untagged"`))))), m, imageinfo.BindOptions{})
	removed, err := imageinfo.RemoveOutOfDateContent(d)
	require.NoError(t, err)
	assert.Equal(t, imageinfo.Removed{Platforms: 1}, removed)
	require.Len(t, d.Repos[0].Images[0].Platforms, 1)
	assert.True(t, d.Repos[0].Images[0].Platforms[0].HasTags())

	// Every platform removed: the image stays, without platforms.
	d = parse(t, docj(repoj("r", imgj("2.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["2.0-amd64"]`), pj("a", "amd64", `"simpleTags": ["x"], "osVersion": "jammy"`))))), m, imageinfo.BindOptions{SkipManifestValidation: true})
	d.Repos[0].Images[0].Platforms = d.Repos[0].Images[0].Platforms[1:]
	removed, err = imageinfo.RemoveOutOfDateContent(d)
	require.NoError(t, err)
	assert.Equal(t, imageinfo.Removed{Platforms: 1}, removed)
	assert.Equal(t, compactJSON(t, docj(repoj("r", `{"productVersion": "2.0.1"}`))), compact(t, d))
}

func TestRemoveOutOfDateContentRealAspireDashboard(t *testing.T) {
	t.Parallel()
	// Before the manifest moved aspire-dashboard from 13.4.2 to 13.5, the published file had a
	// 13.4.2 image. Publishing against the new manifest removes it and keeps the repo.
	d := parseFile(t, dotnetDockerInfo)
	old := parse(t, docj(repoj("dotnet/aspire-dashboard", imgj("13.4.2", `"manifest": {"sharedTags": ["13.4", "13.4.2"]}`, platformsj(
		`{"dockerfile": "src/aspire-dashboard/amd64/Dockerfile", "simpleTags": ["13.4.2-amd64"], "digest": "x", "osType": "Linux", "osVersion": "azurelinux3.0-distroless", "architecture": "amd64", "commitUrl": ""}`)))), nil, imageinfo.BindOptions{})
	d.Repos[0] = old.Repos[0]
	m := dotnetDockerManifest(t)
	require.NoError(t, imageinfo.Bind(d, m, imageinfo.BindOptions{SkipManifestValidation: true}))
	assert.Nil(t, d.Repos[0].Images[0].ManifestImage())

	removed, err := imageinfo.RemoveOutOfDateContent(d)
	require.NoError(t, err)
	assert.Equal(t, imageinfo.Removed{Images: 1}, removed)
	assert.Equal(t, string(readFile(t, dotnetDockerInfo)), string(imageinfo.Marshal(d)))
}

func TestRemoveOutOfDateContentFailSafe(t *testing.T) {
	t.Parallel()
	m := loadManifest(t, mergeManifest, mergeDockerfiles...)
	d := parse(t, docj(repoj("gone"), repoj("also-gone")), m, imageinfo.BindOptions{})
	before := compact(t, d)
	_, err := imageinfo.RemoveOutOfDateContent(d)
	require.ErrorIs(t, err, imageinfo.ErrNothingLeft)
	assert.Equal(t, before, compact(t, d), "the document is left as it was")

	_, err = imageinfo.RemoveOutOfDateContent(parse(t, docj(repoj("r")), nil, imageinfo.BindOptions{}))
	require.ErrorIs(t, err, imageinfo.ErrNotBound)
}

func TestTrimUnchanged(t *testing.T) {
	t.Parallel()
	unchanged := `"isUnchanged": true`
	d := parse(t, docj(
		repoj("started-empty"),
		repoj("all-unchanged", imgj("1.0", platformsj(pj("a", "amd64", unchanged)))),
		repoj("r",
			imgj("1.0", platformsj(pj("a", "amd64", unchanged), pj("b", "amd64", `"isUnchanged": false`))),
			imgj("2.0", platformsj(pj("c", "amd64", unchanged), pj("d", "amd64", unchanged))),
			`{"productVersion": "3.0"}`,
		),
	), nil, imageinfo.BindOptions{})
	removed := imageinfo.TrimUnchanged(d)
	assert.Equal(t, imageinfo.Removed{Repos: 2, Images: 3, Platforms: 4}, removed)
	assert.Equal(t, compactJSON(t, docj(repoj("r", imgj("1.0", platformsj(pj("b", "amd64", "")))))), compact(t, d))

	// Nothing to trim: nothing changes.
	real := parseFile(t, dotnetDockerInfo)
	real.Repos = real.Repos[1:] // the aspire-dashboard repo has no images, so it would go
	before := imageinfo.Marshal(real)
	assert.Equal(t, imageinfo.Removed{}, imageinfo.TrimUnchanged(real))
	assert.Equal(t, before, imageinfo.Marshal(real))
}
