package manifest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/baseflow/baseflow/manifest"
)

func TestFilter(t *testing.T) {
	t.Parallel()
	m := dotnetDocker(t)
	count := func(f manifest.Filter) int { return len(f.Platforms(m)) }

	tests := []struct {
		name   string
		filter manifest.Filter
		want   int
	}{
		{"zero keeps all", manifest.Filter{}, 601},
		{"os type", manifest.Filter{OSType: "linux"}, 547},
		{"os type ignores case", manifest.Filter{OSType: "WINDOWS"}, 54},
		{"os type glob", manifest.Filter{OSType: "*"}, 601},
		{"architecture", manifest.Filter{Architecture: "arm"}, 131},
		{"architecture is anchored", manifest.Filter{Architecture: "arm*"}, 339},
		{"os version", manifest.Filter{OSVersions: []string{"noble"}}, countWhere(m, func(p *manifest.Platform) bool { return p.OSVersion == "noble" })},
		{"os versions are alternatives", manifest.Filter{OSVersions: []string{"noble", "jammy"}}, countWhere(m, func(p *manifest.Platform) bool { return p.OSVersion == "noble" || p.OSVersion == "jammy" })},
		{"path glob on the raw dockerfile value", manifest.Filter{Paths: []string{"src/runtime-deps/8.0/*"}}, countWhere(m, func(p *manifest.Platform) bool {
			return len(p.Dockerfile) > len("src/runtime-deps/8.0/") && p.Dockerfile[:len("src/runtime-deps/8.0/")] == "src/runtime-deps/8.0/"
		})},
		{"exact path", manifest.Filter{Paths: []string{"src/runtime/8.0/bookworm-slim/arm32v7"}}, 1},
		{"path with '?'", manifest.Filter{Paths: []string{"src/runtime/8.0/bookworm-slim/arm??v?"}}, 2},
		{"path dots are literal", manifest.Filter{Paths: []string{"src/runtime/8x0/bookworm-slim/arm32v7"}}, 0},
		{"product version drops whole images", manifest.Filter{ProductVersions: []string{"8.0.*"}}, countWhere(m, func(p *manifest.Platform) bool { return p.Image.ProductVersion[:4] == "8.0." })},
		{"repo is exact", manifest.Filter{Repos: []string{"dotnet/monitor"}}, countWhere(m, func(p *manifest.Platform) bool { return p.Repo().Name == "dotnet/monitor" })},
		{"combined", manifest.Filter{OSType: "linux", Architecture: "amd64", Repos: []string{"dotnet/sdk"}}, countWhere(m, func(p *manifest.Platform) bool {
			return p.OS == "linux" && p.Architecture == "amd64" && p.Repo().Name == "dotnet/sdk"
		})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, count(tc.filter))
			for _, p := range tc.filter.Platforms(m) {
				assert.True(t, tc.filter.Match(p))
			}
		})
	}
	assert.True(t, manifest.Filter{}.IsZero())
	assert.False(t, manifest.Filter{Paths: []string{"x"}}.IsZero())
}

func countWhere(m *manifest.Manifest, keep func(*manifest.Platform) bool) int {
	n := 0
	for _, p := range m.Platforms() {
		if keep(p) {
			n++
		}
	}
	return n
}

func TestGlob(t *testing.T) {
	t.Parallel()
	tests := []struct {
		patterns []string
		value    string
		want     bool
	}{
		{nil, "anything", true},
		{[]string{"linux"}, "Linux", true},
		{[]string{"lin"}, "linux", false},
		{[]string{"l*x"}, "linux", true},
		{[]string{"a", "b"}, "b", true},
		{[]string{"a+b"}, "aab", false},
		{[]string{"a+b"}, "a+b", true},
		{[]string{"(x)"}, "(x)", true},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, manifest.Glob(tc.patterns, tc.value), "%q ~ %q", tc.patterns, tc.value)
	}
}

func BenchmarkLoadDotnetDocker(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		dotnetDocker(b)
	}
}
