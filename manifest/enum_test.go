package manifest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/manifest"
)

// TestNumericEnums loads a manifest written as ImageBuilder's test fixtures write theirs:
// PascalCase names and enums as numbers.
func TestNumericEnums(t *testing.T) {
	t.Parallel()
	content := `{"Repos": [{"Name": "team/r", "Images": [{"SharedTags": {"1": {"DocType": 1}}, "Platforms": [
	  {"Dockerfile": "d", "OS": 0, "OsVersion": "noble", "Architecture": 1, "Tags": {"1-arm64": {"DocType": 2}},
	   "CustomBuildLegGroups": [{"Name": "pr", "Type": 1, "Dependencies": []}]},
	  {"Dockerfile": "d", "OS": 1, "OsVersion": "ltsc2022", "Architecture": 2, "Tags": {"1-win": {"DocType": 0}}},
	  {"Dockerfile": "d", "OS": "Linux", "OsVersion": "noble", "Architecture": 0, "Variant": "v7", "Tags": {"1-arm": {}}}]}]}]}`
	m, err := manifest.Load(mapFS(map[string]string{"manifest.json": content, "d/Dockerfile": "FROM alpine"}), "manifest.json", manifest.Options{})
	require.NoError(t, err)
	ps := m.Platforms()
	require.Len(t, ps, 3)
	assert.Equal(t, []string{"linux/arm64", "windows/amd64", "linux/arm"}, []string{ps[0].OS + "/" + ps[0].Architecture, ps[1].OS + "/" + ps[1].Architecture, ps[2].OS + "/" + ps[2].Architecture})
	assert.Equal(t, "PlatformDocumented", ps[0].Tags[0].Model.DocType)
	assert.Equal(t, "Documented", ps[1].Tags[0].Model.DocType)
	assert.Equal(t, "Undocumented", ps[0].Image.SharedTags[0].Model.DocType)
	assert.Equal(t, "Supplemental", ps[0].CustomBuildLegGroups[0].Type)
}

// TestErrorPositionsInMaps: errors inside map-valued fields (tags, buildArgs, sharedTags,
// variables) and enums name the line and column of the value's first character (of the key,
// for a key given twice) and its JSON path.
func TestErrorPositionsInMaps(t *testing.T) {
	t.Parallel()
	const head = "{\n  \"repos\": [\n    {\n      \"name\": \"team/r\",\n      \"images\": [\n        {\n          \"platforms\": [\n            {\n" +
		"              \"dockerfile\": \"d\",\n              \"os\": \"linux\",\n              \"osVersion\": \"noble\",\n"
	const tail = "\n            }\n          ]\n        }\n      ]\n    }\n  ]\n}\n"
	tests := []struct {
		name, platform, want string
	}{
		{"tag setting of the wrong type", `              "tags": {"1": {}, "2": {"docType": "Documented", "documentationGroup": 5}}`,
			`line 12, column 86: repos[0].images[0].platforms[0].tags["2"].documentationGroup: cannot use JSON number as string`},
		{"unknown enum number", `              "tags": {"1": {"docType": 7}}`,
			`line 12, column 41: repos[0].images[0].platforms[0].tags["1"].docType: 7 is not one of Documented (0), Undocumented (1), PlatformDocumented (2)`},
		{"build argument of the wrong type", "              \"tags\": {\"1\": {}},\n              \"buildArgs\": {\"A\": \"1\",\n                \"B\": [\"x\"]}",
			`line 14, column 22: repos[0].images[0].platforms[0].buildArgs.B: cannot use JSON array as string`},
		{"duplicate tag", "              \"tags\": {\"1\": {},\n                       \"1\": {}}",
			`line 13, column 24: repos[0].images[0].platforms[0].tags["1"]: key "1" appears twice`},
		{"tags not an object", `              "tags": ["1"]`,
			`line 12, column 23: repos[0].images[0].platforms[0].tags: expected a JSON object, got an array`},
		{"architecture out of range", "              \"tags\": {\"1\": {}},\n              \"architecture\": 3",
			`line 13, column 31: repos[0].images[0].platforms[0].architecture: 3 is not one of arm (0), arm64 (1), amd64 (2)`},
		{"platform field of the wrong type", "              \"tags\": {\"1\": {}},\n              \"variant\": 8",
			`line 13, column 26: repos[0].images[0].platforms[0].variant: cannot use JSON number as string`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			content := head + tc.platform + tail
			_, err := manifest.Load(mapFS(map[string]string{"manifest.json": content, "d/Dockerfile": "FROM alpine"}), "manifest.json", manifest.Options{})
			require.Error(t, err)
			assert.Equal(t, "manifest manifest.json: "+tc.want, err.Error())
		})
	}
	// Variables are a map too, at the top level.
	_, err := manifest.Load(mapFS(map[string]string{"manifest.json": "{\n  \"variables\": {\n    \"a\": \"1\",\n    \"b\": {}\n  },\n  \"repos\": []\n}"}), "manifest.json", manifest.Options{})
	require.Error(t, err)
	assert.Equal(t, "manifest manifest.json: line 4, column 10: variables.b: cannot use JSON object as string", err.Error())
}
