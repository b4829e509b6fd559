package reliability_test

import (
	"encoding/json"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/remote"
	"github.com/baseflow/baseflow/subscription"
)

// platformSpec is one platform of the test application: its Dockerfile directory under src/,
// the Dockerfile, and the base digest image-info records for it ("" records none).
type platformSpec struct {
	dir        string
	dockerfile string
	recorded   string
}

// from returns a platform built FROM base, with recorded as its image-info base digest.
func from(dir, base, recorded string) platformSpec {
	return platformSpec{dir: dir, dockerfile: "FROM " + base + "\n", recorded: recorded}
}

// appSubscription is the subscription to the test application: acme/app@main manifest.json,
// with its image-info in acme/versions@main.
var appSubscription = subscription.Subscription{
	Manifest:        subscription.ManifestFile{Owner: "acme", Repo: "app", Branch: "main", Path: "manifest.json"},
	ImageInfo:       subscription.GitFile{Owner: "acme", Repo: "versions", Branch: "main", Path: "image-info.json"},
	PipelineTrigger: subscription.PipelineTrigger{ID: 7, PathVariable: "imageBuilder.pathArgs"},
}

// appFiles returns the application repository (manifest.json and one Dockerfile per platform,
// all platforms of one image of repo acme/app) and the versions repository (image-info.json
// recording every platform).
func appFiles(platforms ...platformSpec) (app, versions fstest.MapFS) {
	type tag struct{}
	type platform struct {
		Dockerfile string         `json:"dockerfile"`
		OS         string         `json:"os"`
		OSVersion  string         `json:"osVersion"`
		Tags       map[string]tag `json:"tags"`
	}
	app = fstest.MapFS{}
	var mps []platform
	var ips []*imageinfo.Platform
	for _, p := range platforms {
		mps = append(mps, platform{Dockerfile: "src/" + p.dir, OS: "linux", OSVersion: "noble", Tags: map[string]tag{p.dir: {}}})
		app["src/"+p.dir+"/Dockerfile"] = &fstest.MapFile{Data: []byte(p.dockerfile)}
		ip := &imageinfo.Platform{
			Dockerfile: "src/" + p.dir + "/Dockerfile", SimpleTags: []string{p.dir},
			Digest: "reg.example/acme/app@sha256:" + zeros, OSType: "Linux", OSVersion: "noble", Architecture: "amd64",
			CommitURL: "https://example.com/acme/app/blob/0123456789012345678901234567890123456789/src/" + p.dir + "/Dockerfile",
		}
		if p.recorded != "" {
			ip.BaseImageDigest = &p.recorded
		}
		ips = append(ips, ip)
	}
	m, err := json.Marshal(map[string]any{"registry": "reg.example", "repos": []any{map[string]any{
		"name": "acme/app", "images": []any{map[string]any{"productVersion": "1.0", "platforms": mps}}}}})
	if err != nil {
		panic(err)
	}
	app["manifest.json"] = &fstest.MapFile{Data: m}
	version := "1.0"
	doc := &imageinfo.Document{Repos: []*imageinfo.Repo{{Repo: "acme/app", Images: []*imageinfo.Image{{ProductVersion: &version, Platforms: ips}}}}}
	versions = fstest.MapFS{"image-info.json": &fstest.MapFile{Data: imageinfo.Marshal(doc)}}
	return app, versions
}

const zeros = "0000000000000000000000000000000000000000000000000000000000000000"

// appSource serves the application and versions repositories built from platforms.
func appSource(platforms ...platformSpec) *memSource {
	app, versions := appFiles(platforms...)
	return newMemSource().add("acme", "app", "main", app).add("acme", "versions", "main", versions)
}

// newChecker is the check as the commands configure it: image-info read from the same source,
// bound as the stale check binds it.
func newChecker(src subscription.Source, resolver registry.Resolver) *check.Checker {
	return &check.Checker{Manifests: src, Resolver: resolver, LoadRecords: depgraph.LoadImageInfoRecords}
}

// newRemoteClient is a registry client for loopback registries that reads no credentials
// from the machine.
func newRemoteClient(t *testing.T, opts ...remote.Option) *remote.Client {
	t.Helper()
	c, err := remote.New(append([]remote.Option{remote.WithDockerConfig(t.TempDir())}, opts...)...)
	require.NoError(t, err)
	return c
}

// noRegistry is a resolver that knows no reference: every lookup fails as not found.
func noRegistry(t *testing.T) registry.Resolver {
	t.Helper()
	s, err := registry.NewStatic(nil)
	require.NoError(t, err)
	return s
}
