package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// platform is the documented JSON shape of one platform, decoded strictly.
type platform struct {
	Dockerfile     string   `json:"dockerfile"`
	DockerfilePath string   `json:"dockerfilePath"`
	Repo           string   `json:"repo"`
	OS             string   `json:"os"`
	OSVersion      string   `json:"osVersion"`
	Architecture   string   `json:"architecture"`
	Variant        string   `json:"variant"`
	ProductVersion string   `json:"productVersion"`
	Tags           []string `json:"tags"`
	From           []from   `json:"from"`
	Final          struct {
		Image string `json:"image"`
		Kind  string `json:"kind"`
	} `json:"final"`
	Parents []string `json:"parents"`
}

type from struct {
	Image string `json:"image"`
	Stage string `json:"stage"`
	Kind  string `json:"kind"`
}

func graphJSON(t *testing.T, args ...string) []platform {
	t.Helper()
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(args, &stdout, &stderr), stderr.String())
	var out struct {
		Platforms []platform `json:"platforms"`
	}
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&out))
	return out.Platforms
}

func TestDotnetDockerGraph(t *testing.T) {
	t.Parallel()
	ps := graphJSON(t, "--manifest", "../../testdata/dotnet-docker/manifest.json")
	require.Len(t, ps, 601)
	finals := map[string]int{}
	externalFinal, externalAll := map[string]bool{}, map[string]bool{}
	withParents := 0
	for _, p := range ps {
		finals[p.Final.Kind]++
		if p.Final.Kind == "external" {
			externalFinal[p.Final.Image] = true
		}
		for _, f := range p.From {
			if f.Kind == "external" {
				externalAll[f.Image] = true
			}
		}
		if len(p.Parents) > 0 {
			withParents++
		}
	}
	// Counted independently from the fixture (see testdata/SOURCES.md and the reference
	// counts): 107 external, 460 internal and 34 scratch final stages; 22 distinct external
	// final bases and 35 distinct external bases over all stages.
	assert.Equal(t, map[string]int{"external": 107, "internal": 460, "scratch": 34}, finals)
	assert.Len(t, externalFinal, 22)
	assert.Len(t, externalAll, 35)
	assert.Equal(t, 460, withParents, "every platform with an internal final stage has a parent")

	var aspnet platform
	for _, p := range ps {
		if p.Dockerfile == "src/aspnet/8.0/alpine3.23/amd64" {
			aspnet = p
		}
	}
	assert.Equal(t, "src/aspnet/8.0/alpine3.23/amd64/Dockerfile", aspnet.DockerfilePath)
	assert.Equal(t, "dotnet/aspnet", aspnet.Repo)
	assert.Equal(t, []string{"src/runtime/8.0/alpine3.23/amd64"}, aspnet.Parents)
	assert.Equal(t, "internal", aspnet.Final.Kind)
	assert.True(t, strings.HasPrefix(aspnet.Final.Image, "mcr.microsoft.com/dotnet/runtime:8.0."), aspnet.Final.Image)
}

func TestDockerToolsGraph(t *testing.T) {
	t.Parallel()
	ps := graphJSON(t, "--manifest", "../../testdata/docker-tools/src/manifest.json", "--var", "UniqueId=")
	require.Len(t, ps, 5)
	assert.Equal(t, "Dockerfile.linux", ps[0].DockerfilePath)
	assert.Equal(t, []from{
		{Image: "mcr.microsoft.com/dotnet/sdk:10.0-azurelinux3.0", Stage: "build-env", Kind: "external"},
		{Image: "mcr.microsoft.com/dotnet/runtime:10.0-azurelinux3.0", Stage: "", Kind: "external"},
	}, ps[0].From)
	for _, p := range ps {
		// docker-tools builds on .NET images of another manifest: external, not internal.
		assert.Equal(t, "external", p.Final.Kind)
		assert.Empty(t, p.Parents)
	}
	assert.Equal(t, "mcr.microsoft.com/windows/servercore:ltsc2016-amd64", ps[2].Final.Image)
}

func TestFormats(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		format, first, contains string
	}{
		{"dot", "digraph baseflow {", "e0 -> p0 [style=dashed];\n  e1 -> p0;"},
		{"mermaid", "flowchart LR", `p0["dotnet-buildtools/image-builder:linux-amd64"]`},
	} {
		var stdout, stderr bytes.Buffer
		code := run([]string{"--manifest", "../../testdata/docker-tools/src/manifest.json", "--var", "UniqueId=", "--format", tc.format}, &stdout, &stderr)
		require.Equal(t, 0, code, stderr.String())
		assert.True(t, strings.HasPrefix(stdout.String(), tc.first+"\n"), stdout.String())
		assert.Contains(t, stdout.String(), tc.contains)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "--manifest is required"},
		{[]string{"--manifest", "x", "--format", "svg"}, 2, `--format "svg": must be json, dot or mermaid`},
		{[]string{"--manifest", "../../testdata/docker-tools/src/manifest.json"}, 1,
			"image-graph: manifest ../../testdata/docker-tools/src/manifest.json: repos[0](dotnet-buildtools/image-builder).images[0].sharedTags: $(UniqueId): no value was found for the variable\n"},
		{[]string{"--manifest", "missing/manifest.json"}, 1, "missing/manifest.json"},
		{[]string{"--manifest", "m.json", "--var", "novalue"}, 2, `"novalue": want NAME=VALUE`},
	} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, tc.code, run(tc.args, &stdout, &stderr), "%v", tc.args)
		assert.Contains(t, stderr.String(), tc.want)
		assert.Empty(t, stdout.String())
	}
}
