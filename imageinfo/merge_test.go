package imageinfo_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/manifest"
)

// mergeManifest: repo r has a 1.0 image (shared tags, a/Dockerfile amd64 and arm64, both
// tagged, and a/Dockerfile amd64 on jammy without tags), a 2.0 image reusing a/Dockerfile
// amd64; repo q has one image; repo s none.
const mergeManifest = `{
  "repos": [
    {"name": "r", "images": [
      {"productVersion": "1.0.1", "sharedTags": {"1.0": {}}, "platforms": [
        {"dockerfile": "a", "os": "linux", "osVersion": "noble", "tags": {"1.0-amd64": {}}},
        {"dockerfile": "a", "os": "linux", "osVersion": "noble", "architecture": "arm64", "tags": {"1.0-arm64": {}}}
      ]},
      {"productVersion": "1.0.1", "platforms": [
        {"dockerfile": "a", "os": "linux", "osVersion": "noble", "tags": {}}
      ]},
      {"productVersion": "2.0.1", "platforms": [
        {"dockerfile": "a", "os": "linux", "osVersion": "noble", "tags": {"2.0-amd64": {}}}
      ]}
    ]},
    {"name": "q", "images": [
      {"productVersion": "1.0.1", "platforms": [{"dockerfile": "c", "os": "linux", "osVersion": "noble", "tags": {"c": {}}}]}
    ]},
    {"name": "s", "images": []}
  ]
}`

var mergeDockerfiles = []string{"a/Dockerfile", "c/Dockerfile"}

// pj writes a platform: Dockerfile directory, architecture, then more members (a later
// duplicate member replaces an earlier one).
func pj(dir, arch, more string) string {
	s := `{"dockerfile": "` + dir + `/Dockerfile", "digest": "r@sha256:1", "osType": "Linux", "osVersion": "noble", "architecture": "` + arch + `", "commitUrl": "https://x/blob/1111111111111111111111111111111111111111/` + dir + `/Dockerfile"`
	if more != "" {
		s += ", " + more
	}
	return s + "}"
}

// docj writes a document from repo members.
func docj(repos ...string) string {
	return `{"schemaVersion": "2.0", "repos": [` + strings.Join(repos, ", ") + `]}`
}

// imgj writes an image of repo r, version pv, with members (manifest, platforms...).
func imgj(pv string, members ...string) string {
	return `{"productVersion": "` + pv + `", ` + strings.Join(members, ", ") + `}`
}

func platformsj(ps ...string) string { return `"platforms": [` + strings.Join(ps, ", ") + `]` }

func repoj(name string, images ...string) string {
	if len(images) == 0 {
		return `{"repo": "` + name + `"}`
	}
	return `{"repo": "` + name + `", "images": [` + strings.Join(images, ", ") + `]}`
}

type mergeCase struct {
	name     string
	dst, src string
	publish  bool
	want     string
	freeOnly bool // only without a manifest (the inputs do not bind)
}

var mergeCases = []mergeCase{
	{
		name: "build: tag lists are unioned and sorted",
		dst:  docj(repoj("r", imgj("1.0.1", `"manifest": {"sharedTags": ["1.0"], "syndicatedDigests": ["s@1"]}`, platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64", "z"]`))))),
		src:  docj(repoj("r", imgj("1.0.1", `"manifest": {"sharedTags": ["latest", "1.0", "1.0"], "syndicatedDigests": ["s@0"]}`, platformsj(pj("a", "amd64", `"simpleTags": ["b", "1.0-amd64"]`))))),
		want: docj(repoj("r", imgj("1.0.1", `"manifest": {"sharedTags": ["1.0", "latest"], "syndicatedDigests": ["s@0", "s@1"]}`, platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64", "b", "z"]`))))),
	},
	{
		name:    "publish: tag lists are replaced by the sorted source list",
		publish: true,
		dst:     docj(repoj("r", imgj("1.0.1", `"manifest": {"sharedTags": ["1.0", "old"], "syndicatedDigests": ["s@old"]}`, platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64", "old"]`))))),
		src:     docj(repoj("r", imgj("1.0.1", `"manifest": {"sharedTags": ["new", "1.0"], "syndicatedDigests": ["s@2", "s@1"]}`, platformsj(pj("a", "amd64", `"simpleTags": ["new", "1.0-amd64"]`))))),
		want:    docj(repoj("r", imgj("1.0.1", `"manifest": {"sharedTags": ["1.0", "new"], "syndicatedDigests": ["s@1", "s@2"]}`, platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64", "new"]`))))),
	},
	{
		name: "build: an empty source list leaves the target's",
		dst:  docj(repoj("r", imgj("1.0.1", `"manifest": {"sharedTags": ["1.0"], "syndicatedDigests": ["s@1"]}`, platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))))),
		src:  docj(repoj("r", imgj("1.0.1", `"manifest": {"sharedTags": [], "digest": "m@2"}`, platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))))),
		want: docj(repoj("r", imgj("1.0.1", `"manifest": {"digest": "m@2", "sharedTags": ["1.0"], "syndicatedDigests": ["s@1"]}`, platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))))),
	},
	{
		name:     "publish: an empty source list empties the target's",
		publish:  true,
		freeOnly: true, // the manifest-free identity needs a platform or shared tag in common
		dst:      docj(repoj("r", imgj("1.0.1", `"manifest": {"sharedTags": ["1.0"], "syndicatedDigests": ["s@1"]}`, platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))))),
		src:      docj(repoj("r", imgj("1.0.1", `"manifest": {"digest": "m@2"}`, platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))))),
		want:     docj(repoj("r", imgj("1.0.1", `"manifest": {"digest": "m@2"}`, platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))))),
	},
	{
		name: "scalars: the source overwrites, with empty and absent values too",
		dst: docj(repoj("r", imgj("1.0.1", `"manifest": {"digest": "m@1", "created": "2026-01-01T00:00:00Z", "sharedTags": ["1.0"]}`, platformsj(
			pj("a", "amd64", `"simpleTags": ["1.0-amd64"], "baseImageDigest": "b@1", "created": "2026-01-01T00:00:00Z", "isUnchanged": true, "layers": [{"digest": "sha256:l1", "size": 1}]`))))),
		src: docj(repoj("r", imgj("1.0.7", `"manifest": {"sharedTags": ["1.0"]}`, platformsj(
			pj("a", "amd64", `"simpleTags": ["1.0-amd64"], "digest": "", "commitUrl": ""`))))),
		want: docj(repoj("r", imgj("1.0.7", `"manifest": {"sharedTags": ["1.0"]}`, platformsj(
			pj("a", "amd64", `"simpleTags": ["1.0-amd64"], "digest": "", "commitUrl": ""`))))),
	},
	{
		name: "layers are replaced, never merged",
		dst:  docj(repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"], "layers": [{"digest": "sha256:a", "size": 1}, {"digest": "sha256:b", "size": 2}]`))))),
		src:  docj(repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"], "layers": [{"digest": "sha256:z", "size": 9}, {"digest": "sha256:a", "size": 1}]`))))),
		want: docj(repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"], "layers": [{"digest": "sha256:z", "size": 9}, {"digest": "sha256:a", "size": 1}]`))))),
	},
	{
		name: "the manifest object is removed when the source image has none",
		dst:  docj(repoj("r", imgj("1.0.1", `"manifest": {"digest": "m@1", "sharedTags": ["1.0"]}`, platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))))),
		src:  docj(repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))))),
		want: docj(repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))))),
	},
	{
		name: "the manifest object is copied when only the source has one",
		dst:  docj(repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))))),
		src:  docj(repoj("r", imgj("1.0.1", `"manifest": {"digest": "m@1", "sharedTags": ["latest", "1.0"]}`, platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))))),
		want: docj(repoj("r", imgj("1.0.1", `"manifest": {"digest": "m@1", "sharedTags": ["latest", "1.0"]}`, platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))))),
	},
	{
		name: "unmatched items are appended and lists sorted; nothing is removed",
		dst: docj(repoj("s"), repoj("r", imgj("2.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["2.0-amd64"]`))),
			imgj("1.0.1", `"manifest": {"sharedTags": ["1.0"]}`, platformsj(pj("a", "arm64", `"simpleTags": ["1.0-arm64"]`))))),
		src: docj(repoj("r", imgj("1.0.1", `"manifest": {"sharedTags": ["1.0"]}`, platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`)))),
			repoj("q", imgj("1.0.1", platformsj(pj("c", "amd64", `"simpleTags": ["c"]`))))),
		want: docj(repoj("q", imgj("1.0.1", platformsj(pj("c", "amd64", `"simpleTags": ["c"]`)))),
			repoj("r", imgj("1.0.1", `"manifest": {"sharedTags": ["1.0"]}`, platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`), pj("a", "arm64", `"simpleTags": ["1.0-arm64"]`))),
				imgj("2.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["2.0-amd64"]`)))),
			repoj("s")),
	},
	{
		name: "repos without images survive, from either side",
		dst:  docj(repoj("s"), repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))))),
		src:  docj(repoj("r"), repoj("q")),
		want: docj(repoj("q"), repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`)))), repoj("s")),
	},
	{
		name: "a Dockerfile shared by platforms with and without tags makes two platforms",
		dst:  docj(repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))))),
		src:  docj(repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"digest": "r@sha256:2"`))))),
		// Two images: with a manifest they bind to two manifest images; without, they have no
		// platform in common. Equal versions: the first platform decides, no tags first.
		want: docj(repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"digest": "r@sha256:2"`))),
			imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))))),
	},
	{
		name: "a Dockerfile shared by product versions makes two images",
		dst:  docj(repoj("r", imgj("2.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["2.0-amd64"], "digest": "r@sha256:20"`))))),
		src:  docj(repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"], "digest": "r@sha256:10"`))))),
		want: docj(repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"], "digest": "r@sha256:10"`))),
			imgj("2.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["2.0-amd64"], "digest": "r@sha256:20"`))))),
	},
	{
		// ImageBuilder sets the target list to the source list and sorts that list only: the
		// lists inside the copied items keep their order.
		name: "an empty target takes a copy of the source; only the merged list is sorted",
		dst:  docj(),
		src: docj(repoj("r", imgj("1.0.1", platformsj(pj("a", "arm64", `"simpleTags": ["1.0-arm64"]`), pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`)))),
			repoj("q", imgj("1.0.1", platformsj(pj("c", "amd64", `"simpleTags": ["c"]`))))),
		want: docj(repoj("q", imgj("1.0.1", platformsj(pj("c", "amd64", `"simpleTags": ["c"]`)))),
			repoj("r", imgj("1.0.1", platformsj(pj("a", "arm64", `"simpleTags": ["1.0-arm64"]`), pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))))),
	},
}

func TestMergeRules(t *testing.T) {
	t.Parallel()
	m := loadManifest(t, mergeManifest, mergeDockerfiles...)
	for _, tt := range mergeCases {
		for _, withManifest := range []bool{false, true} {
			if withManifest && tt.freeOnly {
				continue
			}
			name := tt.name + "/manifest-free"
			var bindTo *manifest.Manifest
			if withManifest {
				name, bindTo = tt.name+"/bound", m
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				dst := parse(t, tt.dst, bindTo, imageinfo.BindOptions{})
				src := parse(t, tt.src, bindTo, imageinfo.BindOptions{})
				srcBefore := imageinfo.Marshal(src)
				require.NoError(t, imageinfo.Merge(dst, src, imageinfo.MergeOptions{Publish: tt.publish}))
				want := parse(t, tt.want, nil, imageinfo.BindOptions{})
				assert.Equal(t, compact(t, want), compact(t, dst))
				assert.Equal(t, string(srcBefore), string(imageinfo.Marshal(src)), "the source is not changed")
			})
		}
	}
}

func TestMergeBoundDistinguishesTagPresence(t *testing.T) {
	t.Parallel()
	m := loadManifest(t, mergeManifest, mergeDockerfiles...)
	dst := parse(t, docj(repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`))))), m, imageinfo.BindOptions{})
	src := parse(t, docj(repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"digest": "r@sha256:2"`))))), m, imageinfo.BindOptions{})
	require.NoError(t, imageinfo.Merge(dst, src, imageinfo.MergeOptions{}))
	// Two images: the tagged platform binds to the first manifest image, the other to the
	// second. Equal versions, so the first platform decides: no tags first.
	want := docj(repoj("r",
		imgj("1.0.1", platformsj(pj("a", "amd64", `"digest": "r@sha256:2"`))),
		imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`)))))
	assert.Equal(t, compactJSON(t, string(imageinfo.Marshal(parse(t, want, nil, imageinfo.BindOptions{})))), compact(t, dst))
	imgs := m.RepoByName("r").Images
	assert.Same(t, imgs[1], dst.Repos[0].Images[0].ManifestImage())
	assert.Same(t, imgs[0], dst.Repos[0].Images[1].ManifestImage())
}

// ImageBuilder's MergeImageInfoFilesCommandTests.HappyPath, with the real rules: tag names do
// not count, repos without images are kept, tags are unioned.
func TestMergeHappyPath(t *testing.T) {
	t.Parallel()
	m := loadManifest(t, `{"repos": [
	  {"name": "repo1", "images": []},
	  {"name": "repo2", "images": [
	    {"productVersion": "1.0", "platforms": [{"dockerfile": "1.0/repo2/os1", "os": "linux", "osVersion": "noble", "tags": {"tag1": {}}}]},
	    {"productVersion": "1.0", "platforms": [{"dockerfile": "1.0/repo2/os2", "os": "linux", "osVersion": "noble", "tags": {"tag2": {}}}]}
	  ]},
	  {"name": "repo3", "images": []},
	  {"name": "repo4", "images": [
	    {"productVersion": "1.0", "platforms": [{"dockerfile": "1.0/repo4/os2", "os": "linux", "osVersion": "noble", "tags": {"tag1": {}}}]},
	    {"productVersion": "1.0", "platforms": [{"dockerfile": "1.0/repo4/os3", "os": "linux", "osVersion": "noble", "tags": {"tag2": {}}}]}
	  ]}
	]}`, "1.0/repo2/os1/Dockerfile", "1.0/repo2/os2/Dockerfile", "1.0/repo4/os2/Dockerfile", "1.0/repo4/os3/Dockerfile")
	p := func(dir, tags string, more ...string) string {
		return pj(dir, "amd64", strings.Join(append([]string{`"simpleTags": [` + tags + `]`}, more...), ", "))
	}
	first := docj(repoj("repo1"),
		repoj("repo2", imgj("1.0", platformsj(p("1.0/repo2/os1", `"tag3"`))), imgj("1.0", platformsj(p("1.0/repo2/os2", `"tag2"`)))),
		repoj("repo4", imgj("1.0", platformsj(p("1.0/repo4/os2", `"tag1"`)))))
	second := docj(
		repoj("repo2", imgj("1.0", platformsj(p("1.0/repo2/os1", `"tag1"`, `"baseImageDigest": "base1hash"`))), imgj("1.0", platformsj(p("1.0/repo2/os2", `"tag2"`)))),
		repoj("repo3"),
		repoj("repo4", imgj("1.0", platformsj(p("1.0/repo4/os2", `"tag2"`))), imgj("1.0", platformsj(p("1.0/repo4/os3", `"tag1"`)))))
	want := docj(repoj("repo1"),
		repoj("repo2", imgj("1.0", platformsj(p("1.0/repo2/os1", `"tag1", "tag3"`, `"baseImageDigest": "base1hash"`))), imgj("1.0", platformsj(p("1.0/repo2/os2", `"tag2"`)))),
		repoj("repo3"),
		repoj("repo4", imgj("1.0", platformsj(p("1.0/repo4/os2", `"tag1", "tag2"`))), imgj("1.0", platformsj(p("1.0/repo4/os3", `"tag1"`)))))
	for _, bound := range []bool{true, false} {
		var bindTo *manifest.Manifest
		if bound {
			bindTo = m
		}
		dst := &imageinfo.Document{}
		for _, text := range []string{first, second} {
			require.NoError(t, imageinfo.Merge(dst, parse(t, text, bindTo, imageinfo.BindOptions{}), imageinfo.MergeOptions{}))
		}
		assert.Equal(t, compact(t, parse(t, want, nil, imageinfo.BindOptions{})), compact(t, dst), "bound=%v", bound)
	}
}

// ImageBuilder's MergeImageInfoFilesCommandTests.DuplicateDockerfilePaths: one Dockerfile
// built for arm32 and arm64 on one OS version and arm32 on another, in three images.
func TestMergeDuplicateDockerfilePaths(t *testing.T) {
	t.Parallel()
	m := loadManifest(t, `{"repos": [{"name": "repo1", "images": [
	  {"productVersion": "1.0", "platforms": [
	    {"dockerfile": "1.0/repo1/os1", "os": "linux", "osVersion": "bionic", "architecture": "arm", "tags": {"tag1": {}}},
	    {"dockerfile": "1.0/repo1/os1", "os": "linux", "osVersion": "bionic", "architecture": "arm64", "tags": {"tag2": {}}}
	  ]},
	  {"productVersion": "1.0", "platforms": [
	    {"dockerfile": "1.0/repo1/os1", "os": "linux", "osVersion": "noble", "architecture": "arm", "tags": {"tag3": {}}}
	  ]},
	  {"productVersion": "1.0", "platforms": [
	    {"dockerfile": "1.0/repo1/os2", "os": "linux", "osVersion": "bionic", "tags": {"tag4": {}}}
	  ]}
	]}]}`, "1.0/repo1/os1/Dockerfile", "1.0/repo1/os2/Dockerfile")
	p := func(dir, arch, osVersion, digest, tags string) string {
		return `{"dockerfile": "` + dir + `/Dockerfile", "simpleTags": [` + tags + `], "digest": "` + digest + `", "osType": "Linux", "osVersion": "` + osVersion + `", "architecture": "` + arch + `", "commitUrl": ""}`
	}
	inputs := []string{
		docj(repoj("repo1",
			imgj("1.0", platformsj(p("1.0/repo1/os1", "arm32", "bionic", "digest1", `"tag1", "tag2"`), p("1.0/repo1/os1", "arm64", "bionic", "digest2", `"tag2"`))),
			imgj("1.0", platformsj(p("1.0/repo1/os1", "arm32", "noble", "digest4", `"tagA"`))))),
		docj(repoj("repo1", imgj("1.0", platformsj(p("1.0/repo1/os1", "arm64", "bionic", "digest2-new", `"tag3", "tag2"`))))),
		docj(repoj("repo1",
			imgj("1.0", platformsj(p("1.0/repo1/os2", "amd64", "bionic", "digest3", `"tag1"`))),
			imgj("1.0", platformsj(p("1.0/repo1/os1", "arm32", "noble", "digest4-new", `"tagB"`))))),
	}
	want := docj(repoj("repo1",
		imgj("1.0", platformsj(p("1.0/repo1/os1", "arm32", "bionic", "digest1", `"tag1", "tag2"`), p("1.0/repo1/os1", "arm64", "bionic", "digest2-new", `"tag2", "tag3"`))),
		imgj("1.0", platformsj(p("1.0/repo1/os1", "arm32", "noble", "digest4-new", `"tagA", "tagB"`))),
		imgj("1.0", platformsj(p("1.0/repo1/os2", "amd64", "bionic", "digest3", `"tag1"`)))))
	for _, bound := range []bool{true, false} {
		var bindTo *manifest.Manifest
		if bound {
			bindTo = m
		}
		dst := &imageinfo.Document{}
		for _, text := range inputs {
			require.NoError(t, imageinfo.Merge(dst, parse(t, text, bindTo, imageinfo.BindOptions{}), imageinfo.MergeOptions{}))
		}
		assert.Equal(t, compact(t, parse(t, want, nil, imageinfo.BindOptions{})), compact(t, dst), "bound=%v", bound)
	}
}

func TestMergeDoesNotAlias(t *testing.T) {
	t.Parallel()
	d, _ := boundDotnetDocker(t)
	src := d.Clone()
	before := string(imageinfo.Marshal(src))
	dst := &imageinfo.Document{}
	require.NoError(t, imageinfo.Merge(dst, src, imageinfo.MergeOptions{}))
	// Change everything reachable from dst.
	for _, r := range dst.Repos {
		r.Repo += "x"
		for _, img := range r.Images {
			*img.ProductVersion = "changed"
			if img.Manifest != nil {
				*img.Manifest.Digest = "changed"
				img.Manifest.SharedTags[0] = "changed"
			}
			for _, p := range img.Platforms {
				p.SimpleTags[0] = "changed"
				if p.BaseImageDigest != nil {
					*p.BaseImageDigest = "changed"
				}
				*p.Layers[0].Digest = "changed"
				p.Layers[0].Size = -1
			}
		}
	}
	assert.Equal(t, before, string(imageinfo.Marshal(src)))

	// Merging into a non-empty target copies what it appends or replaces, too.
	dst2 := &imageinfo.Document{}
	require.NoError(t, imageinfo.Merge(dst2, parseAndBind(t, `{"schemaVersion": "2.0", "repos": [{"repo": "dotnet/aspire-dashboard"}]}`, d.Manifest()), imageinfo.MergeOptions{}))
	require.NoError(t, imageinfo.Merge(dst2, src, imageinfo.MergeOptions{Publish: true}))
	require.NoError(t, imageinfo.Merge(dst2, src, imageinfo.MergeOptions{Publish: true}))
	p := dst2.Repos[1].Images[0].Platforms[0]
	p.SimpleTags[0] = "changed"
	*p.Layers[0].Digest = "changed"
	assert.Equal(t, before, string(imageinfo.Marshal(src)))
}

func parseAndBind(t *testing.T, text string, m *manifest.Manifest) *imageinfo.Document {
	t.Helper()
	return parse(t, text, m, imageinfo.BindOptions{})
}

func TestMergeNeedsTheSameManifest(t *testing.T) {
	t.Parallel()
	m := loadManifest(t, mergeManifest, mergeDockerfiles...)
	other := loadManifest(t, mergeManifest, mergeDockerfiles...)
	text := docj(repoj("r", imgj("1.0.1", platformsj(pj("a", "amd64", `"simpleTags": ["1.0-amd64"]`)))))

	bound := parse(t, text, m, imageinfo.BindOptions{})
	assert.ErrorIs(t, imageinfo.Merge(bound, parse(t, text, other, imageinfo.BindOptions{}), imageinfo.MergeOptions{}), imageinfo.ErrManifestMismatch)
	assert.ErrorIs(t, imageinfo.Merge(bound, parse(t, text, nil, imageinfo.BindOptions{}), imageinfo.MergeOptions{}), imageinfo.ErrManifestMismatch)
	assert.ErrorIs(t, imageinfo.Merge(parse(t, text, nil, imageinfo.BindOptions{}), bound, imageinfo.MergeOptions{}), imageinfo.ErrManifestMismatch)

	// An empty unbound target takes the source's manifest.
	empty := &imageinfo.Document{}
	require.NoError(t, imageinfo.Merge(empty, bound, imageinfo.MergeOptions{}))
	assert.Same(t, m, empty.Manifest())
	assert.Same(t, m.RepoByName("r").Images[0], empty.Repos[0].Images[0].ManifestImage())
}
