package record_test

import (
	"context"
	"fmt"
	"os"
	"testing/fstest"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/record"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
)

// Example records an image buildah built for amd64 on a multi-platform base: buildah
// annotates the platform digest it pulled, and the record names the tag's index digest,
// which the check compares.
func Example() {
	ctx := context.Background()
	srv := registrytest.New()
	defer srv.Close()
	amd64 := registry.Platform{OS: "linux", Architecture: "amd64"}
	base, _ := srv.PushIndex("os", "1", ocispec.MediaTypeImageIndex, amd64, registry.Platform{OS: "linux", Architecture: "arm64"})
	_, _ = registrytest.PushBuiltImage(ctx, srv.Target("demo/app"), registrytest.BuiltImage{Platform: amd64, Annotations: map[string]string{
		registry.AnnotationBaseName:   srv.Host() + "/os:1",
		registry.AnnotationBaseDigest: base.PlatformDigest(amd64).String(),
	}}, "1.0")

	fsys := fstest.MapFS{
		"manifest.json": {Data: []byte(`{"registry": "` + srv.Host() + `", "repos": [{"name": "demo/app", "images": [{"platforms": [
		  {"os": "linux", "osVersion": "scratch", "dockerfile": "src/app", "tags": {"1.0": {}}}]}]}]}`)},
		"src/app/Dockerfile": {Data: []byte("FROM " + srv.Host() + "/os:1\nCOPY app /app\n")},
	}
	m, _ := manifest.Load(fsys, "manifest.json", manifest.Options{})
	g, _ := depgraph.Build(m, fsys, depgraph.Options{})
	dockerConfig, _ := os.MkdirTemp("", "docker-config")
	defer os.RemoveAll(dockerConfig)
	client, _ := remote.New(remote.WithDockerConfig(dockerConfig))

	doc, got, err := (&record.Recorder{Registry: client}).Record(ctx, g, m.Platforms())
	if err != nil {
		fmt.Println(err)
		return
	}
	p := doc.Repos[0].Images[0].Platforms[0]
	fmt.Println(p.Dockerfile, p.OSType, p.Architecture, p.SimpleTags)
	fmt.Println("base digest from the", got[0].BaseSource)
	fmt.Println("recorded as the tag's index digest:", *p.BaseImageDigest == srv.Host()+"/os@"+base.Digest.String())
	// Output:
	// src/app/Dockerfile Linux amd64 [1.0]
	// base digest from the annotation
	// recorded as the tag's index digest: true
}
