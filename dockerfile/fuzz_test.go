package dockerfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/baseflow/baseflow/dockerfile"
)

var fuzzSeeds = []string{
	"FROM alpine:3.20\n",
	"ARG REPO=mcr.microsoft.com/dotnet/runtime\nFROM $REPO:8.0 AS installer\nRUN true\nFROM $REPO:8.0\nCOPY --from=installer /a /a\n",
	"ARG A=x\nARG B=${A}:${C:-d}\nFROM ${B%%:*}${D:+-$E}\n",
	"FROM --platform=$BUILDPLATFORM golang AS build\nFROM --platform=${TARGETPLATFORM} ${TARGETARCH}/alpine\n",
	"from alpine as Build\nfrom BUILD as next\nFROM next\n",
	"# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022 AS installer\nRUN powershell `\n  echo hi\nFROM installer\n",
	"FROM alpine AS build\nRUN <<EOF\nFROM evil\nEOF\nFROM build\n",
	"# check=skip=all\nFROM busybox\n# check=skip=StageNameCasing\nFROM alpine AS A\n",
	"FROM scratch AS s\nFROM s\nCOPY --from=0 / /\nCOPY --from=nginx / /\nRUN --mount=type=cache,from=golang,target=/go true\n",
	"# FROM comment\nFROM ${X:-$Y}\n",
	"FROM $REPO\n",
	"ARG B=\nFROM $B\n",
}

// FuzzParse checks that Parse never panics, returns only *Error errors,
// and that a parsed File is consistent: stage references point backwards,
// Final and BaseImages agree with the stages.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "mcr.microsoft.com/dotnet/runtime")
	}
	for _, p := range []string{
		"src/runtime/8.0/alpine3.23/amd64/Dockerfile",
		"src/aspnet/8.0/alpine3.23/amd64/Dockerfile",
		"src/runtime/8.0/windowsservercore-ltsc2025/amd64/Dockerfile",
		"src/runtime-deps/8.0/jammy-chiseled/amd64/Dockerfile",
		"src/sdk/8.0/azurelinux3.0/amd64/Dockerfile",
	} {
		data, err := os.ReadFile(filepath.Join(fixtureDir, filepath.FromSlash(p)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data), "mcr.microsoft.com/dotnet/runtime-deps")
	}

	f.Fuzz(func(t *testing.T, src, repo string) {
		file, err := dockerfile.Parse(strings.NewReader(src), "Dockerfile", dockerfile.Options{
			BuildArgs: map[string]string{"REPO": repo},
			MaxSize:   64 << 10,
		})
		if err != nil {
			var de *dockerfile.Error
			if !errors.As(err, &de) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if file != nil {
				t.Fatal("file returned with an error")
			}
			return
		}
		checkConsistent(t, file)
	})
}

func checkConsistent(t *testing.T, f *dockerfile.File) {
	t.Helper()
	if len(f.Stages) == 0 {
		t.Fatal("no stages")
	}
	var bases []string
	for i, s := range f.Stages {
		if s.Index != i {
			t.Fatalf("stage %d has index %d", i, s.Index)
		}
		if s.Base == "" {
			t.Fatalf("stage %d: empty base", i)
		}
		if s.StageRef >= i || s.StageRef < -1 {
			t.Fatalf("stage %d refers to stage %d", i, s.StageRef)
		}
		if s.StageRef >= 0 && s.Scratch {
			t.Fatalf("stage %d is both a reference and scratch", i)
		}
		if s.StageRef >= 0 && !strings.EqualFold(f.Stages[s.StageRef].Name, s.Base) {
			t.Fatalf("stage %d base %q does not name stage %d (%q)", i, s.Base, s.StageRef, f.Stages[s.StageRef].Name)
		}
		if s.Name != strings.ToLower(s.WrittenName) {
			t.Fatalf("stage %d: name %q written %q", i, s.Name, s.WrittenName)
		}
		if s.IsImage() {
			bases = append(bases, s.Base)
		}
	}
	got := f.BaseImages()
	if len(got) != len(bases) {
		t.Fatalf("BaseImages %q, stages give %q", got, bases)
	}
	for i := range got {
		if got[i] != bases[i] {
			t.Fatalf("BaseImages %q, stages give %q", got, bases)
		}
	}

	last := f.Stages[len(f.Stages)-1]
	for last.StageRef >= 0 {
		last = f.Stages[last.StageRef]
	}
	image, scratch := f.Final()
	if scratch != last.Scratch {
		t.Fatalf("Final scratch %v, stage %d scratch %v", scratch, last.Index, last.Scratch)
	}
	if scratch && image != "" || !scratch && image != last.Base {
		t.Fatalf("Final %q, stage %d base %q", image, last.Index, last.Base)
	}
	for _, u := range f.Uses {
		if u.Stage < 0 || u.Stage >= len(f.Stages) || u.Image == "" {
			t.Fatalf("bad use %+v", u)
		}
	}
}
