package registry_test

import (
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/registry"
)

const pin = "sha256:0000000000000000000000000000000000000000000000000000000000000001"

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want registry.Ref
		str  string
	}{
		{"alpine", registry.Ref{Domain: "docker.io", Path: "library/alpine", Tag: "latest"}, "docker.io/library/alpine:latest"},
		{"alpine:3.20", registry.Ref{Domain: "docker.io", Path: "library/alpine", Tag: "3.20"}, "docker.io/library/alpine:3.20"},
		{"library/alpine:3.20", registry.Ref{Domain: "docker.io", Path: "library/alpine", Tag: "3.20"}, "docker.io/library/alpine:3.20"},
		{"index.docker.io/library/alpine:3.20", registry.Ref{Domain: "docker.io", Path: "library/alpine", Tag: "3.20"}, "docker.io/library/alpine:3.20"},
		{"amd64/alpine:3.23", registry.Ref{Domain: "docker.io", Path: "amd64/alpine", Tag: "3.23"}, "docker.io/amd64/alpine:3.23"},
		{"mcr.microsoft.com/dotnet/runtime:8.0", registry.Ref{Domain: "mcr.microsoft.com", Path: "dotnet/runtime", Tag: "8.0"}, "mcr.microsoft.com/dotnet/runtime:8.0"},
		{"127.0.0.1:5000/x/y:tag", registry.Ref{Domain: "127.0.0.1:5000", Path: "x/y", Tag: "tag"}, "127.0.0.1:5000/x/y:tag"},
		{"localhost/app", registry.Ref{Domain: "localhost", Path: "app", Tag: "latest"}, "localhost/app:latest"},
		{"alpine@" + pin, registry.Ref{Domain: "docker.io", Path: "library/alpine", Digest: pin}, "docker.io/library/alpine@" + pin},
		{"alpine:3.20@" + pin, registry.Ref{Domain: "docker.io", Path: "library/alpine", Tag: "3.20", Digest: pin}, "docker.io/library/alpine:3.20@" + pin},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := registry.Normalize(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.str, got.String())
			assert.Equal(t, tt.want.Domain+"/"+tt.want.Path, got.Name())
		})
	}
}

func TestNormalizeReference(t *testing.T) {
	t.Parallel()
	r, err := registry.Normalize("alpine:3.20")
	require.NoError(t, err)
	assert.Equal(t, "3.20", r.Reference())
	r, err = registry.Normalize("alpine:3.20@" + pin)
	require.NoError(t, err)
	assert.Equal(t, pin, r.Reference(), "a pinned reference is looked up by digest")
	assert.Equal(t, digest.Digest(pin), r.Digest)
}

func TestNormalizeInvalid(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "Alpine", "mcr.microsoft.com/dotnet/sdk:$TAG", "alpine:", "alpine@sha256:xyz", "a b"} {
		t.Run(in, func(t *testing.T) {
			_, err := registry.Normalize(in)
			require.Error(t, err)
			var re *registry.Error
			require.ErrorAs(t, err, &re)
			assert.Equal(t, registry.InvalidReference, re.Kind)
			assert.Equal(t, in, re.Ref)
			assert.Equal(t, "parse", re.Op)
		})
	}
}

// TestValidateOverride: an override is a registry host, with an optional path; anything
// else is an error, and credentials in it are never repeated.
func TestValidateOverride(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"acr.io", "127.0.0.1:5000", "ghcr.io/contoso", "localhost:5000/a/b", "docker.io"} {
		assert.NoError(t, registry.ValidateOverride(ok), ok)
	}
	for _, bad := range []string{"bob:s3cret@acr.io", "s3cret@acr.io", "https://acr.io", "acr.io/Team", "acr.io:5000:1", "acr.io/x:tag", ""} {
		err := registry.ValidateOverride(bad)
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "registry override", bad)
		assert.NotContains(t, err.Error(), "s3cret", bad)
	}
}

func TestRefPinned(t *testing.T) {
	t.Parallel()
	d := pin
	tests := []struct {
		in       string
		pinned   bool
		unpinned string // "" when there is no tag to look up
	}{
		{"alpine:3.20", false, "docker.io/library/alpine:3.20"},
		{"alpine:3.20@" + d, true, "docker.io/library/alpine:3.20"},
		{"mcr.microsoft.com/dotnet/runtime:8.0@" + d, true, "mcr.microsoft.com/dotnet/runtime:8.0"},
		{"alpine@" + d, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := registry.Normalize(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.pinned, r.Pinned())
			u, ok := r.Unpinned()
			assert.Equal(t, tt.unpinned != "", ok)
			if ok {
				assert.Equal(t, tt.unpinned, u.String())
				assert.False(t, u.Pinned())
			}
		})
	}
}
