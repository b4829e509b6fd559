package dockerfile_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/baseflow/baseflow/dockerfile"
)

func ExampleParse() {
	const src = `ARG REPO=mcr.microsoft.com/dotnet/runtime-deps

# Installer image
FROM --platform=$BUILDPLATFORM amd64/buildpack-deps:noble-curl AS installer
RUN curl -fsSL https://example.com/dotnet.tar.gz -o dotnet.tar.gz

FROM $REPO:8.0.30-noble-${TARGETARCH} AS runtime
COPY --from=installer /dotnet /usr/share/dotnet
COPY --from=mcr.microsoft.com/azurelinux/distroless/minimal:3.0 /var/lib/rpmmanifest /tmp/rpmmanifest

FROM runtime
`
	f, err := dockerfile.Parse(strings.NewReader(src), "src/runtime/8.0/noble/arm64v8/Dockerfile", dockerfile.Options{
		BuildArgs: map[string]string{"REPO": "mcr.microsoft.com/dotnet/runtime-deps"},
		Platform:  dockerfile.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	internal := []string{"mcr.microsoft.com/dotnet/runtime-deps", "mcr.microsoft.com/dotnet/runtime"}
	for _, s := range f.Stages {
		switch {
		case s.StageRef >= 0:
			fmt.Printf("line %d: stage %d refers to stage %d\n", s.Line, s.Index, s.StageRef)
		default:
			fmt.Printf("line %d: stage %d %q from %s (%s) platform %q\n",
				s.Line, s.Index, s.Name, s.Base, dockerfile.Classify(s.Base, internal), s.Platform)
		}
	}
	for _, u := range f.Uses {
		fmt.Printf("line %d: COPY --from image %s\n", u.Line, u.Image)
	}
	image, scratch := f.Final()
	fmt.Println("final:", image, scratch, "repo:", dockerfile.RepoOf(image))

	// An unset variable is an error naming the file, the line and the variable.
	_, err = dockerfile.Parse(strings.NewReader("FROM $BASE:8.0\n"), "Dockerfile", dockerfile.Options{})
	var de *dockerfile.Error
	if errors.As(err, &de) {
		fmt.Println(de.Line, de.Variable, err)
	}
	// Output:
	// line 4: stage 0 "installer" from amd64/buildpack-deps:noble-curl (external) platform "linux/arm64/v8"
	// line 7: stage 1 "runtime" from mcr.microsoft.com/dotnet/runtime-deps:8.0.30-noble-arm64 (internal) platform ""
	// line 11: stage 2 refers to stage 1
	// line 9: COPY --from image mcr.microsoft.com/azurelinux/distroless/minimal:3.0
	// final: mcr.microsoft.com/dotnet/runtime-deps:8.0.30-noble-arm64 false repo: mcr.microsoft.com/dotnet/runtime-deps
	// 1 BASE Dockerfile:1: FROM $BASE:8.0: variable BASE is not set
}
