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
		"src/a'b":              "quote",
		`src/a"b`:              "quote",
		"src/a`b`":             "backtick",
		"src/a\nb":             "control",
		"src/a\rb":             "control",
		"src/a\tb":             "control",
		"src/a\x00b":           "control",
		"src/a\x1bb":           "control",
		"src/a\x7fb":           "control",
		"src/a\u0085b":         "control",
		"/src/a":               "absolute",
		`\src\a`:               "absolute",
		`C:\src\a`:             "absolute",
		"c:/src":               "absolute",
		"..":                   `".."`,
		"src/../../etc":        `".."`,
		`src\..\x`:             `".."`,
		"src/..":               `".."`,
		"":                     "empty",
		"   ":                  "empty",
		"src/\xff":             "UTF-8",
		"x' --push 'evil/repo": "quote",
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
