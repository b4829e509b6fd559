package dockerfile_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dockerfile"
)

// stageWant is the part of a Stage a table case states; Index is implied by
// position and Source is checked separately.
type stageWant struct {
	Name, WrittenName string
	BaseName, Base    string
	Platform          string
	Line              int
	StageRef          int
	Scratch           bool
}

func stagesOf(f *dockerfile.File) []stageWant {
	out := make([]stageWant, 0, len(f.Stages))
	for _, s := range f.Stages {
		out = append(out, stageWant{
			Name: s.Name, WrittenName: s.WrittenName,
			BaseName: s.BaseName, Base: s.Base, Platform: s.Platform,
			Line: s.Line, StageRef: s.StageRef, Scratch: s.Scratch,
		})
	}
	return out
}

// img is a stage on an image base with no name and no platform.
func img(line int, baseName, base string) stageWant {
	return stageWant{BaseName: baseName, Base: base, Line: line, StageRef: -1}
}

// named is img with an AS name written in lower case.
func named(line int, name, baseName, base string) stageWant {
	s := img(line, baseName, base)
	s.Name, s.WrittenName = name, name
	return s
}

type finalWant struct {
	Image   string
	Scratch bool
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		src    string
		opts   dockerfile.Options
		stages []stageWant
		uses   []dockerfile.ImageUse
		final  finalWant
		bases  []string
	}{
		{
			name:   "plain image",
			src:    "FROM alpine:3.20\nRUN true\n",
			stages: []stageWant{img(1, "alpine:3.20", "alpine:3.20")},
			final:  finalWant{Image: "alpine:3.20"},
			bases:  []string{"alpine:3.20"},
		},
		{
			name:   "dollar NAME",
			src:    "ARG REPO=mcr.microsoft.com/dotnet/runtime\nFROM $REPO:8.0-alpine\n",
			stages: []stageWant{img(2, "$REPO:8.0-alpine", "mcr.microsoft.com/dotnet/runtime:8.0-alpine")},
			final:  finalWant{Image: "mcr.microsoft.com/dotnet/runtime:8.0-alpine"},
			bases:  []string{"mcr.microsoft.com/dotnet/runtime:8.0-alpine"},
		},
		{
			name:   "braced NAME",
			src:    "ARG IMAGE=alpine\nARG TAG=3.20\nFROM ${IMAGE}:${TAG}\n",
			stages: []stageWant{img(3, "${IMAGE}:${TAG}", "alpine:3.20")},
			final:  finalWant{Image: "alpine:3.20"},
			bases:  []string{"alpine:3.20"},
		},
		{
			name:   "default used when undeclared",
			src:    "FROM ${IMAGE:-alpine}:3.20\n",
			stages: []stageWant{img(1, "${IMAGE:-alpine}:3.20", "alpine:3.20")},
			final:  finalWant{Image: "alpine:3.20"},
			bases:  []string{"alpine:3.20"},
		},
		{
			name:   "default ignored when set",
			src:    "ARG IMAGE=debian\nFROM ${IMAGE:-alpine}\n",
			stages: []stageWant{img(2, "${IMAGE:-alpine}", "debian")},
			final:  finalWant{Image: "debian"},
			bases:  []string{"debian"},
		},
		{
			name:   "colon default used when empty",
			src:    "ARG IMAGE=\nFROM ${IMAGE:-alpine}\n",
			stages: []stageWant{img(2, "${IMAGE:-alpine}", "alpine")},
			final:  finalWant{Image: "alpine"},
			bases:  []string{"alpine"},
		},
		{
			name:   "declared without default uses nested default",
			src:    "ARG IMAGE\nARG FALLBACK=busybox\nFROM ${IMAGE:-$FALLBACK}\n",
			stages: []stageWant{img(3, "${IMAGE:-$FALLBACK}", "busybox")},
			final:  finalWant{Image: "busybox"},
			bases:  []string{"busybox"},
		},
		{
			name:   "alternative and pattern forms",
			src:    "ARG VARIANT=slim\nARG REF=docker.io/library/debian:bookworm\nFROM ${REF%%:*}:bookworm${VARIANT:+-$VARIANT}${UNSET+-never}\n",
			stages: []stageWant{img(3, "${REF%%:*}:bookworm${VARIANT:+-$VARIANT}${UNSET+-never}", "docker.io/library/debian:bookworm-slim")},
			final:  finalWant{Image: "docker.io/library/debian:bookworm-slim"},
			bases:  []string{"docker.io/library/debian:bookworm-slim"},
		},
		{
			name: "defaults use earlier ARGs",
			src: "ARG REPO=mcr.microsoft.com/dotnet/runtime-deps\nARG TAG=8.0-alpine\n" +
				"ARG FULL=${REPO}:${TAG}\nFROM ${FULL}\n",
			stages: []stageWant{img(4, "${FULL}", "mcr.microsoft.com/dotnet/runtime-deps:8.0-alpine")},
			final:  finalWant{Image: "mcr.microsoft.com/dotnet/runtime-deps:8.0-alpine"},
			bases:  []string{"mcr.microsoft.com/dotnet/runtime-deps:8.0-alpine"},
		},
		{
			name: "build arg overrides a default and flows into later defaults",
			src: "ARG REPO=mcr.microsoft.com/dotnet/runtime-deps\nARG TAG=8.0-alpine\n" +
				"ARG FULL=${REPO}:${TAG}\nFROM ${FULL}\n",
			opts:   dockerfile.Options{BuildArgs: map[string]string{"TAG": "9.0-alpine"}},
			stages: []stageWant{img(4, "${FULL}", "mcr.microsoft.com/dotnet/runtime-deps:9.0-alpine")},
			final:  finalWant{Image: "mcr.microsoft.com/dotnet/runtime-deps:9.0-alpine"},
			bases:  []string{"mcr.microsoft.com/dotnet/runtime-deps:9.0-alpine"},
		},
		{
			name:   "build arg fills an ARG without default",
			src:    "ARG TAG\nFROM alpine:$TAG\n",
			opts:   dockerfile.Options{BuildArgs: map[string]string{"TAG": "3.19"}},
			stages: []stageWant{img(2, "alpine:$TAG", "alpine:3.19")},
			final:  finalWant{Image: "alpine:3.19"},
			bases:  []string{"alpine:3.19"},
		},
		{
			name:   "undeclared build arg is ignored",
			src:    "FROM alpine:${TAG:-3.20}\n",
			opts:   dockerfile.Options{BuildArgs: map[string]string{"TAG": "edge"}},
			stages: []stageWant{img(1, "alpine:${TAG:-3.20}", "alpine:3.20")},
			final:  finalWant{Image: "alpine:3.20"},
			bases:  []string{"alpine:3.20"},
		},
		{
			name:   "ARG after the first FROM is not a meta arg",
			src:    "ARG TAG=3.20\nFROM alpine:$TAG AS a\nARG TAG=3.19\nFROM alpine:$TAG\n",
			stages: []stageWant{named(2, "a", "alpine:$TAG", "alpine:3.20"), img(4, "alpine:$TAG", "alpine:3.20")},
			final:  finalWant{Image: "alpine:3.20"},
			bases:  []string{"alpine:3.20", "alpine:3.20"},
		},
		{
			name: "automatic platform args default to linux/amd64",
			src:  "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\nFROM --platform=${TARGETPLATFORM} ${TARGETARCH}/alpine:3.20-${TARGETOS}${TARGETVARIANT}\n",
			stages: []stageWant{
				{Name: "build", WrittenName: "build", BaseName: "golang:1.23", Base: "golang:1.23", Platform: "linux/amd64", Line: 1, StageRef: -1},
				{BaseName: "${TARGETARCH}/alpine:3.20-${TARGETOS}${TARGETVARIANT}", Base: "amd64/alpine:3.20-linux", Platform: "linux/amd64", Line: 2, StageRef: -1},
			},
			final: finalWant{Image: "amd64/alpine:3.20-linux"},
			bases: []string{"golang:1.23", "amd64/alpine:3.20-linux"},
		},
		{
			name: "automatic platform args for a cross build",
			src:  "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\nFROM --platform=$TARGETPLATFORM arm32${TARGETVARIANT}/alpine:3.20\n",
			opts: dockerfile.Options{
				Platform:      dockerfile.Platform{OS: "linux", Architecture: "arm", Variant: "v7"},
				BuildPlatform: dockerfile.Platform{OS: "linux", Architecture: "amd64"},
			},
			stages: []stageWant{
				{Name: "build", WrittenName: "build", BaseName: "golang:1.23", Base: "golang:1.23", Platform: "linux/amd64", Line: 1, StageRef: -1},
				{BaseName: "arm32${TARGETVARIANT}/alpine:3.20", Base: "arm32v7/alpine:3.20", Platform: "linux/arm/v7", Line: 2, StageRef: -1},
			},
			final: finalWant{Image: "arm32v7/alpine:3.20"},
			bases: []string{"golang:1.23", "arm32v7/alpine:3.20"},
		},
		{
			name:   "build arg overrides an automatic arg; TARGETSTAGE is the last stage",
			src:    "FROM $TARGETARCH/busybox:$TARGETSTAGE AS final\n",
			opts:   dockerfile.Options{BuildArgs: map[string]string{"TARGETARCH": "arm64v8"}},
			stages: []stageWant{named(1, "final", "$TARGETARCH/busybox:$TARGETSTAGE", "arm64v8/busybox:final")},
			final:  finalWant{Image: "arm64v8/busybox:final"},
			bases:  []string{"arm64v8/busybox:final"},
		},
		{
			name: "multi-stage with literal platform",
			src:  "FROM --platform=linux/arm64 mcr.microsoft.com/dotnet/sdk:8.0 AS build\nRUN dotnet publish\n\nFROM mcr.microsoft.com/dotnet/aspnet:8.0\nCOPY --from=build /app /app\n",
			stages: []stageWant{
				{Name: "build", WrittenName: "build", BaseName: "mcr.microsoft.com/dotnet/sdk:8.0", Base: "mcr.microsoft.com/dotnet/sdk:8.0", Platform: "linux/arm64", Line: 1, StageRef: -1},
				img(4, "mcr.microsoft.com/dotnet/aspnet:8.0", "mcr.microsoft.com/dotnet/aspnet:8.0"),
			},
			final: finalWant{Image: "mcr.microsoft.com/dotnet/aspnet:8.0"},
			bases: []string{"mcr.microsoft.com/dotnet/sdk:8.0", "mcr.microsoft.com/dotnet/aspnet:8.0"},
		},
		{
			name:   "scratch",
			src:    "FROM scratch\nCOPY app /app\n",
			stages: []stageWant{{BaseName: "scratch", Base: "scratch", Line: 1, StageRef: -1, Scratch: true}},
			final:  finalWant{Scratch: true},
		},
		{
			name:   "scratch in any case",
			src:    "FROM Scratch\n",
			stages: []stageWant{{BaseName: "Scratch", Base: "Scratch", Line: 1, StageRef: -1, Scratch: true}},
			final:  finalWant{Scratch: true},
		},
		{
			name:   "scratch through an ARG",
			src:    "ARG BASE=scratch\nFROM $BASE\n",
			stages: []stageWant{{BaseName: "$BASE", Base: "scratch", Line: 2, StageRef: -1, Scratch: true}},
			final:  finalWant{Scratch: true},
		},
		{
			name: "stage references followed to the final base",
			src: "FROM mcr.microsoft.com/dotnet/runtime-deps:8.0 AS a\nFROM a AS b\n" +
				"FROM alpine:3.20 AS c\nFROM b\n",
			stages: []stageWant{
				named(1, "a", "mcr.microsoft.com/dotnet/runtime-deps:8.0", "mcr.microsoft.com/dotnet/runtime-deps:8.0"),
				{Name: "b", WrittenName: "b", BaseName: "a", Base: "a", Line: 2, StageRef: 0},
				named(3, "c", "alpine:3.20", "alpine:3.20"),
				{BaseName: "b", Base: "b", Line: 4, StageRef: 1},
			},
			final: finalWant{Image: "mcr.microsoft.com/dotnet/runtime-deps:8.0"},
			bases: []string{"mcr.microsoft.com/dotnet/runtime-deps:8.0", "alpine:3.20"},
		},
		{
			name: "stage references are case-insensitive",
			src:  "FROM alpine:3.20 AS Base\nFROM BASE\n",
			stages: []stageWant{
				{Name: "base", WrittenName: "Base", BaseName: "alpine:3.20", Base: "alpine:3.20", Line: 1, StageRef: -1},
				{BaseName: "BASE", Base: "BASE", Line: 2, StageRef: 0},
			},
			final: finalWant{Image: "alpine:3.20"},
			bases: []string{"alpine:3.20"},
		},
		{
			name: "stage reference through an ARG",
			src:  "ARG FROM_STAGE=build\nFROM alpine AS build\nFROM $FROM_STAGE\n",
			stages: []stageWant{
				named(2, "build", "alpine", "alpine"),
				{BaseName: "$FROM_STAGE", Base: "build", Line: 3, StageRef: 0},
			},
			final: finalWant{Image: "alpine"},
			bases: []string{"alpine"},
		},
		{
			name: "only earlier stages are referenced",
			src:  "FROM alpine AS alpine\nFROM alpine\n",
			stages: []stageWant{
				named(1, "alpine", "alpine", "alpine"),
				{BaseName: "alpine", Base: "alpine", Line: 2, StageRef: 0},
			},
			final: finalWant{Image: "alpine"},
			bases: []string{"alpine"},
		},
		{
			name: "a stage named scratch shadows scratch",
			src:  "FROM busybox AS scratch\nFROM scratch\n",
			stages: []stageWant{
				named(1, "scratch", "busybox", "busybox"),
				{BaseName: "scratch", Base: "scratch", Line: 2, StageRef: 0},
			},
			final: finalWant{Image: "busybox"},
			bases: []string{"busybox"},
		},
		{
			name: "final stage on scratch through a reference",
			src:  "FROM mcr.microsoft.com/azurelinux/base/core:3.0 AS installer\nFROM scratch AS chiseled\nCOPY --from=installer /staging /\nFROM chiseled\n",
			stages: []stageWant{
				named(1, "installer", "mcr.microsoft.com/azurelinux/base/core:3.0", "mcr.microsoft.com/azurelinux/base/core:3.0"),
				{Name: "chiseled", WrittenName: "chiseled", BaseName: "scratch", Base: "scratch", Line: 2, StageRef: -1, Scratch: true},
				{BaseName: "chiseled", Base: "chiseled", Line: 4, StageRef: 1},
			},
			final: finalWant{Scratch: true},
			bases: []string{"mcr.microsoft.com/azurelinux/base/core:3.0"},
		},
		{
			name: "lowercase from and as",
			src:  "from alpine:3.20 as build\nrun true\nfrom build As Next\n",
			stages: []stageWant{
				named(1, "build", "alpine:3.20", "alpine:3.20"),
				{Name: "next", WrittenName: "Next", BaseName: "build", Base: "build", Line: 3, StageRef: 0},
			},
			final: finalWant{Image: "alpine:3.20"},
			bases: []string{"alpine:3.20"},
		},
		{
			name:   "FROM inside a comment is not a FROM",
			src:    "# FROM evil.example/comment:latest\nFROM alpine:3.20\n  # FROM evil.example/indented:latest\nRUN echo FROM evil.example/shell:latest\n",
			stages: []stageWant{img(2, "alpine:3.20", "alpine:3.20")},
			final:  finalWant{Image: "alpine:3.20"},
			bases:  []string{"alpine:3.20"},
		},
		{
			name: "escape directive",
			src: "# escape=`\n\nFROM mcr.microsoft.com/windows/servercore:ltsc2022 AS installer\n" +
				"RUN powershell -Command `\n    $ErrorActionPreference = 'Stop'; `\n    Write-Host C:\\dotnet\n\n" +
				"FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=installer [\"C:\\\\dotnet\", \"C:\\\\Program Files\\\\dotnet\"]\n",
			stages: []stageWant{
				named(3, "installer", "mcr.microsoft.com/windows/servercore:ltsc2022", "mcr.microsoft.com/windows/servercore:ltsc2022"),
				img(8, "mcr.microsoft.com/windows/nanoserver:ltsc2022", "mcr.microsoft.com/windows/nanoserver:ltsc2022"),
			},
			final: finalWant{Image: "mcr.microsoft.com/windows/nanoserver:ltsc2022"},
			bases: []string{"mcr.microsoft.com/windows/servercore:ltsc2022", "mcr.microsoft.com/windows/nanoserver:ltsc2022"},
		},
		{
			name:   "escape directive changes the escape in FROM",
			src:    "# escape=`\nARG TAG=3.20\nFROM alpine:${TAG}`\n  AS build\nFROM build\n",
			stages: []stageWant{named(3, "build", "alpine:${TAG}", "alpine:3.20"), {BaseName: "build", Base: "build", Line: 5, StageRef: 0}},
			final:  finalWant{Image: "alpine:3.20"},
			bases:  []string{"alpine:3.20"},
		},
		{
			name:   "line continuation in FROM",
			src:    "FROM \\\n  alpine:3.20 \\\n  AS build\nFROM build\n",
			stages: []stageWant{named(1, "build", "alpine:3.20", "alpine:3.20"), {BaseName: "build", Base: "build", Line: 4, StageRef: 0}},
			final:  finalWant{Image: "alpine:3.20"},
			bases:  []string{"alpine:3.20"},
		},
		{
			name: "heredocs",
			src: "FROM alpine:3.20 AS build\nRUN <<EOF\nFROM evil.example/heredoc:latest\necho done\nEOF\n" +
				"COPY <<-EOT /etc/motd\n\tFROM evil.example/copy-heredoc\n\tEOT\nFROM build\n",
			stages: []stageWant{named(1, "build", "alpine:3.20", "alpine:3.20"), {BaseName: "build", Base: "build", Line: 9, StageRef: 0}},
			final:  finalWant{Image: "alpine:3.20"},
			bases:  []string{"alpine:3.20"},
		},
		{
			name: "check comment above a later instruction",
			src:  "# check=skip=all\nFROM busybox\n# check=skip=StageNameCasing\nFROM alpine AS A\n# check=error=true\nRUN true\n",
			stages: []stageWant{
				img(2, "busybox", "busybox"),
				{Name: "a", WrittenName: "A", BaseName: "alpine", Base: "alpine", Line: 4, StageRef: -1},
			},
			final: finalWant{Image: "alpine"},
			bases: []string{"busybox", "alpine"},
		},
		{
			name: "COPY --from image, stage name, stage index, scratch",
			src: "FROM golang:1.23 AS build\nCOPY --from=docker.io/library/busybox:1.36 /bin/busybox /busybox\n" +
				"FROM alpine:3.20 AS Tools\nFROM scratch\nCOPY --from=build /out /app\nCOPY --from=TOOLS /bin /bin\n" +
				"COPY --from=1 /etc /etc\nCOPY --from=scratch / /\nCOPY --link --from=nginx /usr /usr\n",
			stages: []stageWant{
				named(1, "build", "golang:1.23", "golang:1.23"),
				{Name: "tools", WrittenName: "Tools", BaseName: "alpine:3.20", Base: "alpine:3.20", Line: 3, StageRef: -1},
				{BaseName: "scratch", Base: "scratch", Line: 4, StageRef: -1, Scratch: true},
			},
			uses: []dockerfile.ImageUse{
				{Image: "docker.io/library/busybox:1.36", Stage: 0, Line: 2},
				{Image: "nginx", Stage: 2, Line: 9},
			},
			final: finalWant{Scratch: true},
			bases: []string{"golang:1.23", "alpine:3.20"},
		},
		{
			name:   "COPY --from a later stage is a stage",
			src:    "FROM alpine AS first\nCOPY --from=second /x /x\nFROM busybox AS second\n",
			stages: []stageWant{named(1, "first", "alpine", "alpine"), named(3, "second", "busybox", "busybox")},
			final:  finalWant{Image: "busybox"},
			bases:  []string{"alpine", "busybox"},
		},
		{
			name: "RUN --mount from image and stage",
			src: "FROM alpine AS deps\nFROM alpine:3.20\n" +
				"RUN --mount=type=cache,from=golang:1.23,target=/go --mount=from=Deps,target=/deps --mount=type=bind,target=/src \\\n    --mount=type=secret,id=tok true\n" +
				"RUN --mount=target=/x,from=ghcr.io/org/tools:1 true\n",
			stages: []stageWant{named(1, "deps", "alpine", "alpine"), img(2, "alpine:3.20", "alpine:3.20")},
			uses: []dockerfile.ImageUse{
				{Image: "golang:1.23", Stage: 1, Line: 3, Mount: true},
				{Image: "ghcr.io/org/tools:1", Stage: 1, Line: 5, Mount: true},
			},
			final: finalWant{Image: "alpine:3.20"},
			bases: []string{"alpine", "alpine:3.20"},
		},
		{
			name:   "JSON-form and BOM",
			src:    "\ufeffFROM alpine:3.20\nCMD [\"sh\"]\n",
			stages: []stageWant{img(1, "alpine:3.20", "alpine:3.20")},
			final:  finalWant{Image: "alpine:3.20"},
			bases:  []string{"alpine:3.20"},
		},
		{
			name:   "CRLF line endings",
			src:    "ARG TAG=3.20\r\nFROM alpine:$TAG AS build\r\nFROM build\r\n",
			stages: []stageWant{named(2, "build", "alpine:$TAG", "alpine:3.20"), {BaseName: "build", Base: "build", Line: 3, StageRef: 0}},
			final:  finalWant{Image: "alpine:3.20"},
			bases:  []string{"alpine:3.20"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := dockerfile.Parse(strings.NewReader(tt.src), "Dockerfile", tt.opts)
			require.NoError(t, err)
			assert.Equal(t, "Dockerfile", f.Name)
			assert.Equal(t, tt.stages, stagesOf(f))
			for i, s := range f.Stages {
				assert.Equal(t, i, s.Index)
				assert.Equal(t, s.StageRef < 0 && !s.Scratch, s.IsImage())
				assert.NotEmpty(t, s.Source)
			}
			assert.Equal(t, tt.uses, f.Uses)
			image, scratch := f.Final()
			assert.Equal(t, tt.final, finalWant{Image: image, Scratch: scratch})
			assert.Equal(t, tt.bases, f.BaseImages())
		})
	}
}

func TestParseSource(t *testing.T) {
	t.Parallel()
	f, err := dockerfile.Parse(strings.NewReader("ARG REPO=alpine\nFROM --platform=$BUILDPLATFORM $REPO:3.20 AS Build\n"), "x", dockerfile.Options{})
	require.NoError(t, err)
	require.Len(t, f.Stages, 1)
	assert.Equal(t, "FROM --platform=$BUILDPLATFORM $REPO:3.20 AS Build", f.Stages[0].Source)
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		src      string
		opts     dockerfile.Options
		line     int
		variable string
		msg      string // the whole message, file src/x/Dockerfile
	}{
		{
			name: "unset variable", src: "ARG TAG=8.0\n\nFROM $REPO:$TAG\n",
			line: 3, variable: "REPO",
			msg: "src/x/Dockerfile:3: FROM $REPO:$TAG: variable REPO is not set",
		},
		{
			name: "unset braced variable", src: "FROM alpine AS a\nFROM ${REPO}:8.0\n",
			line: 2, variable: "REPO",
			msg: "src/x/Dockerfile:2: FROM ${REPO}:8.0: variable REPO is not set",
		},
		{
			name: "declared without default or build arg", src: "ARG REPO\nFROM $REPO:8.0\n",
			line: 2, variable: "REPO",
			msg: "src/x/Dockerfile:2: FROM $REPO:8.0: variable REPO is not set",
		},
		{
			name: "undeclared build arg does not resolve", src: "FROM $REPO:8.0\n",
			opts: dockerfile.Options{BuildArgs: map[string]string{"REPO": "alpine"}},
			line: 1, variable: "REPO",
			msg: "src/x/Dockerfile:1: FROM $REPO:8.0: variable REPO is not set",
		},
		{
			name: "unset through an ARG default", src: "ARG FULL=$REPO:8.0\nFROM $FULL\n",
			line: 2, variable: "REPO",
			msg: "src/x/Dockerfile:2: FROM $FULL: variable REPO is not set (used by ARG FULL)",
		},
		{
			name: "unset through two ARG defaults", src: "ARG A=${REPO}\nARG B=$A:8.0\nFROM ${B:-alpine}\n",
			line: 3, variable: "REPO",
			msg: "src/x/Dockerfile:3: FROM ${B:-alpine}: variable REPO is not set (used by ARG B)",
		},
		{
			name: "unset inside a default that is taken", src: "FROM ${IMAGE:-$FALLBACK}:1\n",
			line: 1, variable: "FALLBACK",
			msg: "src/x/Dockerfile:1: FROM ${IMAGE:-$FALLBACK}:1: variable FALLBACK is not set",
		},
		{
			name: "unset in a pattern form", src: "FROM ${REF%%:*}:1\n",
			line: 1, variable: "REF",
			msg: "src/x/Dockerfile:1: FROM ${REF%%:*}:1: variable REF is not set",
		},
		{
			name: "first of several unset variables", src: "FROM $REGISTRY/$REPO:8.0\n",
			line: 1, variable: "REGISTRY",
			msg: "src/x/Dockerfile:1: FROM $REGISTRY/$REPO:8.0: variable REGISTRY is not set",
		},
		{
			name: "unset in --platform", src: "FROM --platform=$PLAT alpine\n",
			line: 1, variable: "PLAT",
			msg: "src/x/Dockerfile:1: FROM --platform=$PLAT: variable PLAT is not set",
		},
		{
			name: "required variable", src: "FROM ${REPO?required}:8.0\n",
			line: 1,
			msg:  `src/x/Dockerfile:1: FROM ${REPO?required}:8.0: failed to process "${REPO?required}:8.0": REPO: required`,
		},
		{
			name: "empty base", src: "ARG BASE=\nFROM $BASE\n",
			line: 2,
			msg:  "src/x/Dockerfile:2: FROM $BASE: base image is empty",
		},
		{
			name: "empty base from a dash default", src: "ARG BASE=\nFROM ${BASE-alpine}\n",
			line: 2,
			msg:  "src/x/Dockerfile:2: FROM ${BASE-alpine}: base image is empty",
		},
		{
			name: "empty variable in a reference", src: "ARG BASE=\\\n    node\nFROM ${BASE}:18-alpine\n",
			line: 3,
			msg:  `src/x/Dockerfile:3: FROM ${BASE}:18-alpine: ":18-alpine" is not an image reference (invalid reference format); is a variable in it empty or unset?`,
		},
		{
			name: "upper-case repository", src: "FROM Alpine:3.20\n",
			line: 1,
			msg:  `src/x/Dockerfile:1: FROM Alpine:3.20: "Alpine:3.20" is not an image reference (invalid reference format: repository name (library/Alpine) must be lowercase)`,
		},
		{
			// Quoted and escaped dollars are kept, not taken for unset variables.
			name: "quoted dollar", src: "FROM 'alpine:3.20$X'\n",
			line: 1,
			msg:  `src/x/Dockerfile:1: FROM 'alpine:3.20$X': "alpine:3.20$X" is not an image reference (invalid reference format)`,
		},
		{
			name: "escaped dollar", src: "# escape=`\nARG TAG=3.20\nFROM alpine:`$TAG${TAG:+}\n",
			line: 3,
			msg:  "src/x/Dockerfile:3: FROM alpine:`$TAG${TAG:+}: \"alpine:$TAG\" is not an image reference (invalid reference format)",
		},
		{
			name: "bad digest", src: "FROM alpine@sha256:abc\n",
			line: 1,
			msg:  `src/x/Dockerfile:1: FROM alpine@sha256:abc: "alpine@sha256:abc" is not an image reference (invalid reference format)`,
		},
		{
			name: "empty platform", src: "ARG P=\nFROM --platform=$P alpine\n",
			line: 2,
			msg:  "src/x/Dockerfile:2: FROM --platform=$P: platform is empty",
		},
		{
			name: "bad substitution", src: "FROM ${}\n",
			line: 1,
			msg:  `src/x/Dockerfile:1: FROM ${}: failed to process "${}": syntax error: bad substitution`,
		},
		{
			name: "variable in COPY --from", src: "ARG SRC=busybox\nFROM alpine\nCOPY --from=$SRC /a /a\n",
			line: 3,
			msg:  "src/x/Dockerfile:3: COPY --from=$SRC: variable expansion is not supported in --from",
		},
		{
			name: "COPY --from stage index out of range", src: "FROM alpine\nCOPY --from=1 /a /a\n",
			line: 2,
			msg:  "src/x/Dockerfile:2: COPY --from=1: no stage with index 1",
		},
		{
			name: "variable in RUN --mount from", src: "FROM alpine\nRUN --mount=from=$SRC,target=/x true\n",
			line: 2,
			msg:  "src/x/Dockerfile:2: 'from' doesn't support variable expansion, define alias stage instead",
		},
		{
			name: "no FROM", src: "ARG X=1\n# FROM alpine\n",
			msg: "src/x/Dockerfile: no FROM instruction",
		},
		{
			name: "empty file", src: "",
			msg: "src/x/Dockerfile: file with no instructions",
		},
		{
			name: "instruction before FROM", src: "ARG X=1\nRUN true\nFROM alpine\n",
			line: 2,
			msg:  "src/x/Dockerfile:2: RUN before the first FROM",
		},
		{
			name: "FROM with two arguments", src: "FROM alpine\nFROM alpine AS\n",
			line: 2,
			msg:  "src/x/Dockerfile:2: FROM requires either one or three arguments",
		},
		{
			name: "invalid stage name", src: "FROM alpine AS 1st\n",
			line: 1,
			msg:  `src/x/Dockerfile:1: invalid name for build stage: "1st", name can't start with a number or contain symbols`,
		},
		{
			name: "unknown FROM flag", src: "FROM --plat=linux/amd64 alpine\n",
			line: 1,
			msg:  "src/x/Dockerfile:1: unknown flag: --plat",
		},
		{
			name: "invalid UTF-8", src: "FROM alpine\nRUN echo \xff\n",
			line: 2,
			msg:  "src/x/Dockerfile:2: not UTF-8 text: invalid UTF-8 or NUL byte",
		},
		{
			name: "NUL byte", src: "FROM alpine\n\nLABEL a=\x00\n",
			line: 3,
			msg:  "src/x/Dockerfile:3: not UTF-8 text: invalid UTF-8 or NUL byte",
		},
		{
			name: "too large", src: "FROM alpine\n# padding\n",
			opts: dockerfile.Options{MaxSize: 12},
			msg:  "src/x/Dockerfile: dockerfile too large: more than 12 bytes",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := dockerfile.Parse(strings.NewReader(tt.src), "src/x/Dockerfile", tt.opts)
			require.Error(t, err)
			assert.Nil(t, f)
			var de *dockerfile.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, "src/x/Dockerfile", de.File)
			assert.Equal(t, tt.line, de.Line)
			assert.Equal(t, tt.variable, de.Variable)
			assert.Equal(t, tt.msg, err.Error())
		})
	}
}

func TestParseAcceptsUnsetWithFallback(t *testing.T) {
	t.Parallel()
	// Unset variables in forms that state a fallback, or in a default that
	// is not taken, are not errors.
	for _, src := range []string{
		"FROM alpine${SUFFIX:-}\n",
		"FROM alpine${SUFFIX-}\n",
		"FROM alpine${SUFFIX:+-$OTHER}\n",
		"FROM alpine${SUFFIX+-$OTHER}\n",
		"ARG TAG=3.20\nFROM alpine:${TAG:-$UNSET}\n",
		"ARG TAG=3.20\nFROM alpine:${TAG?$UNSET}\n",
	} {
		f, err := dockerfile.Parse(strings.NewReader(src), "Dockerfile", dockerfile.Options{})
		if !assert.NoError(t, err, src) {
			continue
		}
		image, scratch := f.Final()
		assert.False(t, scratch)
		assert.True(t, strings.HasPrefix(image, "alpine"), "%s gave %s", src, image)
	}
}

// countingReader yields an endless Dockerfile and counts the bytes read.
type countingReader struct {
	n int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	const line = "RUN echo padding padding padding padding padding padding\n"
	for i := range p {
		p[i] = line[(r.n+int64(i))%int64(len(line))]
	}
	r.n += int64(len(p))
	return len(p), nil
}

func TestParseRefusesOversizeInputWithoutReadingIt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		max   int64
		limit int64
	}{
		{name: "default limit", max: 0, limit: dockerfile.DefaultMaxSize},
		{name: "custom limit", max: 4096, limit: 4096},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &countingReader{}
			// 10 MB of input, of which at most limit+1 bytes may be read.
			_, err := dockerfile.Parse(io.LimitReader(r, 10<<20), "big/Dockerfile", dockerfile.Options{MaxSize: tt.max})
			require.ErrorIs(t, err, dockerfile.ErrTooLarge)
			assert.LessOrEqual(t, r.n, tt.limit+1)
			assert.Greater(t, r.n, tt.limit)
		})
	}

	// An input of exactly the limit is accepted.
	src := "FROM alpine\n"
	_, err := dockerfile.Parse(strings.NewReader(src), "ok", dockerfile.Options{MaxSize: int64(len(src))})
	require.NoError(t, err)
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestParseReadError(t *testing.T) {
	t.Parallel()
	_, err := dockerfile.Parse(failingReader{}, "d/Dockerfile", dockerfile.Options{})
	require.EqualError(t, err, "d/Dockerfile: read: disk on fire")
}

func TestStageBase(t *testing.T) {
	t.Parallel()
	f, err := dockerfile.Parse(strings.NewReader(
		"FROM alpine AS a\nFROM a AS b\nFROM scratch AS c\nFROM c AS d\nFROM b\n"), "Dockerfile", dockerfile.Options{})
	require.NoError(t, err)
	type base struct {
		Image   string
		Scratch bool
	}
	var got []base
	for i := -1; i <= len(f.Stages); i++ {
		image, scratch := f.StageBase(i)
		got = append(got, base{image, scratch})
	}
	assert.Equal(t, []base{{}, {"alpine", false}, {"alpine", false}, {"", true}, {"", true}, {"alpine", false}, {}}, got)

	var nilFile *dockerfile.File
	image, scratch := nilFile.Final()
	assert.Equal(t, "", image)
	assert.False(t, scratch)
	assert.Nil(t, nilFile.BaseImages())
}

func TestTargetPlatformDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    dockerfile.Platform
		want string
	}{
		{dockerfile.Platform{}, "linux/amd64"},
		{dockerfile.Platform{Architecture: "arm64"}, "linux/arm64"},
		{dockerfile.Platform{OS: "windows"}, "windows/amd64"},
		{dockerfile.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, "linux/arm/v7"},
	}
	for _, tt := range tests {
		f, err := dockerfile.Parse(strings.NewReader("FROM --platform=$TARGETPLATFORM alpine\n"), "Dockerfile", dockerfile.Options{Platform: tt.p})
		require.NoError(t, err)
		assert.Equal(t, tt.want, f.Stages[0].Platform, "%+v", tt.p)
	}
}

func TestParseHostileInput(t *testing.T) {
	t.Parallel()
	var laughs strings.Builder
	laughs.WriteString("ARG A0=laughlaugh\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&laughs, "ARG A%d=${A%d}${A%d}\n", i, i-1, i-1)
	}
	laughs.WriteString("FROM alpine:$A40\n")

	x := strings.Repeat("x", 30000)
	tests := []struct {
		name string
		src  string
		is   error
		msg  string
	}{
		{
			name: "exponential ARG defaults",
			src:  laughs.String(),
			is:   dockerfile.ErrExpansionTooLarge,
			msg:  "h:19: ARG A18: expansion too large: the file's expansions exceed 4194304 bytes",
		},
		{
			name: "nested replace-all",
			src:  "ARG X=" + x[:2000] + "\nFROM ${X//?/${X//?/$X}}\n",
			is:   dockerfile.ErrExpansionTooLarge,
			msg:  "h:2: FROM ${X//?/${X//?/$X}}: expansion too large: the file's expansions exceed 4194304 bytes",
		},
		{
			name: "pattern matching work",
			src:  "ARG X=" + x + "\nFROM alpine${X/" + strings.Repeat("*", 30000) + "y/}\n",
			is:   dockerfile.ErrExpansionTooLarge,
		},
		{
			name: "line longer than buildkit allows",
			src:  "FROM alpine\nRUN echo " + strings.Repeat("x", 70000) + "\n",
			msg:  "h:1: dockerfile line greater than max allowed size of 65535",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := dockerfile.Parse(strings.NewReader(tt.src), "h", dockerfile.Options{})
			require.Error(t, err)
			if tt.is != nil {
				require.ErrorIs(t, err, tt.is)
			}
			if tt.msg != "" {
				assert.Equal(t, tt.msg, err.Error())
			}
		})
	}

	// Deep but small nesting and many stages stay within the limits.
	deep := strings.Repeat("${UNSET:-", 5000) + "alpine" + strings.Repeat("}", 5000)
	f, err := dockerfile.Parse(strings.NewReader("FROM "+deep+"\n"), "h", dockerfile.Options{})
	require.NoError(t, err)
	image, _ := f.Final()
	assert.Equal(t, "alpine", image)

	var many strings.Builder
	many.WriteString("FROM alpine AS s0\n")
	for i := 1; i < 20000; i++ {
		fmt.Fprintf(&many, "FROM s%d AS s%d\n", i-1, i)
	}
	f, err = dockerfile.Parse(strings.NewReader(many.String()), "h", dockerfile.Options{})
	require.NoError(t, err)
	require.Len(t, f.Stages, 20000)
	image, _ = f.Final()
	assert.Equal(t, "alpine", image)
}
