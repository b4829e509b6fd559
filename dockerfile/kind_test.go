package dockerfile_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dockerfile"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	repos := []string{
		"mcr.microsoft.com/dotnet/runtime-deps",
		"mcr.microsoft.com/dotnet/runtime",
		"mcr.microsoft.com/dotnet/monitor/base",
	}
	tests := []struct {
		image string
		want  dockerfile.Kind
	}{
		{"mcr.microsoft.com/dotnet/runtime-deps:8.0.30-alpine3.23-amd64", dockerfile.Internal},
		{"mcr.microsoft.com/dotnet/runtime:10.0-noble", dockerfile.Internal},
		{"mcr.microsoft.com/dotnet/monitor/base:9.0", dockerfile.Internal},
		// A pure prefix test on "<repo>:".
		{"mcr.microsoft.com/dotnet/runtime", dockerfile.External},
		{"mcr.microsoft.com/dotnet/runtime@sha256:0000000000000000000000000000000000000000000000000000000000000001", dockerfile.External},
		{"mcr.microsoft.com/dotnet/runtime-extra:8.0", dockerfile.External},
		{"mcr.microsoft.com/dotnet/monitor:9.0", dockerfile.External},
		{"mcr.microsoft.com/dotnet/aspnet:8.0", dockerfile.External},
		{"MCR.microsoft.com/dotnet/runtime:8.0", dockerfile.External},
		{"amd64/alpine:3.23", dockerfile.External},
		{"mcr.microsoft.com/azurelinux/distroless/minimal:3.0", dockerfile.External},
		{"scratch", dockerfile.Scratch},
		{"SCRATCH", dockerfile.Scratch},
		{"", dockerfile.Scratch},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, dockerfile.Classify(tt.image, repos), tt.image)
	}
	assert.Equal(t, dockerfile.External, dockerfile.Classify("mcr.microsoft.com/dotnet/runtime:8.0", nil))
}

func TestKindText(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "external", dockerfile.External.String())
	assert.Equal(t, "internal", dockerfile.Internal.String())
	assert.Equal(t, "scratch", dockerfile.Scratch.String())
	assert.Equal(t, "unknown", dockerfile.Kind(0).String())
	b, err := json.Marshal(map[string]dockerfile.Kind{"kind": dockerfile.Internal})
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"internal"}`, string(b))
}

func TestRepoOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		image string
		want  string
		// imageBuilder is ImageBuilder's GetRepo answer where it differs.
		imageBuilder string
	}{
		{image: "alpine", want: "alpine"},
		{image: "alpine:3.23", want: "alpine"},
		{image: "amd64/alpine:3.23", want: "amd64/alpine"},
		{image: "mcr.microsoft.com/dotnet/runtime-deps:8.0-alpine", want: "mcr.microsoft.com/dotnet/runtime-deps"},
		{image: "ubuntu.azurecr.io/ubuntu:noble", want: "ubuntu.azurecr.io/ubuntu"},
		{image: "alpine@sha256:0000000000000000000000000000000000000000000000000000000000000001", want: "alpine"},
		{image: "alpine:3.23@sha256:0000000000000000000000000000000000000000000000000000000000000001", want: "alpine:3.23"},
		{image: "127.0.0.1:5000/x/y:tag", want: "127.0.0.1:5000/x/y", imageBuilder: "127.0.0.1"},
		{image: "localhost:5000/x/y", want: "localhost:5000/x/y", imageBuilder: "localhost"},
		{image: "localhost:5000/x@sha256:0000000000000000000000000000000000000000000000000000000000000001", want: "localhost:5000/x"},
		{image: "", want: ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, dockerfile.RepoOf(tt.image), tt.image)
		ib := tt.imageBuilder
		if ib == "" {
			ib = tt.want
		}
		assert.Equal(t, ib, imageBuilderGetRepo(tt.image), tt.image)
	}
}

// imageBuilderGetRepo is ImageBuilder's GetRepo rule: the text before the
// first '@', else before the first ':'.
func imageBuilderGetRepo(image string) string {
	for i := 0; i < len(image); i++ {
		if image[i] == '@' {
			return image[:i]
		}
	}
	for i := 0; i < len(image); i++ {
		if image[i] == ':' {
			return image[:i]
		}
	}
	return image
}
