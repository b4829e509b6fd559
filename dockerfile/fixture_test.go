package dockerfile_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dockerfile"
)

const fixtureDir = "../testdata/dotnet-docker"

// fixtureCase is one manifest platform of the dotnet-docker fixture with
// its Dockerfile and the build arguments the manifest gives it.
type fixtureCase struct {
	Path      string // Dockerfile path relative to the manifest directory
	Data      []byte
	BuildArgs map[string]string
	Platform  dockerfile.Platform
}

func (c fixtureCase) options() dockerfile.Options {
	return dockerfile.Options{BuildArgs: c.BuildArgs, Platform: c.Platform}
}

// loadFixture reads the dotnet-docker manifest and the Dockerfile of every
// platform. Only the $(Repo:<id>) manifest variables occur in its buildArgs;
// they are resolved here to mcr.microsoft.com/<repo name>, the rest of
// manifest variable resolution being the manifest package's business.
// It returns the platforms in manifest order and the qualified names of the
// manifest's repos.
func loadFixture(tb testing.TB) ([]fixtureCase, []string) {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(fixtureDir, "manifest.json"))
	require.NoError(tb, err)
	var m struct {
		Registry string `json:"registry"`
		Repos    []struct {
			ID     string `json:"id"`
			Name   string `json:"name"`
			Images []struct {
				Platforms []struct {
					Dockerfile   string            `json:"dockerfile"`
					OS           string            `json:"os"`
					Architecture string            `json:"architecture"`
					Variant      string            `json:"variant"`
					BuildArgs    map[string]string `json:"buildArgs"`
				} `json:"platforms"`
			} `json:"images"`
		} `json:"repos"`
	}
	require.NoError(tb, json.Unmarshal(raw, &m))
	require.Equal(tb, "mcr.microsoft.com", m.Registry)

	qualified := map[string]string{}
	var repos []string
	for _, r := range m.Repos {
		id := r.ID
		if id == "" {
			id = r.Name
		}
		qualified[id] = m.Registry + "/" + r.Name
		repos = append(repos, m.Registry+"/"+r.Name)
	}
	repoVar := regexp.MustCompile(`\$\(Repo:([^)]+)\)`)

	var cases []fixtureCase
	for _, r := range m.Repos {
		for _, img := range r.Images {
			for _, p := range img.Platforms {
				args := map[string]string{}
				for k, v := range p.BuildArgs {
					v = repoVar.ReplaceAllStringFunc(v, func(s string) string {
						q, ok := qualified[repoVar.FindStringSubmatch(s)[1]]
						require.True(tb, ok, "unknown repo in %s", s)
						return q
					})
					require.NotContains(tb, v, "$(", "unresolved manifest variable in %s buildArgs", p.Dockerfile)
					args[k] = v
				}
				path := p.Dockerfile + "/Dockerfile"
				data, err := os.ReadFile(filepath.Join(fixtureDir, filepath.FromSlash(path)))
				require.NoError(tb, err)
				arch := p.Architecture
				if arch == "" {
					arch = "amd64"
				}
				cases = append(cases, fixtureCase{
					Path:      path,
					Data:      data,
					BuildArgs: args,
					Platform:  dockerfile.Platform{OS: p.OS, Architecture: arch, Variant: p.Variant},
				})
			}
		}
	}
	return cases, repos
}

// imageBuilderFroms is the oracle: ImageBuilder's FROM rule
// (PlatformInfo.InitializeFromImages). It scans the whole text with a
// case-sensitive regex, replaces $NAME with buildArgs[NAME] (an error when
// missing), drops values equal to the AS alias of an earlier FROM, and takes
// the last remaining image as the final one, none when it is scratch.
func imageBuilderFroms(text string, buildArgs map[string]string) (bases []string, final string, err error) {
	fromRe := regexp.MustCompile(`FROM\s+(--platform=.*?\s+)?(?P<fromImage>\S+)(\s+AS\s+(?P<stageId>\S+))?`)
	argRe := regexp.MustCompile(`\$(?P<arg>[\w\d_]+)`)
	matches := fromRe.FindAllStringSubmatch(text, -1)
	if len(matches) == 0 {
		return nil, "", fmt.Errorf("unable to find a FROM image")
	}
	imageIdx, aliasIdx := fromRe.SubexpIndex("fromImage"), fromRe.SubexpIndex("stageId")
	var remaining []string
	for _, m := range matches {
		value := m[imageIdx]
		var missing error
		value = argRe.ReplaceAllStringFunc(value, func(s string) string {
			v, ok := buildArgs[s[1:]]
			if !ok {
				missing = fmt.Errorf("a value was not found for the ARG '%s'", s)
			}
			return v
		})
		if missing != nil {
			return nil, "", missing
		}
		stage := false
		for _, earlier := range matches {
			if earlier[imageIdx] == value {
				break
			}
			if earlier[aliasIdx] == value {
				stage = true
				break
			}
		}
		if !stage {
			remaining = append(remaining, value)
		}
	}
	final = remaining[len(remaining)-1]
	if strings.EqualFold(final, "scratch") {
		final = ""
	}
	for _, r := range remaining {
		if !strings.EqualFold(r, "scratch") {
			bases = append(bases, r)
		}
	}
	return bases, final, nil
}

func TestDotnetDockerFixture(t *testing.T) {
	t.Parallel()
	cases, repos := loadFixture(t)
	require.Len(t, cases, 601)
	require.Len(t, repos, 7)

	paths := map[string]bool{}
	var (
		multiStage, finalScratch, finalInternal, finalExternal int
		externalFinal, externalAll                             = map[string]int{}, map[string]bool{}
		uses                                                   []string
	)
	for _, c := range cases {
		paths[c.Path] = true
		f, err := dockerfile.Parse(bytes.NewReader(c.Data), c.Path, c.options())
		require.NoError(t, err, c.Path)

		// Agreement with ImageBuilder's rule on real data.
		wantBases, wantFinal, err := imageBuilderFroms(string(c.Data), c.BuildArgs)
		require.NoError(t, err, c.Path)
		assert.Equal(t, wantBases, f.BaseImages(), c.Path)
		image, scratch := f.Final()
		assert.Equal(t, wantFinal, image, c.Path)
		assert.Equal(t, wantFinal == "", scratch, c.Path)

		if len(f.Stages) > 1 {
			multiStage++
		}
		switch dockerfile.Classify(image, repos) {
		case dockerfile.Scratch:
			finalScratch++
		case dockerfile.Internal:
			finalInternal++
		case dockerfile.External:
			finalExternal++
			externalFinal[image]++
		}
		for _, b := range f.BaseImages() {
			if dockerfile.Classify(b, repos) == dockerfile.External {
				externalAll[b] = true
			}
		}
		for _, u := range f.Uses {
			uses = append(uses, u.Image)
		}
		for _, s := range f.Stages {
			assert.Empty(t, s.Platform, c.Path) // no --platform in the fixture
			assert.Equal(t, s.Name, strings.ToLower(s.WrittenName), c.Path)
		}
	}

	// Counts computed from the fixture and checked with grep (see below).
	assert.Len(t, paths, 601, "distinct Dockerfiles")
	assert.Equal(t, 512, multiStage, "Dockerfiles with more than one FROM")
	assert.Equal(t, 34, finalScratch, "final stage on scratch")
	assert.Equal(t, 460, finalInternal, "final stage on an image of the manifest")
	assert.Equal(t, 107, finalExternal, "final stage on an external image")
	assert.Len(t, externalFinal, 22, "distinct external final bases")
	assert.Len(t, externalAll, 35, "distinct external bases across all stages")
	assert.Equal(t, 12, externalFinal["mcr.microsoft.com/azurelinux/distroless/minimal:3.0"])
	assert.Equal(t, 8, externalFinal["ubuntu.azurecr.io/ubuntu:noble"])
	assert.Equal(t, 6, externalFinal["amd64/alpine:3.23"])
	assert.Len(t, uses, 12, "COPY --from=<image>")
	assert.Equal(t, []string{"mcr.microsoft.com/azurelinux/distroless/minimal:3.0"}, slices.Compact(uses))
}

// TestDotnetDockerFixtureRawCounts recounts the fixture with plain text
// scans, independently of the parser, so that the counts asserted above
// rest on two computations.
func TestDotnetDockerFixtureRawCounts(t *testing.T) {
	t.Parallel()
	var files, multi, scratchFinal, copyFromImage int
	err := filepath.WalkDir(filepath.Join(fixtureDir, "src"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "Dockerfile" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		var froms []string
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "FROM ") {
				froms = append(froms, line)
			}
			if strings.HasPrefix(line, "COPY --from=mcr.") {
				copyFromImage++
			}
		}
		if len(froms) > 1 {
			multi++
		}
		if len(froms) > 0 && strings.TrimSpace(froms[len(froms)-1]) == "FROM scratch" {
			scratchFinal++
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 601, files)
	assert.Equal(t, 512, multi)
	assert.Equal(t, 34, scratchFinal)
	assert.Equal(t, 12, copyFromImage)
}

// BenchmarkParseDotnetDocker parses all 601 fixture Dockerfiles per
// iteration, with their manifest build arguments.
func BenchmarkParseDotnetDocker(b *testing.B) {
	cases, _ := loadFixture(b)
	var size int64
	for _, c := range cases {
		size += int64(len(c.Data))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range cases {
			if _, err := dockerfile.Parse(bytes.NewReader(c.Data), c.Path, c.options()); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestDockerToolsFixture(t *testing.T) {
	t.Parallel()
	const dir = "../testdata/docker-tools/src"
	tests := []struct {
		file      string
		buildArgs map[string]string
		platform  dockerfile.Platform
		stages    []stageWant
		final     string
	}{
		{
			file:     "Dockerfile.linux",
			platform: dockerfile.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"},
			stages: []stageWant{
				{Name: "build-env", WrittenName: "build-env", BaseName: "mcr.microsoft.com/dotnet/sdk:10.0-azurelinux3.0",
					Base: "mcr.microsoft.com/dotnet/sdk:10.0-azurelinux3.0", Platform: "linux/arm64/v8", Line: 6, StageRef: -1},
				img(34, "mcr.microsoft.com/dotnet/runtime:10.0-azurelinux3.0", "mcr.microsoft.com/dotnet/runtime:10.0-azurelinux3.0"),
			},
			final: "mcr.microsoft.com/dotnet/runtime:10.0-azurelinux3.0",
		},
		{
			file:      "Dockerfile.windows",
			buildArgs: map[string]string{"WINDOWS_BASE": "nanoserver:ltsc2022-amd64", "WINDOWS_SDK": "nanoserver-ltsc2025"},
			platform:  dockerfile.Platform{OS: "windows", Architecture: "amd64"},
			stages: []stageWant{
				named(7, "build-env", "mcr.microsoft.com/dotnet/sdk:10.0-$WINDOWS_SDK", "mcr.microsoft.com/dotnet/sdk:10.0-nanoserver-ltsc2025"),
				img(26, "mcr.microsoft.com/windows/$WINDOWS_BASE", "mcr.microsoft.com/windows/nanoserver:ltsc2022-amd64"),
			},
			final: "mcr.microsoft.com/windows/nanoserver:ltsc2022-amd64",
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join(dir, tt.file))
			require.NoError(t, err)
			f, err := dockerfile.Parse(bytes.NewReader(data), tt.file, dockerfile.Options{BuildArgs: tt.buildArgs, Platform: tt.platform})
			require.NoError(t, err)
			assert.Equal(t, tt.stages, stagesOf(f))
			image, scratch := f.Final()
			assert.Equal(t, tt.final, image)
			assert.False(t, scratch)
			assert.Empty(t, f.Uses)

			wantBases, wantFinal, err := imageBuilderFroms(string(data), tt.buildArgs)
			require.NoError(t, err)
			assert.Equal(t, wantBases, f.BaseImages())
			assert.Equal(t, wantFinal, image)
		})
	}
}
