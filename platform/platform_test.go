package platform_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/platform"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    platform.Platform
		wantErr bool
	}{
		{in: "linux/amd64", want: platform.Platform{OS: "linux", Architecture: "amd64"}},
		{in: "linux/arm64/v8", want: platform.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
		{in: "windows/amd64", want: platform.Platform{OS: "windows", Architecture: "amd64"}},
		{in: "linux", wantErr: true},
		{in: "linux/", wantErr: true},
		{in: "/amd64", wantErr: true},
		{in: "linux/arm/", wantErr: true},
		{in: "linux/arm/v7/x", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := platform.Parse(tt.in)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.in, got.String())
		})
	}
}

func TestPlatformMatches(t *testing.T) {
	t.Parallel()
	p := func(s string) platform.Platform {
		got, err := platform.Parse(s)
		require.NoError(t, err)
		return got
	}
	tests := []struct {
		want, candidate string
		match           bool
	}{
		{"linux/amd64", "linux/amd64", true},
		{"linux/amd64", "linux/arm64", false},
		{"linux/amd64", "windows/amd64", false},
		{"linux/arm64", "linux/arm64/v8", true},
		{"linux/arm64/v8", "linux/arm64", true},
		{"linux/aarch64", "linux/arm64/v8", true},
		{"linux/x86_64", "linux/amd64", true},
		{"LINUX/AMD64", "linux/amd64", true},
		{"linux/arm", "linux/arm/v7", true},
		{"linux/arm/v7", "linux/arm", true},
		{"linux/arm/v6", "linux/arm/v7", false},
		{"linux/arm", "linux/arm/v6", false},
		{"linux/amd64", "linux/amd64/v3", true}, // no variant asked: any variant
		{"linux/amd64/v3", "linux/amd64", false},
	}
	for _, tt := range tests {
		t.Run(tt.want+"~"+tt.candidate, func(t *testing.T) {
			assert.Equal(t, tt.match, p(tt.want).Matches(p(tt.candidate)))
		})
	}
}

func TestBestMatch(t *testing.T) {
	t.Parallel()
	cands := []platform.Platform{
		{OS: "linux", Architecture: "amd64", Variant: "v3"},
		{OS: "linux", Architecture: "amd64"},
		{OS: "linux", Architecture: "arm", Variant: "v6"},
		{OS: "linux", Architecture: "arm", Variant: "v7"},
		{OS: "linux", Architecture: "arm64", Variant: "v8"},
		{}, // an attestation entry without a platform
	}
	tests := []struct {
		want platform.Platform
		idx  int
	}{
		{platform.Platform{OS: "linux", Architecture: "amd64"}, 1}, // exact beats the earlier variant
		{platform.Platform{OS: "linux", Architecture: "amd64", Variant: "v3"}, 0},
		{platform.Platform{OS: "linux", Architecture: "arm"}, 3}, // arm means arm/v7
		{platform.Platform{OS: "linux", Architecture: "arm", Variant: "v6"}, 2},
		{platform.Platform{OS: "linux", Architecture: "arm64"}, 4},
		{platform.Platform{OS: "linux", Architecture: "s390x"}, -1},
		{platform.Platform{OS: "windows", Architecture: "amd64"}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.want.String(), func(t *testing.T) {
			assert.Equal(t, tt.idx, platform.BestMatch(cands, tt.want))
		})
	}
}

func TestSelectWindowsVersions(t *testing.T) {
	t.Parallel()
	cands := []platform.Platform{
		{OS: "windows", Architecture: "amd64", OSVersion: "10.0.17763.6414"},
		{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348.2762"},
		{OS: "linux", Architecture: "amd64"},
	}
	tests := []struct {
		want      platform.Platform
		idx       int
		ambiguous bool
	}{
		{platform.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348"}, 1, false},
		{platform.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.17763"}, 0, false},
		{platform.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.17763.6414"}, 0, false},
		{platform.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.2034"}, -1, false}, // a prefix of a component is no match
		{platform.Platform{OS: "windows", Architecture: "amd64"}, -1, true},
		{platform.Platform{OS: "linux", Architecture: "amd64"}, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.want.String(), func(t *testing.T) {
			i, err := platform.Select(cands, tt.want)
			assert.Equal(t, tt.idx, i)
			var ae *platform.AmbiguousError
			assert.Equal(t, tt.ambiguous, errors.As(err, &ae))
		})
	}
	// One Windows release only: no ambiguity without an os.version.
	i, err := platform.Select(cands[1:], platform.Platform{OS: "windows", Architecture: "amd64"})
	require.NoError(t, err)
	assert.Equal(t, 0, i)
}

func TestWindowsOSVersion(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ltsc2022": "10.0.20348", "nanoserver-ltsc2022": "10.0.20348", "windowsservercore-ltsc2019": "10.0.17763",
		"nanoserver-1809": "10.0.17763", "nanoserver-ltsc2025": "10.0.26100", "10.0.20348": "10.0.20348",
	} {
		got, ok := platform.WindowsOSVersion(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"noble", "alpine3.20", "azurelinux3.0-distroless", ""} {
		_, ok := platform.WindowsOSVersion(in)
		assert.False(t, ok, in)
	}
}

// TestSelectWindowsEntryWithoutVersion: an index whose one Windows entry carries no os.version
// (made with `docker manifest create` without --os-version) still answers for the release
// the request names; with several such entries none is chosen.
func TestSelectWindowsEntryWithoutVersion(t *testing.T) {
	t.Parallel()
	want := platform.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348"}
	unlabeled := platform.Platform{OS: "windows", Architecture: "amd64"}
	linux := platform.Platform{OS: "linux", Architecture: "amd64"}

	i, err := platform.Select([]platform.Platform{linux, unlabeled}, want)
	require.NoError(t, err)
	assert.Equal(t, 1, i)

	labeled := platform.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348.2762"}
	i, err = platform.Select([]platform.Platform{unlabeled, labeled}, want)
	require.NoError(t, err)
	assert.Equal(t, 1, i, "an entry of the release wins over one without os.version")

	other := platform.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.17763.6414"}
	i, err = platform.Select([]platform.Platform{other}, want)
	require.NoError(t, err)
	assert.Equal(t, -1, i, "another release is never the answer")

	i, err = platform.Select([]platform.Platform{unlabeled, unlabeled}, want)
	require.NoError(t, err)
	assert.Equal(t, -1, i, "two entries without os.version: neither is known to be the release")
}
