package dispatch_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch"
)

func TestPathArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		paths []string
		want  string
	}{
		{nil, ""},
		{[]string{"src/a"}, "--path 'src/a'"},
		{
			[]string{"src/runtime-deps/8.0/bookworm-slim/arm32v7", "src/runtime/8.0/bookworm-slim/arm32v7"},
			"--path 'src/runtime-deps/8.0/bookworm-slim/arm32v7' --path 'src/runtime/8.0/bookworm-slim/arm32v7'",
		},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, dispatch.PathArgs(tt.paths))
	}
}

func TestParameters(t *testing.T) {
	t.Parallel()
	// The reference example of ImageBuilder's queueBuild, byte for byte.
	got := dispatch.Parameters("imageBuilder.pathArgs",
		"--path 'src/runtime-deps/8.0/bookworm-slim/arm32v7' --path 'src/runtime/8.0/bookworm-slim/arm32v7'")
	assert.Equal(t, `{"imageBuilder.pathArgs": "--path 'src/runtime-deps/8.0/bookworm-slim/arm32v7' --path 'src/runtime/8.0/bookworm-slim/arm32v7'"}`, got)

	// Where ImageBuilder would produce broken JSON, the string stays valid and round-trips.
	for _, tc := range []struct{ variable, value string }{
		{`odd"name`, `a\b`},
		{"x", "p&q <r>"},
		{"x", "tab\there"},
	} {
		params := dispatch.Parameters(tc.variable, tc.value)
		var m map[string]string
		require.NoError(t, json.Unmarshal([]byte(params), &m), params)
		assert.Equal(t, map[string]string{tc.variable: tc.value}, m)
	}
	assert.Equal(t, `{"x": "p&q <r>"}`, dispatch.Parameters("x", "p&q <r>"), "no HTML escaping")
}

func TestValidatePath(t *testing.T) {
	t.Parallel()
	ok := []string{
		"src/runtime/8.0/bookworm-slim/amd64",
		"src/sdk/8.0/nanoserver-ltsc2022/amd64",
		"src/a b/c",
		"src/..hidden/x",
		"src/a.../b",
		"Dockerfile",
		"src/é/ü",
	}
	for _, p := range ok {
		assert.NoError(t, dispatch.ValidatePath(p), p)
	}
	refused := map[string]string{
		"src/a'b":                    "U+0027 (') at position 6",
		`src/a"b`:                    `U+0022 (") at position 6`,
		"src/a`b`":                   "U+0060 (`) at position 6",
		"src/a\u2018b":               "U+2018 (\u2018) at position 6",
		"src/a\u2019 --push \u2019x": "U+2019 (\u2019) at position 6",
		"\u201asrc":                  "U+201A (\u201a) at position 1",
		"src\u201b":                  "U+201B (\u201b) at position 4",
		"src/a\u201cb":               "U+201C",
		"src/a\nb":                   "U+000A at position 6",
		"src/a\rb":                   "U+000D",
		"src/a\tb":                   "U+0009",
		"src/a\x00b":                 "U+0000",
		"src/a\x1bb":                 "U+001B",
		"src/a\x7fb":                 "U+007F",
		"src/a\u0085b":               "U+0085",
		"src/a;b":                    "U+003B (;)",
		"src/$(x)":                   "U+0024 ($)",
		"/src/a":                     "absolute",
		`\src\a`:                     "U+005C",
		`C:\src\a`:                   "U+003A (:) at position 2",
		"c:/src":                     "U+003A",
		"..":                         `".."`,
		"src/../../etc":              `".."`,
		"src/..":                     `".."`,
		"":                           "empty",
		"   ":                        "empty",
		"src/\xff":                   "position 5 is not valid UTF-8",
		"x' --push 'evil/repo":       "U+0027 (') at position 2",
	}
	for p, want := range refused {
		err := dispatch.ValidatePath(p)
		require.Error(t, err, "%q", p)
		var pe *dispatch.PathError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, p, pe.Path)
		assert.Contains(t, err.Error(), want, "%q", p)
	}
}
