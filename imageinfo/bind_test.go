package imageinfo_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/manifest"
)

func TestBindRealDotnetDocker(t *testing.T) {
	t.Parallel()
	d, m := boundDotnetDocker(t)
	assert.Same(t, m, d.Manifest())

	bound := map[*manifest.Platform]bool{}
	for _, r := range d.Repos {
		require.NotNil(t, r.ManifestRepo(), r.Repo)
		assert.Equal(t, r.Repo, r.ManifestRepo().Name)
		for _, img := range r.Images {
			require.NotNil(t, img.ManifestImage())
			for _, p := range img.Platforms {
				mp := p.ManifestPlatform()
				require.NotNil(t, mp, "%s %s", r.Repo, p.Dockerfile)
				assert.Same(t, img.ManifestImage(), mp.Image)
				assert.Equal(t, mp.DockerfilePath, p.Dockerfile)
				assert.Equal(t, mp.ArchitectureDisplay(), p.Architecture)
				assert.Equal(t, mp.OSType(), p.OSType)
				assert.Equal(t, mp.OSVersion, p.OSVersion)
				assert.Equal(t, *img.ProductVersion, mp.Image.ProductVersion)
				assert.False(t, bound[mp], "two platforms bound to %s", mp)
				bound[mp] = true
			}
		}
	}
	// All 599 image-info platforms bind; the manifest's other 2 are the aspire-dashboard ones.
	assert.Len(t, bound, 599)
	var unbound []string
	for _, mp := range m.Platforms() {
		if !bound[mp] {
			unbound = append(unbound, mp.DockerfilePath)
		}
	}
	assert.Equal(t, []string{"src/aspire-dashboard/amd64/Dockerfile", "src/aspire-dashboard/arm64v8/Dockerfile"}, unbound)

	// Binding changes nothing in what is written: {"repo": "dotnet/aspire-dashboard"} included.
	out := imageinfo.Marshal(d)
	assert.Equal(t, readFile(t, dotnetDockerInfo), out)
	assert.Contains(t, string(out), "    {\n      \"repo\": \"dotnet/aspire-dashboard\"\n    },\n")
}

func TestBindRealDockerTools(t *testing.T) {
	t.Parallel()
	m := dockerToolsManifest(t)
	for _, name := range []string{dockerToolsInfo, dockerToolsV1} {
		d := parseFile(t, name)
		require.NoError(t, imageinfo.Bind(d, m, imageinfo.BindOptions{}), name)
		img := d.Repos[0].Images[0]
		require.Len(t, img.Platforms, 5)
		for _, p := range img.Platforms {
			require.NotNil(t, p.ManifestPlatform(), "%s %s %s", name, p.Dockerfile, p.OSVersion)
			assert.Equal(t, p.OSVersion, p.ManifestPlatform().OSVersion)
		}
		// No product version on either side: nil matches the manifest's missing version.
		assert.Nil(t, img.ProductVersion)
	}
}

// bindManifest has, in repo "r": an image 1.0 with two platforms sharing a Dockerfile (amd64
// and arm), one without tags on the same Dockerfile in another image, a 2.0 image reusing the
// first Dockerfile, a preview image, and a Windows platform.
const bindManifest = `{
  "registry": "mcr.example.com",
  "repos": [
    {"name": "r", "images": [
      {"productVersion": "1.0.5", "sharedTags": {"1.0": {}}, "platforms": [
        {"dockerfile": "1.0/noble/Dockerfile", "os": "linux", "osVersion": "noble", "tags": {"1.0-noble-amd64": {}}},
        {"dockerfile": "1.0/noble/Dockerfile", "os": "linux", "osVersion": "noble", "architecture": "arm", "variant": "v7", "tags": {"1.0-noble-arm32v7": {}}}
      ]},
      {"productVersion": "1.0.5", "platforms": [
        {"dockerfile": "1.0/noble/Dockerfile", "os": "linux", "osVersion": "noble", "tags": {}}
      ]},
      {"productVersion": "2.0.1", "platforms": [
        {"dockerfile": "1.0/noble/Dockerfile", "os": "linux", "osVersion": "noble", "tags": {"2.0-noble-amd64": {}}}
      ]},
      {"productVersion": "3.0.0-preview.1", "platforms": [
        {"dockerfile": "3.0/noble", "os": "linux", "osVersion": "noble", "tags": {"3.0-noble": {}}}
      ]},
      {"productVersion": "1.0.5", "platforms": [
        {"dockerfile": "1.0/nanoserver/Dockerfile", "os": "windows", "osVersion": "nanoserver-ltsc2022", "tags": {"1.0-nanoserver": {}}}
      ]}
    ]},
    {"name": "empty", "images": []}
  ]
}`

var bindDockerfiles = []string{"1.0/noble/Dockerfile", "3.0/noble/Dockerfile", "1.0/nanoserver/Dockerfile"}

func TestBindRules(t *testing.T) {
	t.Parallel()
	m := loadManifest(t, bindManifest, bindDockerfiles...)
	imgs := m.RepoByName("r").Images
	tests := []struct {
		name     string
		pv       string // image productVersion JSON value
		platform string
		want     *manifest.Platform // nil: unbound
	}{
		{"exact", `"1.0.5"`, `"dockerfile": "1.0/noble/Dockerfile", "simpleTags": ["x"], "architecture": "amd64", "osType": "Linux", "osVersion": "noble"`, imgs[0].Platforms[0]},
		{"arm is arm32", `"1.0.5"`, `"dockerfile": "1.0/noble/Dockerfile", "simpleTags": ["x"], "architecture": "arm32", "osType": "Linux", "osVersion": "noble"`, imgs[0].Platforms[1]},
		{"arm is not a display name", `"1.0.5"`, `"dockerfile": "1.0/noble/Dockerfile", "simpleTags": ["x"], "architecture": "arm", "osType": "Linux", "osVersion": "noble"`, nil},
		{"tag names do not count", `"1.0.5"`, `"dockerfile": "1.0/noble/Dockerfile", "simpleTags": ["other"], "architecture": "amd64", "osType": "Linux", "osVersion": "noble"`, imgs[0].Platforms[0]},
		{"no tags picks the platform without tags", `"1.0.5"`, `"dockerfile": "1.0/noble/Dockerfile", "architecture": "amd64", "osType": "Linux", "osVersion": "noble"`, imgs[1].Platforms[0]},
		{"empty tags count as none", `"1.0.5"`, `"dockerfile": "1.0/noble/Dockerfile", "simpleTags": [], "architecture": "amd64", "osType": "Linux", "osVersion": "noble"`, imgs[1].Platforms[0]},
		{"patch versions are equivalent", `"1.0.1"`, `"dockerfile": "1.0/noble/Dockerfile", "simpleTags": ["x"], "architecture": "amd64", "osType": "Linux", "osVersion": "noble"`, imgs[0].Platforms[0]},
		{"another major.minor picks another image", `"2.0"`, `"dockerfile": "1.0/noble/Dockerfile", "simpleTags": ["x"], "architecture": "amd64", "osType": "Linux", "osVersion": "noble"`, imgs[2].Platforms[0]},
		{"no equivalent version", `"1.1.5"`, `"dockerfile": "1.0/noble/Dockerfile", "simpleTags": ["x"], "architecture": "amd64", "osType": "Linux", "osVersion": "noble"`, nil},
		{"missing version", `null`, `"dockerfile": "1.0/noble/Dockerfile", "simpleTags": ["x"], "architecture": "amd64", "osType": "Linux", "osVersion": "noble"`, nil},
		{"preview must be equal", `"3.0.0-preview.1"`, `"dockerfile": "3.0/noble/Dockerfile", "simpleTags": ["x"], "architecture": "amd64", "osType": "Linux", "osVersion": "noble"`, imgs[3].Platforms[0]},
		{"other preview", `"3.0.0-preview.2"`, `"dockerfile": "3.0/noble/Dockerfile", "simpleTags": ["x"], "architecture": "amd64", "osType": "Linux", "osVersion": "noble"`, nil},
		{"dockerfile is the resolved file", `"3.0.0-preview.1"`, `"dockerfile": "3.0/noble", "simpleTags": ["x"], "architecture": "amd64", "osType": "Linux", "osVersion": "noble"`, nil},
		{"dockerfile is case-sensitive", `"1.0.5"`, `"dockerfile": "1.0/Noble/Dockerfile", "simpleTags": ["x"], "architecture": "amd64", "osType": "Linux", "osVersion": "noble"`, nil},
		{"os version", `"1.0.5"`, `"dockerfile": "1.0/noble/Dockerfile", "simpleTags": ["x"], "architecture": "amd64", "osType": "Linux", "osVersion": "jammy"`, nil},
		{"os type", `"1.0.5"`, `"dockerfile": "1.0/noble/Dockerfile", "simpleTags": ["x"], "architecture": "amd64", "osType": "linux", "osVersion": "noble"`, nil},
		{"windows", `"1.0.5"`, `"dockerfile": "1.0/nanoserver/Dockerfile", "simpleTags": ["x"], "architecture": "amd64", "osType": "Windows", "osVersion": "nanoserver-ltsc2022"`, imgs[4].Platforms[0]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			text := `{"schemaVersion": "2.0", "repos": [{"repo": "r", "images": [{"productVersion": ` + tt.pv +
				`, "platforms": [{` + tt.platform + `, "digest": "", "commitUrl": ""}]}]}]}`
			d := parse(t, text, nil, imageinfo.BindOptions{})
			err := imageinfo.Bind(d, m, imageinfo.BindOptions{})
			img := d.Repos[0].Images[0]
			if tt.want == nil {
				var ue *imageinfo.UnmatchedError
				require.True(t, errors.As(err, &ue), "want an UnmatchedError, got %v", err)
				assert.Same(t, img.Platforms[0], ue.Platform)
				assert.Equal(t, "r", ue.Repo)

				// Skipping validation leaves the image unbound instead.
				require.NoError(t, imageinfo.Bind(d, m, imageinfo.BindOptions{SkipManifestValidation: true}))
				assert.Nil(t, img.ManifestImage())
				assert.Nil(t, img.Platforms[0].ManifestPlatform())
				return
			}
			require.NoError(t, err)
			assert.Same(t, tt.want, img.Platforms[0].ManifestPlatform())
			assert.Same(t, tt.want.Image, img.ManifestImage())
		})
	}
}

func TestBindImagesAndRepos(t *testing.T) {
	t.Parallel()
	m := loadManifest(t, bindManifest, bindDockerfiles...)
	const platform = `"simpleTags": ["x"], "digest": "", "osType": "Linux", "osVersion": "noble", "commitUrl": ""`
	d := parse(t, `{"schemaVersion": "2.0", "repos": [
	  {"repo": "r", "images": [
	    {"productVersion": "1.0.5", "platforms": [
	      {"dockerfile": "1.0/gone/Dockerfile", `+platform+`, "architecture": "amd64"},
	      {"dockerfile": "1.0/noble/Dockerfile", `+platform+`, "architecture": "arm32"},
	      {"dockerfile": "1.0/noble/Dockerfile", `+platform+`, "architecture": "amd64"}
	    ]},
	    {"productVersion": "1.0.5"}
	  ]},
	  {"repo": "not-in-manifest", "images": [{"productVersion": "1.0.5", "platforms": [{"dockerfile": "1.0/noble/Dockerfile", `+platform+`, "architecture": "amd64"}]}]},
	  {"repo": "empty"}
	]}`, m, imageinfo.BindOptions{})

	r := d.Repos[0]
	img := r.Images[0]
	// The image binds through its first bound platform; the unmatched one stays unbound
	// without an error, as in ImageBuilder (only images with no match at all fail).
	assert.Same(t, m.RepoByName("r").Images[0], img.ManifestImage())
	assert.Nil(t, img.Platforms[0].ManifestPlatform())
	assert.Same(t, m.RepoByName("r").Images[0].Platforms[1], img.Platforms[1].ManifestPlatform())
	assert.Same(t, m.RepoByName("r").Images[0].Platforms[0], img.Platforms[2].ManifestPlatform())
	// An image without platforms is not an error, and stays unbound.
	assert.Nil(t, r.Images[1].ManifestImage())
	// A repo the manifest lacks stays unbound, and its platforms are not checked.
	assert.Nil(t, d.Repos[1].ManifestRepo())
	assert.Nil(t, d.Repos[1].Images[0].ManifestImage())
	assert.Same(t, m.RepoByName("empty"), d.Repos[2].ManifestRepo())

	// Binding to nil removes every binding.
	require.NoError(t, imageinfo.Bind(d, nil, imageinfo.BindOptions{}))
	assert.Nil(t, d.Manifest())
	assert.Nil(t, img.ManifestImage())
	assert.Nil(t, img.Platforms[1].ManifestPlatform())
	assert.Nil(t, d.Repos[2].ManifestRepo())
}

func TestUnmatchedErrorNamesThePlatform(t *testing.T) {
	t.Parallel()
	m := loadManifest(t, bindManifest, bindDockerfiles...)
	d := parse(t, `{"schemaVersion": "2.0", "repos": [{"repo": "r", "images": [{"productVersion": "1.0.5", "platforms": [
	  {"dockerfile": "1.0/gone/Dockerfile", "simpleTags": ["x"], "digest": "", "osType": "Linux", "osVersion": "noble", "architecture": "arm64", "commitUrl": ""}
	]}]}]}`, nil, imageinfo.BindOptions{})
	err := imageinfo.Bind(d, m, imageinfo.BindOptions{})
	require.Error(t, err)
	assert.Equal(t, `repo r: no manifest platform matches platform 1.0/gone/Dockerfile (arm64, Linux, noble, product version "1.0.5", with tags)`, err.Error())
	assert.True(t, strings.HasPrefix(err.Error(), "repo r:"))
}

func TestPlatformFor(t *testing.T) {
	t.Parallel()
	m := loadManifest(t, bindManifest, bindDockerfiles...)
	mp := m.RepoByName("r").Images[0].Platforms[1]
	p := imageinfo.PlatformFor(mp)
	assert.Equal(t, "1.0/noble/Dockerfile", p.Dockerfile)
	assert.Equal(t, []string{"1.0-noble-arm32v7"}, p.SimpleTags)
	assert.Equal(t, "arm32", p.Architecture)
	assert.Equal(t, "Linux", p.OSType)
	assert.Equal(t, "noble", p.OSVersion)
	assert.Same(t, mp, p.ManifestPlatform())
	img := &imageinfo.Image{}
	assert.Equal(t, "1.0/noble/Dockerfile-arm32-Linux-noble-1.0", img.PlatformIdentifier(p))
}
