package registry_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/registry"
)

func TestMirrorsRewrite(t *testing.T) {
	t.Parallel()
	m := registry.Mirrors{
		"docker.io":         "myacr.azurecr.io/mirror",
		"docker.io/library": "myacr.azurecr.io/official/",
		"ubuntu.azurecr.io": "myacr.azurecr.io/mirror/ubuntu.azurecr.io",
	}
	tests := []struct{ in, want string }{
		{"alpine:3.20", "myacr.azurecr.io/official/alpine:3.20"}, // longest prefix wins
		{"amd64/alpine:3.23", "myacr.azurecr.io/mirror/amd64/alpine:3.23"},
		{"ubuntu.azurecr.io/ubuntu:noble", "myacr.azurecr.io/mirror/ubuntu.azurecr.io/ubuntu:noble"},
		{"mcr.microsoft.com/dotnet/runtime:8.0", "mcr.microsoft.com/dotnet/runtime:8.0"},
		{"docker.io.example.com/x:1", "docker.io.example.com/x:1"}, // prefix only at a path boundary
		{"amd64/alpine@" + pin, "myacr.azurecr.io/mirror/amd64/alpine@" + pin},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := m.Rewrite(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestMirrorsRewriteInvalid(t *testing.T) {
	t.Parallel()
	_, err := registry.Mirrors{"docker.io": "MyACR.azurecr.io/Mirror"}.Rewrite("alpine:3.20")
	require.Error(t, err)
	_, err = registry.Mirrors{}.Rewrite("Alpine")
	assert.Equal(t, registry.InvalidReference, registry.KindOf(err))
}
