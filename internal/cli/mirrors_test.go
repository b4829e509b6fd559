package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMirrors(t *testing.T) {
	t.Parallel()
	m, err := ParseMirrors([]string{"docker.io=myacr.azurecr.io/mirror", "mcr.microsoft.com=a", "mcr.microsoft.com=b"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"docker.io": "myacr.azurecr.io/mirror", "mcr.microsoft.com": "b"}, m)
	for _, bad := range []string{"docker.io", "=x", "docker.io="} {
		_, err := ParseMirrors([]string{bad})
		var usage *UsageError
		require.ErrorAs(t, err, &usage, bad)
		assert.Equal(t, `--mirror "`+bad+`": want REGISTRY=TARGET`, err.Error())
	}
}
