package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/internal/cli/clitest"
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
		{[]string{"--manifest", "x", "--format", "svg"}, 2, `image-graph: --format "svg": want json, dot or mermaid; see image-graph --help` + "\n"},
		{[]string{"--manifest", "x", "--collapse", "tag"}, 2, `--collapse "tag": want none, image or repo`},
		{[]string{"--manifest", "x", "--collapse", "repo"}, 2, "--final-only and --collapse shape drawings: use them with --format dot or mermaid"},
		{[]string{"--manifest", "x", "extra"}, 2, `unexpected argument "extra" (the manifest is given with --manifest)`},
		{[]string{"--manifest", dotnetManifest, "--repo", "aspnet"}, 2, `--repo "aspnet": manifest ../../testdata/dotnet-docker/manifest.json has no repo of that name (repo names as written in the manifest, e.g. dotnet/runtime-deps)`},
		{[]string{"--manifest", "x", "--fromat", "dot"}, 2, "image-graph: unknown flag --fromat (did you mean --format?); see image-graph --help\n"},
		{[]string{"--manifest", "../../testdata/docker-tools/src/manifest.json"}, 1,
			"image-graph: manifest ../../testdata/docker-tools/src/manifest.json: repos[0](dotnet-buildtools/image-builder).images[0].sharedTags: $(UniqueId): no value was found for the variable\n"},
		{[]string{"--manifest", "missing/manifest.json"}, 1, "missing/manifest.json"},
		{[]string{"--manifest", "m.json", "--var", "novalue"}, 2, `"novalue": want NAME=VALUE`},
	} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, tc.code, run(tc.args, &stdout, &stderr), "%v", tc.args)
		assert.Contains(t, stderr.String(), tc.want)
		assert.Empty(t, stdout.String())
		if tc.code == 2 {
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
		}
	}
}

const dotnetManifest = "../../testdata/dotnet-docker/manifest.json"

func TestCommandLineConventions(t *testing.T) {
	t.Parallel()
	clitest.Conventions(t, "image-graph", func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	})
}

// TestFilters checks the JSON of a filtered graph against the whole graph filtered here.
func TestFilters(t *testing.T) {
	t.Parallel()
	all := graphJSON(t, "--manifest", dotnetManifest)
	var want []string
	for _, p := range all {
		if (p.Repo == "dotnet/aspnet" || p.Repo == "dotnet/sdk") && p.OS == "linux" && p.Architecture == "arm64" &&
			strings.HasPrefix(p.OSVersion, "alpine") && strings.HasPrefix(p.Dockerfile, "src/") {
			want = append(want, p.Dockerfile)
		}
	}
	require.NotEmpty(t, want)
	got := graphJSON(t, "--manifest", dotnetManifest, "--repo", "dotnet/aspnet", "--repo", "dotnet/sdk", "--os-type", "linux",
		"--architecture", "arm64", "--os-version", "alpine*", "--path", "src/*")
	var paths []string
	for _, p := range got {
		paths = append(paths, p.Dockerfile)
	}
	assert.Equal(t, want, paths)

	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"--manifest", dotnetManifest, "--os-type", "plan9"}, &stdout, &stderr))
	assert.Equal(t, "{\"platforms\":[]}\n", stdout.String())
	assert.Equal(t, "image-graph: warning: the filters keep none of the manifest's 601 platforms\n", stderr.String())
}

// TestMermaidLimits: dotnet-docker's whole drawing is past Mermaid's default limits and says
// so once on stderr; the collapsed drawing is under them and says nothing.
func TestMermaidLimits(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"--manifest", dotnetManifest, "--format", "mermaid"}, &stdout, &stderr))
	assert.Equal(t, 50781, stdout.Len())
	assert.Equal(t, "image-graph: warning: the Mermaid drawing has 50781 characters (maxTextSize 50000) and 899 edges (maxEdges 500), "+
		"past Mermaid's default limits: it will not render in a pull request or Markdown page; draw less with --final-only, "+
		"--collapse image or --collapse repo, or select platforms with --repo, --path, --os-type, --architecture or --os-version\n", stderr.String())

	stdout.Reset()
	stderr.Reset()
	require.Equal(t, 0, run([]string{"--manifest", dotnetManifest, "--format", "mermaid", "--collapse", "image"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "has 575 edges (maxEdges 500)")
	assert.Contains(t, stderr.String(), "draw less with --final-only, --collapse repo,")

	stdout.Reset()
	stderr.Reset()
	require.Equal(t, 0, run([]string{"--manifest", dotnetManifest, "--format", "mermaid", "--collapse", "repo", "--final-only"}, &stdout, &stderr))
	assert.Empty(t, stderr.String())
	assert.Less(t, stdout.Len(), depgraph.MermaidMaxTextSize)
	assert.Contains(t, stdout.String(), "\n  r2[\"dotnet/aspnet (233 platforms)\"]\n")
}

// TestRenderedByGraphviz renders the collapsed drawing with Graphviz's dot and counts what it
// drew: 7 repos and 22 bases, 29 arrows.
func TestRenderedByGraphviz(t *testing.T) {
	t.Parallel()
	dot, err := exec.LookPath("dot")
	if err != nil {
		if os.Getenv("BASEFLOW_INTEGRATION") != "" {
			t.Fatal("Graphviz's dot is not installed")
		}
		t.Skip("Graphviz's dot is not installed")
	}
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"--manifest", dotnetManifest, "--format", "dot", "--collapse", "repo", "--final-only"}, &stdout, &stderr))
	cmd := exec.Command(dot, "-Tsvg")
	cmd.Stdin = &stdout
	svg, err := cmd.Output()
	require.NoError(t, err)
	assert.Equal(t, 29, strings.Count(string(svg), `class="node"`))
	assert.Equal(t, 29, strings.Count(string(svg), `class="edge"`))
	assert.Contains(t, string(svg), ">dotnet/aspnet (233 platforms)</text>")
	m := regexp.MustCompile(`<svg width="(\d+)pt" height="(\d+)pt"`).FindStringSubmatch(string(svg))
	require.NotNil(t, m)
	h, _ := strconv.Atoi(m[2])
	assert.Less(t, h, 1000, "one screen high, not 25,000 pixels")
}

// TestBaseNotAReference: a FROM that expands to something that is not an image reference
// fails with the Dockerfile and the line, as docker build would.
func TestBaseNotAReference(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(dir+"/src/app", 0o755))
	require.NoError(t, os.WriteFile(dir+"/manifest.json", []byte(`{"repos": [{"name": "app", "images": [{"platforms": [
	  {"dockerfile": "src/app", "os": "linux", "osVersion": "alpine", "tags": {"1": {}}}]}]}]}`), 0o644))
	require.NoError(t, os.WriteFile(dir+"/src/app/Dockerfile", []byte("ARG BASE=\\\n    node\nFROM ${BASE}:18-alpine\n"), 0o644))
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 1, run([]string{"--manifest", dir + "/manifest.json", "--format", "dot"}, &stdout, &stderr))
	assert.Empty(t, stdout.String())
	assert.Equal(t, "image-graph: manifest "+dir+"/manifest.json: src/app/Dockerfile:3: FROM ${BASE}:18-alpine: \":18-alpine\" is not an image reference "+
		"(invalid reference format); is a variable in it empty or unset?\n", stderr.String())
}

// TestREADMEExcerpt: the README's image-graph excerpt on the demo's sample repository is
// what the command prints.
func TestREADMEExcerpt(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	const cmd = "$ image-graph --manifest manifest.json --format mermaid --collapse repo\n"
	i := strings.Index(string(readme), cmd)
	require.Positive(t, i, "the README shows the command")
	rest := string(readme[i+len(cmd):])
	block := rest[:strings.Index(rest, "```")]
	var want strings.Builder
	for _, line := range strings.Split(strings.TrimRight(block, " \n"), "\n") {
		want.WriteString(strings.TrimPrefix(line, "   ") + "\n")
	}
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"--manifest", "../check-base-images/sample/images/manifest.json", "--format", "mermaid", "--collapse", "repo"}, &stdout, &stderr), stderr.String())
	assert.Equal(t, want.String(), stdout.String())
}
