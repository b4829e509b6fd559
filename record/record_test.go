package record_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/record"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
)

var (
	amd64 = registry.Platform{OS: "linux", Architecture: "amd64"}
	arm64 = registry.Platform{OS: "linux", Architecture: "arm64"}
)

// fixture is a registry holding a multi-platform base, and a manifest of two images: a
// runtime for two platforms on that base, and an sdk built on the amd64 runtime.
type fixture struct {
	srv   *registrytest.Server
	host  string
	base  registrytest.Index
	graph *depgraph.Graph
	reg   *remote.Client
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	srv := registrytest.New()
	t.Cleanup(srv.Close)
	f := &fixture{srv: srv, host: srv.Host()}
	var err error
	f.base, err = srv.PushIndex("ext/base", "1", ocispec.MediaTypeImageIndex, amd64, arm64)
	require.NoError(t, err)
	fsys := fstest.MapFS{
		"manifest.json": {Data: []byte(fmt.Sprintf(`{"registry": %q, "repos": [
		  {"name": "app/runtime", "images": [{"productVersion": "1.0", "sharedTags": {"1.0": {}}, "platforms": [
		    {"os": "linux", "osVersion": "bookworm", "architecture": "amd64", "dockerfile": "src/runtime/amd64", "tags": {"1.0-amd64": {}}},
		    {"os": "linux", "osVersion": "bookworm", "architecture": "arm64", "dockerfile": "src/runtime/arm64", "tags": {"1.0-arm64": {}}}]}]},
		  {"name": "app/sdk", "images": [{"productVersion": "1.0.2", "platforms": [
		    {"os": "linux", "osVersion": "bookworm", "architecture": "amd64", "dockerfile": "src/sdk/Dockerfile.amd64", "tags": {"1.0.2-amd64": {}, "1.0-amd64": {}}}]}]}]}`, f.host))},
		"src/runtime/amd64/Dockerfile": {Data: []byte("ARG REPO=" + f.host + "/ext/base\nFROM $REPO:1\nCOPY . /\n")},
		"src/runtime/arm64/Dockerfile": {Data: []byte("ARG REPO=" + f.host + "/ext/base\nFROM $REPO:1\nCOPY . /\n")},
		"src/sdk/Dockerfile.amd64":     {Data: []byte("FROM " + f.host + "/app/runtime:1.0-amd64\nENV X=1\n")},
	}
	m, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
	require.NoError(t, err)
	f.graph, err = depgraph.Build(m, fsys, depgraph.Options{})
	require.NoError(t, err)
	f.reg, err = remote.New(remote.WithDockerConfig(t.TempDir()), remote.WithBackoff(time.Millisecond))
	require.NoError(t, err)
	return f
}

var created = time.Date(2026, 8, 10, 16, 57, 8, 754589900, time.UTC)

// build pushes an image as buildah does: annotated with the base it was built on.
func (f *fixture) build(t *testing.T, repo string, p registry.Platform, baseName string, baseDigest digest.Digest, tags ...string) digest.Digest {
	t.Helper()
	ann := map[string]string{}
	if baseName != "" {
		ann[registry.AnnotationBaseName] = baseName
		ann[registry.AnnotationBaseDigest] = baseDigest.String()
	}
	desc, err := registrytest.PushBuiltImage(context.Background(), f.srv.Target(repo), registrytest.BuiltImage{Platform: p, Created: created, Annotations: ann}, tags...)
	require.NoError(t, err)
	return desc.Digest
}

// buildAll builds the three platforms on the base as it is now.
func (f *fixture) buildAll(t *testing.T) (runtimeAMD64, runtimeARM64, sdk digest.Digest) {
	baseName := f.host + "/ext/base:1"
	runtimeAMD64 = f.build(t, "app/runtime", amd64, baseName, f.base.PlatformDigest(amd64), "1.0-amd64", "1.0")
	runtimeARM64 = f.build(t, "app/runtime", arm64, baseName, f.base.PlatformDigest(arm64), "1.0-arm64")
	sdk = f.build(t, "app/sdk", amd64, f.host+"/app/runtime:1.0-amd64", runtimeAMD64, "1.0.2-amd64", "1.0-amd64")
	return runtimeAMD64, runtimeARM64, sdk
}

// check runs the stale check of doc against the registry as it is now.
func (f *fixture) check(t *testing.T, doc *imageinfo.Document) []string {
	t.Helper()
	data := imageinfo.Marshal(doc)
	records, err := depgraph.LoadImageInfoRecords("image-info.json", data, f.graph.Manifest)
	require.NoError(t, err)
	refs := f.graph.Lookups(records, depgraph.CheckOptions{})
	digests := map[string]string{}
	for _, ref := range refs {
		d, err := f.reg.Digest(context.Background(), ref)
		require.NoError(t, err)
		digests[ref] = d.String()
	}
	return depgraph.Stale(f.graph, records, depgraph.MapLookup(digests), depgraph.CheckOptions{}).Paths()
}

func TestRecordReadsAsUpToDate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rAMD64, rARM64, sdk := f.buildAll(t)
	rec := &record.Recorder{Registry: f.reg, CommitURL: "https://github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567"}
	f.srv.ResetRequests()
	doc, got, err := rec.Record(context.Background(), f.graph, f.graph.Manifest.Platforms())
	require.NoError(t, err)
	require.Len(t, got, 3)
	// Per platform: HEAD of each tag, GET of its manifest and config; one GET of the base
	// index for the two platforms built on it.
	count := func(method, kind string) int {
		return f.srv.CountRequests(func(r registrytest.Request) bool { return r.Method == method && strings.Contains(r.Path, kind) })
	}
	assert.Equal(t, 4, count("HEAD", "/manifests/"), "three first tags and the sdk's second tag")
	assert.Equal(t, 3+1, count("GET", "/manifests/"), "three images and the base index once")
	assert.Equal(t, 3, count("GET", "/blobs/"), "three configs")
	for _, p := range got {
		assert.Equal(t, "annotation", p.BaseSource)
		assert.False(t, p.BaseMoved)
	}

	data := imageinfo.Marshal(doc)
	h := f.host
	layer := func(d digest.Digest) string {
		img, err := f.reg.Image(context.Background(), h+"/app/runtime@"+d.String())
		require.NoError(t, err)
		return fmt.Sprintf(`{
                  "digest": "%s",
                  "size": %d
                }`, img.Layers[0].Digest, img.Layers[0].Size)
	}
	sdkImg, err := f.reg.Image(context.Background(), h+"/app/sdk@"+sdk.String())
	require.NoError(t, err)
	want := `{
  "schemaVersion": "2.0",
  "repos": [
    {
      "repo": "app/runtime",
      "images": [
        {
          "productVersion": "1.0",
          "manifest": {
            "sharedTags": [
              "1.0"
            ]
          },
          "platforms": [
            {
              "dockerfile": "src/runtime/amd64/Dockerfile",
              "simpleTags": [
                "1.0-amd64"
              ],
              "digest": "` + h + `/app/runtime@` + rAMD64.String() + `",
              "baseImageDigest": "` + h + `/ext/base@` + f.base.Digest.String() + `",
              "osType": "Linux",
              "osVersion": "bookworm",
              "architecture": "amd64",
              "created": "2026-08-10T16:57:08.7545899Z",
              "commitUrl": "https://github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567/src/runtime/amd64/Dockerfile",
              "layers": [
                ` + layer(rAMD64) + `
              ]
            },
            {
              "dockerfile": "src/runtime/arm64/Dockerfile",
              "simpleTags": [
                "1.0-arm64"
              ],
              "digest": "` + h + `/app/runtime@` + rARM64.String() + `",
              "baseImageDigest": "` + h + `/ext/base@` + f.base.Digest.String() + `",
              "osType": "Linux",
              "osVersion": "bookworm",
              "architecture": "arm64",
              "created": "2026-08-10T16:57:08.7545899Z",
              "commitUrl": "https://github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567/src/runtime/arm64/Dockerfile",
              "layers": [
                ` + layer(rARM64) + `
              ]
            }
          ]
        }
      ]
    },
    {
      "repo": "app/sdk",
      "images": [
        {
          "productVersion": "1.0.2",
          "platforms": [
            {
              "dockerfile": "src/sdk/Dockerfile.amd64",
              "simpleTags": [
                "1.0-amd64",
                "1.0.2-amd64"
              ],
              "digest": "` + h + `/app/sdk@` + sdk.String() + `",
              "baseImageDigest": "` + h + `/app/runtime@` + rAMD64.String() + `",
              "osType": "Linux",
              "osVersion": "bookworm",
              "architecture": "amd64",
              "created": "2026-08-10T16:57:08.7545899Z",
              "commitUrl": "https://github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567/src/sdk/Dockerfile.amd64",
              "layers": [
                {
                  "digest": "` + sdkImg.Layers[0].Digest.String() + `",
                  "size": ` + fmt.Sprint(sdkImg.Layers[0].Size) + `
                }
              ]
            }
          ]
        }
      ]
    }
  ]
}
`
	assert.Equal(t, want, string(data))

	// What was recorded is up to date; once the base moves, every platform on it and the
	// sdk built on one of them are stale.
	assert.Empty(t, f.check(t, doc))
	_, err = f.srv.MoveTag("ext/base", "1")
	require.NoError(t, err)
	assert.Equal(t, []string{"src/runtime/amd64", "src/sdk/Dockerfile.amd64", "src/runtime/arm64"}, f.check(t, doc))
}

// TestRecordBaseMovedDuringBuild: the base tag moved between the build pulling it and the
// record being written. The record keeps the digest built on, and the check reads it stale.
func TestRecordBaseMovedDuringBuild(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.buildAll(t)
	_, err := f.srv.MoveTag("ext/base", "1")
	require.NoError(t, err)

	doc, got, err := (&record.Recorder{Registry: f.reg}).Record(context.Background(), f.graph, f.graph.Manifest.Platforms())
	require.NoError(t, err)
	assert.True(t, got[0].BaseMoved)
	assert.Equal(t, f.host+"/ext/base@"+f.base.PlatformDigest(amd64).String(), *got[0].Built.BaseImageDigest)
	assert.True(t, got[1].BaseMoved)
	assert.False(t, got[2].BaseMoved, "an internal base is not mapped")
	assert.Equal(t, []string{"src/runtime/amd64", "src/sdk/Dockerfile.amd64", "src/runtime/arm64"}, f.check(t, doc))
}

// TestRecordSingleManifestBase: a base tag that points to one image manifest records that
// manifest's digest, and reads stale once it moves.
func TestRecordSingleManifestBase(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	single, err := f.srv.PushImage("ext/base", "1", amd64)
	require.NoError(t, err)
	f.build(t, "app/runtime", amd64, f.host+"/ext/base:1", single, "1.0-amd64", "1.0")
	amd := f.graph.Manifest.Platforms()[0]
	doc, _, err := (&record.Recorder{Registry: f.reg}).Record(context.Background(), f.graph, []*manifest.Platform{amd})
	require.NoError(t, err)
	assert.Equal(t, f.host+"/ext/base@"+single.String(), *doc.Repos[0].Images[0].Platforms[0].BaseImageDigest)
}

func TestRecordBaseDigestFlag(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.build(t, "app/runtime", amd64, "", "", "1.0-amd64", "1.0")
	amd := f.graph.Manifest.Platforms()[0]

	_, _, err := (&record.Recorder{Registry: f.reg}).Record(context.Background(), f.graph, []*manifest.Platform{amd})
	require.ErrorIs(t, err, record.ErrNoBaseDigest)
	assert.Contains(t, err.Error(), "platform app/runtime:1.0-amd64 (src/runtime/amd64)")
	assert.Contains(t, err.Error(), "--base-digest "+f.host+"/ext/base:1=DIGEST")

	// The flag takes the platform digest (as pulled) or the index digest; both record the
	// tag's index digest.
	for _, given := range []string{f.base.PlatformDigest(amd64).String(), f.host + "/ext/base@" + f.base.Digest.String()} {
		rec := &record.Recorder{Registry: f.reg, BaseDigests: map[string]string{f.host + "/ext/base:1": given}}
		doc, got, err := rec.Record(context.Background(), f.graph, []*manifest.Platform{amd})
		require.NoError(t, err, given)
		assert.Equal(t, "flag", got[0].BaseSource)
		assert.Equal(t, f.host+"/ext/base@"+f.base.Digest.String(), *doc.Repos[0].Images[0].Platforms[0].BaseImageDigest)
	}
}

// TestRecordFinalStageFromStage: buildah annotates an image whose final stage is FROM an
// earlier stage with the stage image's digest; that is not taken for the base's.
func TestRecordFinalStageFromStage(t *testing.T) {
	t.Parallel()
	srv := registrytest.New()
	t.Cleanup(srv.Close)
	host := srv.Host()
	base, err := srv.PushIndex("ext/base", "1", ocispec.MediaTypeImageIndex, amd64)
	require.NoError(t, err)
	fsys := fstest.MapFS{
		"manifest.json": {Data: []byte(`{"repos": [{"name": "app", "images": [{"platforms": [
		  {"os": "linux", "osVersion": "v", "dockerfile": "src", "tags": {"1": {}}}]}]}]}`)},
		"src/Dockerfile": {Data: []byte("FROM " + host + "/ext/base:1 AS final\nCOPY . /\nFROM final\nENV X=1\n")},
	}
	m, err := manifest.Load(fsys, "manifest.json", manifest.Options{RegistryOverride: host})
	require.NoError(t, err)
	g, err := depgraph.Build(m, fsys, depgraph.Options{})
	require.NoError(t, err)
	stageImage := digest.FromString("the intermediate stage image")
	_, err = registrytest.PushBuiltImage(context.Background(), srv.Target("app"), registrytest.BuiltImage{Platform: amd64,
		Annotations: map[string]string{registry.AnnotationBaseName: host + "/ext/base:1", registry.AnnotationBaseDigest: stageImage.String()}}, "1")
	require.NoError(t, err)
	reg, err := remote.New(remote.WithDockerConfig(t.TempDir()))
	require.NoError(t, err)

	_, _, err = (&record.Recorder{Registry: reg}).Record(context.Background(), g, m.Platforms())
	require.ErrorIs(t, err, record.ErrNoBaseDigest)
	assert.Contains(t, err.Error(), "the final stage is FROM stage final")
	doc, got, err := (&record.Recorder{Registry: reg, BaseDigests: map[string]string{host + "/ext/base:1": base.Digest.String()}}).Record(context.Background(), g, m.Platforms())
	require.NoError(t, err)
	assert.Equal(t, "flag", got[0].BaseSource)
	assert.Equal(t, host+"/ext/base@"+base.Digest.String(), *doc.Repos[0].Images[0].Platforms[0].BaseImageDigest)
}

// TestRecordLabels: a classic docker build labels the config with the same keys.
func TestRecordLabels(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := registrytest.PushBuiltImage(context.Background(), f.srv.Target("app/runtime"), registrytest.BuiltImage{Platform: amd64,
		Labels: map[string]string{registry.AnnotationBaseName: f.host + "/ext/base:1", registry.AnnotationBaseDigest: f.base.Digest.String()}}, "1.0-amd64")
	require.NoError(t, err)
	amd := f.graph.Manifest.Platforms()[0]
	doc, got, err := (&record.Recorder{Registry: f.reg}).Record(context.Background(), f.graph, []*manifest.Platform{amd})
	require.NoError(t, err)
	assert.Equal(t, "label", got[0].BaseSource)
	assert.Equal(t, f.host+"/ext/base@"+f.base.Digest.String(), *doc.Repos[0].Images[0].Platforms[0].BaseImageDigest)
}

func TestRecordErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	platforms := f.graph.Manifest.Platforms()
	baseName := f.host + "/ext/base:1"
	// amd64 tag holds an arm64 image; arm64 was never pushed; sdk was built on another base.
	f.build(t, "app/runtime", arm64, baseName, f.base.PlatformDigest(arm64), "1.0-amd64")
	f.build(t, "app/sdk", amd64, f.host+"/other:1", f.base.PlatformDigest(amd64), "1.0.2-amd64", "1.0-amd64")

	_, _, err := (&record.Recorder{Registry: f.reg}).Record(context.Background(), f.graph, platforms)
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, "platform app/runtime:1.0-amd64 (src/runtime/amd64): image "+f.host+"/app/runtime:1.0-amd64: the manifest says linux/amd64 but the image is \"linux/arm64\"")
	assert.Contains(t, msg, "platform app/runtime:1.0-arm64 (src/runtime/arm64): image "+f.host+"/app/runtime:1.0-arm64:")
	assert.Contains(t, msg, "not found")
	assert.Contains(t, msg, "platform app/sdk:1.0.2-amd64 (src/sdk/Dockerfile.amd64): image "+f.host+"/app/sdk:1.0.2-amd64 was built on \""+f.host+"/other:1\", but the Dockerfile's final stage is FROM "+f.host+"/app/runtime:1.0-amd64")
	var re *record.Error
	require.True(t, errors.As(err, &re))
	assert.Equal(t, 3, strings.Count(msg, "platform app/"))
}

// TestRecordCommitURLCredentials: a commitUrl is published in image-info, so a commit URL
// carrying credentials is refused before anything is read, and the error does not repeat
// them.
func TestRecordCommitURLCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.buildAll(t)
	for _, u := range []string{
		"https://bob:ghp_s3cret@github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567",
		"https://ghp_s3cret@github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567",
	} {
		rec := &record.Recorder{Registry: f.reg, CommitURL: u}
		doc, _, err := rec.Record(context.Background(), f.graph, f.graph.Manifest.Platforms())
		require.Error(t, err, u)
		assert.Nil(t, doc)
		assert.Contains(t, err.Error(), "commit URL https://")
		assert.Contains(t, err.Error(), "github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567: carries credentials")
		assert.NotContains(t, err.Error(), "s3cret")
	}
	for _, u := range []string{"github.com/o/r/blob/abc", "ftp://github.com/o/r", "https:///o/r"} {
		_, _, err := (&record.Recorder{Registry: f.reg, CommitURL: u}).Record(context.Background(), f.graph, f.graph.Manifest.Platforms())
		assert.ErrorContains(t, err, "want an http or https URL", u)
	}
}

// TestRecordStopsWhenCanceled: once the context is done (a signal, a timeout), no further
// platform is read, and the error is the context's, reported once.
func TestRecordStopsWhenCanceled(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.buildAll(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("terminated signal received"))
	doc, got, err := (&record.Recorder{Registry: f.reg}).Record(ctx, f.graph, f.graph.Manifest.Platforms())
	require.Error(t, err)
	assert.Nil(t, doc)
	assert.Empty(t, got)
	assert.Equal(t, "record: stopped before platform "+f.graph.Manifest.Platforms()[0].String()+": terminated signal received", err.Error())
	assert.ErrorIs(t, err, context.Canceled)
}

// TestRecordTagsFromDifferentBuilds: every tag of a platform must name the image recorded;
// a tag pushed by another build is an error naming both tags, and nothing is recorded.
func TestRecordTagsFromDifferentBuilds(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	runtimeAMD64, runtimeARM64, sdk := f.buildAll(t)
	other := f.build(t, "app/sdk", amd64, f.host+"/app/runtime:1.0-amd64", runtimeARM64, "1.0-amd64")
	require.NotEqual(t, sdk, other)
	require.NotEqual(t, runtimeAMD64, other)

	doc, _, err := (&record.Recorder{Registry: f.reg}).Record(context.Background(), f.graph, f.graph.Manifest.Platforms())
	require.Error(t, err)
	assert.Nil(t, doc)
	assert.Contains(t, err.Error(), "platform app/sdk:1.0.2-amd64 (src/sdk/Dockerfile.amd64): tag "+f.host+"/app/sdk:1.0.2-amd64 points to "+sdk.String()+
		" but "+f.host+"/app/sdk:1.0-amd64 to "+other.String()+": the tags were pushed from different builds")
	assert.Equal(t, 1, strings.Count(err.Error(), "platform app/"))
}

// TestRecordHostileImageValues: the base name and the platform come from the pushed image, so
// an error quotes them rather than letting them write lines or terminal controls of their own.
func TestRecordHostileImageValues(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.buildAll(t)
	f.build(t, "app/runtime", arm64, "evil\x1b[2J\nrecorded app/runtime", f.base.PlatformDigest(arm64), "1.0-arm64")
	f.build(t, "app/runtime", registry.Platform{OS: "linux\nrecorded app/runtime", Architecture: "amd64"}, f.host+"/ext/base:1", f.base.PlatformDigest(amd64), "1.0-amd64")

	_, _, err := (&record.Recorder{Registry: f.reg}).Record(context.Background(), f.graph, f.graph.Manifest.Platforms())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `was built on "evil\x1b[2J\nrecorded app/runtime", but`)
	assert.Contains(t, err.Error(), `the manifest says linux/amd64 but the image is "linux\nrecorded app/runtime/amd64"`)
	lines := strings.Split(err.Error(), "\n")
	assert.Len(t, lines, 2, "one line per failing platform")
	for _, line := range lines {
		assert.True(t, strings.HasPrefix(line, "platform app/runtime:1.0-"), line)
	}
	assert.NotContains(t, err.Error(), "\x1b")
}
