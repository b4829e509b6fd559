package depgraph_test

import (
	"fmt"
	"os"
	"testing/fstest"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/manifest"
)

// recorded is what an image-info file says about each platform, keyed by Dockerfile path.
type recorded map[string]string

func (recorded) NearMiss(*manifest.Platform) string { return "" }

func (r recorded) BaseImageDigest(p *manifest.Platform) (string, bool) {
	d, ok := r[p.Dockerfile]
	return d, ok
}

func ExampleStale() {
	fsys := fstest.MapFS{
		"manifest.json": {Data: []byte(`{"registry": "mcr.example.com", "repos": [
		  {"name": "runtime-deps", "images": [{"platforms": [{"dockerfile": "src/runtime-deps", "os": "linux", "osVersion": "alpine", "tags": {"1.0": {}}}]}]},
		  {"name": "runtime", "images": [{"platforms": [{"dockerfile": "src/runtime", "os": "linux", "osVersion": "alpine", "tags": {"1.0": {}},
		     "buildArgs": {"REPO": "$(Repo:runtime-deps)"}}]}]}]}`)},
		"src/runtime-deps/Dockerfile": {Data: []byte("FROM alpine:3.20\n")},
		"src/runtime/Dockerfile":      {Data: []byte("ARG REPO\nFROM golang:1.23 AS build\nFROM $REPO:1.0\n")},
	}
	m, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
	if err != nil {
		panic(err)
	}
	g, err := depgraph.Build(m, fsys, depgraph.Options{})
	if err != nil {
		panic(err)
	}
	records := recorded{
		"src/runtime-deps": "alpine@sha256:1111111111111111111111111111111111111111111111111111111111111111",
		"src/runtime":      "mcr.example.com/runtime-deps@sha256:aaaa",
	}
	fmt.Println("look up:", g.Lookups(records, depgraph.CheckOptions{}))
	current := depgraph.MapLookup(map[string]string{
		"alpine:3.20": "sha256:2222222222222222222222222222222222222222222222222222222222222222",
	})
	res := depgraph.Stale(g, records, current, depgraph.CheckOptions{})
	for _, img := range res.Images {
		fmt.Printf("%s: %s\n", img.Path, img.Reason)
	}
	fmt.Println("waves:", res.Waves())
	// Output:
	// look up: [alpine:3.20]
	// src/runtime-deps: base alpine:3.20 changed from sha256:111111111111 to sha256:222222222222
	// src/runtime: built on src/runtime-deps, rebuilt because src/runtime-deps: base alpine:3.20 changed from sha256:111111111111 to sha256:222222222222
	// waves: [[src/runtime-deps] [src/runtime]]
}

func ExampleGraph_Draw() {
	fsys := fstest.MapFS{
		"manifest.json": {Data: []byte(`{"registry": "mcr.example.com", "repos": [
		  {"name": "runtime-deps", "images": [{"platforms": [
		    {"dockerfile": "src/runtime-deps/amd64", "os": "linux", "osVersion": "alpine", "tags": {"1.0-amd64": {}}},
		    {"dockerfile": "src/runtime-deps/arm64", "os": "linux", "osVersion": "alpine", "architecture": "arm64", "tags": {"1.0-arm64": {}}}]}]},
		  {"name": "runtime", "images": [{"platforms": [
		    {"dockerfile": "src/runtime/amd64", "os": "linux", "osVersion": "alpine", "tags": {"1.0-amd64": {}}}]}]}]}`)},
		"src/runtime-deps/amd64/Dockerfile": {Data: []byte("FROM alpine:3.20\n")},
		"src/runtime-deps/arm64/Dockerfile": {Data: []byte("FROM alpine:3.20\n")},
		"src/runtime/amd64/Dockerfile":      {Data: []byte("FROM golang:1.23 AS build\nFROM mcr.example.com/runtime-deps:1.0-amd64\n")},
	}
	m, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
	if err != nil {
		panic(err)
	}
	g, err := depgraph.Build(m, fsys, depgraph.Options{})
	if err != nil {
		panic(err)
	}
	// One node per repo, without the builder stage's golang.
	d := g.Draw(depgraph.DrawOptions{Collapse: depgraph.CollapseRepo, FinalOnly: true})
	if err := d.WriteMermaid(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// flowchart LR
	//   r0["runtime-deps (2 platforms)"]
	//   e0(["alpine:3.20"])
	//   r1["runtime (1 platform)"]
	//   e0 --> r0
	//   r0 --> r1
}
