package imageinfo_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/imageinfo"
)

func plat(dockerfile, arch, osVersion string, tags ...string) *imageinfo.Platform {
	return &imageinfo.Platform{Dockerfile: dockerfile, Architecture: arch, OSType: "Linux", OSVersion: osVersion, SimpleTags: tags}
}

func TestPlatformIdentifier(t *testing.T) {
	t.Parallel()
	p := plat("src/a/Dockerfile", "amd64", "noble", "t")
	assert.Equal(t, "src/a/Dockerfile-amd64-Linux-noble-5.0", (&imageinfo.Image{ProductVersion: new("5.0.0-preview.3")}).PlatformIdentifier(p))
	assert.Equal(t, "src/a/Dockerfile-amd64-Linux-noble-10.0", (&imageinfo.Image{ProductVersion: new("10.0.11")}).PlatformIdentifier(p))
	// No product version: the identifier ends in "-".
	assert.Equal(t, "src/a/Dockerfile-amd64-Linux-noble-", (&imageinfo.Image{}).PlatformIdentifier(p))

	// A bound platform takes the major.minor of the manifest image it is bound to.
	d, _ := boundDotnetDocker(t)
	img := d.Repos[1].Images[0]
	assert.Equal(t, "src/aspnet/10.0/alpine3.23-composite-extra/amd64/Dockerfile-amd64-Linux-alpine3.23-10.0",
		(&imageinfo.Image{ProductVersion: new("99.9")}).PlatformIdentifier(img.Platforms[0]))
}

func TestSamePlatform(t *testing.T) {
	t.Parallel()
	v1 := &imageinfo.Image{ProductVersion: new("1.0.1")}
	v1b := &imageinfo.Image{ProductVersion: new("1.0.7")}
	v2 := &imageinfo.Image{ProductVersion: new("2.0.1")}
	base := plat("d/Dockerfile", "amd64", "noble", "a")
	tests := []struct {
		name  string
		bi    *imageinfo.Image
		b     *imageinfo.Platform
		equal bool
	}{
		{"same, other tag names", v1, plat("d/Dockerfile", "amd64", "noble", "b", "c"), true},
		{"same major.minor", v1b, plat("d/Dockerfile", "amd64", "noble", "a"), true},
		{"other major.minor", v2, plat("d/Dockerfile", "amd64", "noble", "a"), false},
		{"no tags", v1, plat("d/Dockerfile", "amd64", "noble"), false},
		{"architecture", v1, plat("d/Dockerfile", "arm64", "noble", "a"), false},
		{"os version", v1, plat("d/Dockerfile", "amd64", "jammy", "a"), false},
		{"dockerfile", v1, plat("e/Dockerfile", "amd64", "noble", "a"), false},
		{"os type", v1, &imageinfo.Platform{Dockerfile: "d/Dockerfile", Architecture: "amd64", OSType: "Windows", OSVersion: "noble", SimpleTags: []string{"a"}}, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.equal, imageinfo.SamePlatform(v1, base, tt.bi, tt.b), tt.name)
		assert.Equal(t, tt.equal, imageinfo.SamePlatform(tt.bi, tt.b, v1, base), tt.name+" (symmetric)")
	}
}

func TestSameImage(t *testing.T) {
	t.Parallel()
	withTags := func(pv string, shared []string, platforms ...*imageinfo.Platform) *imageinfo.Image {
		img := &imageinfo.Image{ProductVersion: new(pv), Platforms: platforms}
		if shared != nil {
			img.Manifest = &imageinfo.ManifestData{SharedTags: shared}
		}
		return img
	}
	amd := plat("d/Dockerfile", "amd64", "noble", "1.0-amd64")
	arm := plat("d/Dockerfile", "arm64", "noble", "1.0-arm64")
	tests := []struct {
		name string
		a, b *imageinfo.Image
		same bool
	}{
		{"a platform in common", withTags("1.0.1", nil, amd), withTags("1.0.1", nil, arm, amd), true},
		{"equivalent versions", withTags("1.0.1", nil, amd), withTags("1.0.2", nil, amd), true},
		{"shared tags in common, disjoint platforms", withTags("1.0.1", []string{"1.0", "latest"}, amd), withTags("1.0.1", []string{"latest"}, arm), true},
		{"disjoint platforms and shared tags", withTags("1.0.1", []string{"1.0"}, amd), withTags("1.0.1", []string{"1.0-noble"}, arm), false},
		{"disjoint platforms, no shared tags", withTags("1.0.1", nil, amd), withTags("1.0.1", nil, arm), false},
		{"other versions", withTags("1.0.1", []string{"x"}, amd), withTags("2.0.1", []string{"x"}, amd), false},
		{"previews differ", withTags("3.0.0-preview.1", nil, amd), withTags("3.0.0-preview.2", nil, amd), false},
		{"no platforms", withTags("1.0.1", nil), withTags("1.0.1", nil), false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.same, imageinfo.SameImage(tt.a, tt.b), tt.name)
		assert.Equal(t, tt.same, imageinfo.SameImage(tt.b, tt.a), tt.name+" (symmetric)")
	}

	// Bound images are the same when bound to the same manifest image, whatever they hold.
	d, _ := boundDotnetDocker(t)
	imgs := d.Repos[1].Images
	assert.True(t, imageinfo.SameImage(imgs[0], imgs[0].Clone()))
	assert.False(t, imageinfo.SameImage(imgs[0], imgs[1]))
	emptied := imgs[0].Clone()
	emptied.Platforms, emptied.ProductVersion = nil, new("0.1")
	assert.True(t, imageinfo.SameImage(imgs[0], emptied))
	// A bound image is never the same as an unbound one.
	unbound := parseFile(t, dotnetDockerInfo).Repos[1].Images[0]
	assert.False(t, imageinfo.SameImage(imgs[0], unbound))
	assert.True(t, imageinfo.SameImage(unbound, parseFile(t, dotnetDockerInfo).Repos[1].Images[0]))
}

func TestSortReproducesRealFileOrder(t *testing.T) {
	t.Parallel()
	want := readFile(t, dotnetDockerInfo)
	for _, bound := range []bool{false, true} {
		d := parseFile(t, dotnetDockerInfo)
		if bound {
			require.NoError(t, imageinfo.Bind(d, dotnetDockerManifest(t), imageinfo.BindOptions{}))
		}
		// Shuffle every list, then sort.
		rng := rand.New(rand.NewPCG(1, 2))
		shuffle := func(n int, swap func(i, j int)) { rng.Shuffle(n, swap) }
		shuffle(len(d.Repos), func(i, j int) { d.Repos[i], d.Repos[j] = d.Repos[j], d.Repos[i] })
		for _, r := range d.Repos {
			shuffle(len(r.Images), func(i, j int) { r.Images[i], r.Images[j] = r.Images[j], r.Images[i] })
			for _, img := range r.Images {
				shuffle(len(img.Platforms), func(i, j int) { img.Platforms[i], img.Platforms[j] = img.Platforms[j], img.Platforms[i] })
				for _, p := range img.Platforms {
					shuffle(len(p.SimpleTags), func(i, j int) { p.SimpleTags[i], p.SimpleTags[j] = p.SimpleTags[j], p.SimpleTags[i] })
				}
			}
		}
		imageinfo.Sort(d)
		assert.Equal(t, string(want), string(imageinfo.Marshal(d)), "bound=%v", bound)
	}
}

func TestSortOrder(t *testing.T) {
	t.Parallel()
	// Product versions compare as strings: "10.0.11" < "8.0.30" < "9.0.19"; images without a
	// version come first, images without platforms last among equal versions; platforms by
	// identifier, where "-" sorts before "." ("Dockerfile-..." before "Dockerfile.linux-...");
	// the same identifier without tags before with tags.
	d := parse(t, `{"schemaVersion": "2.0", "repos": [
	  {"repo": "z"},
	  {"repo": "a", "images": [
	    {"productVersion": "9.0.19", "platforms": [{"dockerfile": "x", "digest": "", "osType": "Linux", "osVersion": "noble", "architecture": "amd64", "commitUrl": ""}]},
	    {"productVersion": "8.0.30"},
	    {"productVersion": "8.0.30", "platforms": [
	      {"dockerfile": "Dockerfile.linux", "simpleTags": ["b", "a"], "digest": "", "osType": "Linux", "osVersion": "noble", "architecture": "amd64", "commitUrl": ""},
	      {"dockerfile": "Dockerfile", "simpleTags": ["t"], "digest": "", "osType": "Linux", "osVersion": "noble", "architecture": "amd64", "commitUrl": ""},
	      {"dockerfile": "Dockerfile", "digest": "", "osType": "Linux", "osVersion": "noble", "architecture": "amd64", "commitUrl": ""}
	    ]},
	    {"productVersion": "10.0.11", "platforms": [{"dockerfile": "y", "digest": "", "osType": "Linux", "osVersion": "noble", "architecture": "amd64", "commitUrl": ""}]},
	    {"platforms": [{"dockerfile": "w", "digest": "", "osType": "Linux", "osVersion": "noble", "architecture": "amd64", "commitUrl": ""}]}
	  ]},
	  {"repo": "a/b"},
	  {"repo": "a-b"}
	]}`, nil, imageinfo.BindOptions{})
	imageinfo.Sort(d)

	var repos []string
	for _, r := range d.Repos {
		repos = append(repos, r.Repo)
	}
	assert.Equal(t, []string{"a", "a-b", "a/b", "z"}, repos)
	var order []string
	for _, img := range d.Repos[0].Images {
		label := "<nil>"
		if img.ProductVersion != nil {
			label = *img.ProductVersion
		}
		for _, p := range img.Platforms {
			label += " " + img.PlatformIdentifier(p)
			if p.HasTags() {
				label += "+tags"
			}
		}
		order = append(order, label)
	}
	assert.Equal(t, []string{
		"<nil> w-amd64-Linux-noble-",
		"10.0.11 y-amd64-Linux-noble-10.0",
		"8.0.30 Dockerfile-amd64-Linux-noble-8.0 Dockerfile-amd64-Linux-noble-8.0+tags Dockerfile.linux-amd64-Linux-noble-8.0+tags",
		"8.0.30",
		"9.0.19 x-amd64-Linux-noble-9.0",
	}, order)
	assert.Equal(t, []string{"a", "b"}, d.Repos[0].Images[2].Platforms[2].SimpleTags)
}

func TestSortIsDeterministicOnIllFormedInput(t *testing.T) {
	t.Parallel()
	// Unbound images among bound ones, duplicate identities, missing versions: ImageBuilder
	// throws or orders them arbitrarily; here the result is the same from any starting order.
	d, _ := boundDotnetDocker(t)
	extra := parseFile(t, dotnetDockerInfo).Repos[1].Images[:3] // unbound copies
	r := d.Repos[1]
	r.Images = append(r.Images, extra...)
	r.Images = append(r.Images, &imageinfo.Image{}, &imageinfo.Image{ProductVersion: new("")})
	imageinfo.Sort(d)
	want := imageinfo.Marshal(d)
	for seed := range uint64(5) {
		c := d.Clone()
		rng := rand.New(rand.NewPCG(seed, seed))
		imgs := c.Repos[1].Images
		rng.Shuffle(len(imgs), func(i, j int) { imgs[i], imgs[j] = imgs[j], imgs[i] })
		imageinfo.Sort(c)
		// Equal images keep their relative order, and here equal images are identical.
		assert.Equal(t, string(want), string(imageinfo.Marshal(c)))
	}
	assert.True(t, slices.IsSortedFunc(d.Repos, func(a, b *imageinfo.Repo) int {
		return compareStrings(a.Repo, b.Repo)
	}))
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
