package repopath_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/baseflow/baseflow/internal/repopath"
)

func TestProblem(t *testing.T) {
	t.Parallel()
	tests := []struct{ path, want string }{
		{"src/runtime/8.0/alpine3.20/amd64", ""},
		{"src/sdk/9.0/nanoserver-ltsc2022/amd64/Dockerfile", ""},
		{"a_b-c.d/e+f@g,h=i~j", ""},
		{"src/café/日本/Ωmega", ""},
		{"", "empty"},
		// The quotes PowerShell ends a single-quoted string on, besides the ASCII one.
		{"src/a\u2018b", "character U+2018 (\u2018) at position 6 is not allowed; use letters, digits, spaces and ._-/+@,=~"},
		{"src/a\u2019 --push \u2019x", "character U+2019 (\u2019) at position 6 is not allowed; use letters, digits, spaces and ._-/+@,=~"},
		{"\u201asrc", "character U+201A (\u201a) at position 1 is not allowed; use letters, digits, spaces and ._-/+@,=~"},
		{"src\u201b", "character U+201B (\u201b) at position 4 is not allowed; use letters, digits, spaces and ._-/+@,=~"},
		{"src/\u201cx\u201d", "character U+201C (\u201c) at position 5 is not allowed; use letters, digits, spaces and ._-/+@,=~"},
		{"a'b", "character U+0027 (') at position 2 is not allowed; use letters, digits, spaces and ._-/+@,=~"},
		{`a"b`, "character U+0022 (\") at position 2 is not allowed; use letters, digits, spaces and ._-/+@,=~"},
		{"a`b", "character U+0060 (`) at position 2 is not allowed; use letters, digits, spaces and ._-/+@,=~"},
		{"a b", ""},
		{"  ", "empty"},
		{"a\u00a0b", "character U+00A0 at position 2 is not allowed; use letters, digits, spaces and ._-/+@,=~"},
		{"a\nb", "character U+000A at position 2 is not allowed; use letters, digits, spaces and ._-/+@,=~"},
		{"a\u200bb", "character U+200B at position 2 is not allowed; use letters, digits, spaces and ._-/+@,=~"},
		{"a;b", "character U+003B (;) at position 2 is not allowed; use letters, digits, spaces and ._-/+@,=~"},
		{"a$b", "character U+0024 ($) at position 2 is not allowed; use letters, digits, spaces and ._-/+@,=~"},
		{"a\\b", "character U+005C (\\) at position 2 is not allowed; use letters, digits, spaces and ._-/+@,=~"},
		{"C:/x", "character U+003A (:) at position 2 is not allowed; use letters, digits, spaces and ._-/+@,=~"},
		{"é\xffb", "a byte at position 2 is not valid UTF-8"},
		{"/etc/passwd", "is absolute; expected a path relative to the repository"},
		{"src/../../x", `has a ".." segment`},
		{"..", `has a ".." segment`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, repopath.Problem(tt.path), "%q", tt.path)
	}
}

// TestNoQuoteOrSeparatorAllowed walks every character a shell treats as a quote or
// separator, in ASCII and in the Unicode quotation-mark and space categories.
func TestNoQuoteOrSeparatorAllowed(t *testing.T) {
	t.Parallel()
	for _, r := range "'\"`$;&|<>(){}[]*?!#%^\t\\:\u00ab\u00bb\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2039\u203a\u2013\u2014\u2015\u00a0\u2028\u2029\u3000\uff02\uff07\ufeff" {
		assert.False(t, repopath.Allow(r), "U+%04X", r)
		assert.Error(t, repopath.CheckChars("a"+string(r)), "U+%04X", r)
	}
}
