package watch_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/watch"
)

func TestFinalBases(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.source.set("octo", "images", "main", map[string]string{
		"manifest.json": `{"registry": "registry.example.com", "repos": [{"name": "app", "images": [
		  {"platforms": [{"dockerfile": "src/app", "os": "linux", "osVersion": "alpine3.20", "architecture": "amd64", "tags": {"1.0": {}}}]},
		  {"platforms": [{"dockerfile": "src/tool", "os": "linux", "osVersion": "bookworm", "architecture": "arm64", "tags": {"tool": {}}}]},
		  {"platforms": [{"dockerfile": "src/app-debug", "os": "linux", "osVersion": "alpine3.20", "architecture": "amd64", "tags": {"1.0-debug": {}}}]},
		  {"platforms": [{"dockerfile": "src/pinned", "os": "linux", "osVersion": "alpine3.20", "architecture": "amd64", "tags": {"pinned": {}}}]}]}]}`,
		"src/app/Dockerfile":       "ARG TAG=3.20\nFROM golang:1.24 AS build\nRUN make\nFROM alpine:$TAG AS final\nCOPY --from=build /app /app\n",
		"src/tool/Dockerfile":      "FROM debian:bookworm AS base\nFROM base\n",
		"src/app-debug/Dockerfile": "FROM registry.example.com/app:1.0\n",
		"src/pinned/Dockerfile":    "FROM alpine@" + string(alpineV1) + "\n",
	})
	tree, err := f.source.Tree(context.Background(), "octo", "images", "main")
	require.NoError(t, err)
	m, err := manifest.Load(tree, "manifest.json", manifest.Options{})
	require.NoError(t, err)
	g, err := depgraph.Build(m, tree, depgraph.Options{})
	require.NoError(t, err)

	assert.Equal(t, []string{"alpine:3.20", "debian:bookworm", "alpine@" + string(alpineV1)}, watch.FinalBases(g, depgraph.CheckOptions{}),
		"ARGs expanded, stage references followed, builder stages and internal bases left out")
	assert.Equal(t, []string{"debian:bookworm"}, watch.FinalBases(g, depgraph.CheckOptions{Filter: manifest.Filter{Architecture: "arm64"}}))

	// A base pinned to a digest is never moved by a tag push.
	w := start(t, f.config())
	assert.Empty(t, w.Match(push("docker.io", "library/alpine", "latest", alpineV2)))
}
