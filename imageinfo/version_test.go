package imageinfo_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/baseflow/baseflow/imageinfo"
)

func TestMajorMinor(t *testing.T) {
	t.Parallel()
	// ImageBuilder's PlatformDataTests.GetIdentifier cases, and the edges.
	tests := map[string]string{
		"5.0.0-preview.3":    "5.0",
		"5.0":                "5.0",
		"5.0.1":              "5.0",
		"10.0.11":            "10.0",
		"11.0.100-preview.7": "11.0",
		"1.2.3.4":            "1.2",
		"08.01":              "8.1",
		"":                   "",
		// Not a version: ImageBuilder throws; kept as is, suffix dropped.
		"latest":        "latest",
		"1":             "1",
		"1.2.3.4.5":     "1.2.3.4.5",
		"1.x-preview":   "1.x",
		"99999999999.0": "99999999999.0",
	}
	for in, want := range tests {
		assert.Equal(t, want, imageinfo.MajorMinor(in), "MajorMinor(%q)", in)
	}
}

func TestProductVersionsEquivalent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b *string
		want bool
	}{
		{new("1.0.0"), new("1.0.1"), true},
		{new("8.0.30"), new("8.0"), true},
		{new("8.0.30"), new("8.1.0"), false},
		{new("10.0.11"), new("1.0.11"), false},
		{new("08.0"), new("8.0.1"), true},
		{new("1.2.3.4"), new("1.2"), true},
		// Preview versions do not parse: only equal strings match.
		{new("11.0.0-preview.7"), new("11.0.0-preview.7"), true},
		{new("11.0.0-preview.7"), new("11.0.0-preview.6"), false},
		{new("11.0.0-preview.7"), new("11.0.0"), false},
		{new("1"), new("1"), true},
		{new("1"), new("1.0"), false},
		{new("1.2.3.4.5"), new("1.2.3.4.6"), false},
		{nil, nil, true},
		{nil, new(""), false},
		{new(""), new(""), true},
		{nil, new("1.0"), false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, imageinfo.ProductVersionsEquivalent(tt.a, tt.b), "%v %v", str(tt.a), str(tt.b))
		assert.Equal(t, tt.want, imageinfo.ProductVersionsEquivalent(tt.b, tt.a), "symmetric")
	}
}

func str(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
