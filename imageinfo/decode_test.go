package imageinfo_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/internal/jsonerr"
)

const minimalPlatform = `"dockerfile": "d", "digest": "x", "osType": "Linux", "osVersion": "noble", "architecture": "amd64", "commitUrl": "u"`

func TestParseSchema1(t *testing.T) {
	t.Parallel()
	// ImageBuilder's ImageArtifactDetailsTests.CanReadJsonSchemaVersion1, shortened.
	d, err := imageinfo.Parse("v1.json", []byte(`{
  "schemaVersion": "1.0",
  "repos": [{"repo": "repo1", "images": [{"productVersion": "1.0.0", "platforms": [
    {`+minimalPlatform+`, "layers": ["sha256:platform1layer1sha", "sha256:platform1layer2sha"]},
    {`+minimalPlatform+`, "layers": [{"digest": "sha256:objectlayer", "size": 3}, "sha256:mixed"]}
  ]}]}]
}`))
	require.NoError(t, err)
	assert.Equal(t, "1.0", d.SchemaVersion)
	layers := d.Repos[0].Images[0].Platforms[0].Layers
	require.Len(t, layers, 2)
	assert.Equal(t, imageinfo.Layer{Digest: new("sha256:platform1layer1sha")}, layers[0])
	assert.Equal(t, imageinfo.Layer{Digest: new("sha256:platform1layer2sha")}, layers[1])
	// Both layer forms are accepted whatever the declared version, as ImageBuilder does.
	assert.Equal(t, []imageinfo.Layer{{Digest: new("sha256:objectlayer"), Size: 3}, {Digest: new("sha256:mixed")}},
		d.Repos[0].Images[0].Platforms[1].Layers)

	real := parseFile(t, dockerToolsV1)
	require.Len(t, real.Repos, 1)
	p := real.Repos[0].Images[0].Platforms[0]
	assert.Len(t, p.Layers, 7)
	assert.Equal(t, "sha256:095875936ca701cbc109629099bfa102cc8d284c78a42bbe616940a08018c79f", *p.Layers[0].Digest)
	assert.Zero(t, p.Layers[0].Size)
}

func TestParseRealFile(t *testing.T) {
	t.Parallel()
	d := parseFile(t, dotnetDockerInfo)
	assert.Equal(t, "2.0", d.SchemaVersion)
	assert.Equal(t, imageinfo.Counts{Repos: 7, Images: 261, Platforms: 599}, d.Count())
	manifests, baseDigests, layers := 0, 0, 0
	for _, r := range d.Repos {
		for _, img := range r.Images {
			if img.Manifest != nil {
				manifests++
			}
			for _, p := range img.Platforms {
				if p.BaseImageDigest != nil {
					baseDigests++
				}
				layers += len(p.Layers)
			}
		}
	}
	// Reference section 8.
	assert.Equal(t, 207, manifests)
	assert.Equal(t, 565, baseDigests)
	assert.Equal(t, 3380, layers)
	assert.Equal(t, "dotnet/aspire-dashboard", d.Repos[0].Repo)
	assert.Empty(t, d.Repos[0].Images)

	p := d.Repos[1].Images[0].Platforms[0]
	assert.Equal(t, "src/aspnet/10.0/alpine3.23-composite-extra/amd64/Dockerfile", p.Dockerfile)
	assert.Equal(t, "2026-08-10T16:57:08.7545899Z", p.Created)
	assert.Equal(t, imageinfo.Layer{Digest: new("sha256:f72c62ad5cbbaa851fa755ae4d5d82bdfaff12872df90255787ce2b17b401600"), Size: 163}, p.Layers[0])
}

func TestParseNamesAndValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		check func(t *testing.T, d *imageinfo.Document)
	}{
		{
			name:  "property names match case-insensitively",
			input: `{"SCHEMAVERSION": "2.0", "Repos": [{"REPO": "r", "images": [{"ProductVersion": "1.0", "PLATFORMS": [{"Dockerfile": "d", "DIGEST": "x", "ostype": "Linux", "OsVersion": "noble", "Architecture": "amd64", "commitURL": "u", "IsUnchanged": true, "SimpleTags": ["a"]}]}]}]}`,
			check: func(t *testing.T, d *imageinfo.Document) {
				p := d.Repos[0].Images[0].Platforms[0]
				assert.Equal(t, "1.0", *d.Repos[0].Images[0].ProductVersion)
				assert.Equal(t, imageinfo.Platform{Dockerfile: "d", Digest: "x", OSType: "Linux", OSVersion: "noble", Architecture: "amd64", CommitURL: "u", IsUnchanged: true, SimpleTags: []string{"a"}}, *p)
			},
		},
		{
			name:  "unknown properties are skipped, whatever they hold",
			input: `{"schemaVersion": "2.0", "extra": {"a": [1, -2.5e3, true, false, null, "s\"", {"b": []}]}, "repos": [{"repo": "r", "syndicatedRepo": "x", "images": [{"platforms": [{` + minimalPlatform + `, "fromImages": {"a": "b"}}]}]}]}`,
			check: func(t *testing.T, d *imageinfo.Document) {
				assert.Equal(t, "d", d.Repos[0].Images[0].Platforms[0].Dockerfile)
			},
		},
		{
			name:  "null and empty strings stay distinct",
			input: `{"schemaVersion": "2.0", "repos": [{"repo": "r", "images": [{"productVersion": null, "manifest": {"digest": ""}, "platforms": [{` + minimalPlatform + `, "baseImageDigest": ""}, {` + minimalPlatform + `, "baseImageDigest": null}]}, {"productVersion": ""}]}]}`,
			check: func(t *testing.T, d *imageinfo.Document) {
				img := d.Repos[0].Images[0]
				assert.Nil(t, img.ProductVersion)
				assert.Equal(t, new(""), img.Manifest.Digest)
				assert.Equal(t, new(""), img.Platforms[0].BaseImageDigest)
				assert.Nil(t, img.Platforms[1].BaseImageDigest)
				assert.Equal(t, new(""), d.Repos[0].Images[1].ProductVersion)
			},
		},
		{
			name:  "null lists, objects and optional values read as absent",
			input: `{"schemaVersion": "2.0", "repos": [{"repo": "r", "images": null}, {"repo": "s", "images": [{"manifest": null, "platforms": null}, {"platforms": [{` + minimalPlatform + `, "simpleTags": null, "layers": null, "created": null, "isUnchanged": null}]}]}]}`,
			check: func(t *testing.T, d *imageinfo.Document) {
				assert.Nil(t, d.Repos[0].Images)
				assert.Nil(t, d.Repos[1].Images[0].Manifest)
				p := d.Repos[1].Images[1].Platforms[0]
				assert.Nil(t, p.SimpleTags)
				assert.Empty(t, p.Created)
				assert.False(t, p.IsUnchanged)
			},
		},
		{
			name:  "escapes, surrogate pairs and a byte order mark",
			input: "\xEF\xBB\xBF" + `{"schemaVersion": "2.0", "repos": [{"\u0072epo": "a\u00e9\ud83d\ude00\n\/\"\\\ud800z\t"}]}`,
			check: func(t *testing.T, d *imageinfo.Document) {
				assert.Equal(t, "aé😀\n/\"\\\uFFFDz\t", d.Repos[0].Repo)
			},
		},
		{
			name:  "invalid UTF-8 reads as U+FFFD",
			input: "{\"schemaVersion\": \"2.0\", \"repos\": [{\"repo\": \"a\xffb\"}]}",
			check: func(t *testing.T, d *imageinfo.Document) {
				assert.Equal(t, "a\uFFFDb", d.Repos[0].Repo)
			},
		},
		{
			name:  "the last of duplicate properties wins",
			input: `{"schemaVersion": "2.0", "repos": [{"repo": "a", "Repo": "b"}]}`,
			check: func(t *testing.T, d *imageinfo.Document) {
				assert.Equal(t, "b", d.Repos[0].Repo)
			},
		},
		{
			name:  "large layer sizes",
			input: `{"schemaVersion": "2.0", "repos": [{"repo": "r", "images": [{"platforms": [{` + minimalPlatform + `, "layers": [{"size": 9223372036854775807}, {"size": -1}, {"size": 0}]}]}]}]}`,
			check: func(t *testing.T, d *imageinfo.Document) {
				l := d.Repos[0].Images[0].Platforms[0].Layers
				assert.Equal(t, []imageinfo.Layer{{Size: 9223372036854775807}, {Size: -1}, {}}, l)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := imageinfo.Parse("in.json", []byte(tt.input))
			require.NoError(t, err)
			tt.check(t, d)
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	platform := func(extra string) string {
		return "{\n\"schemaVersion\": \"2.0\",\n\"repos\": [{\"repo\": \"r\", \"images\": [{\"platforms\": [\n" + extra + "\n]}]}]}"
	}
	tests := []struct {
		name, input string
		want        string // the whole message, file:line:col included
	}{
		{"empty input", ``, "in.json:1:1: unexpected end of JSON input"},
		{"not an object", `[1]`, "in.json:1:1: an image-info document must be a JSON object, not an array"},
		{"invalid JSON", "{\n  \"schemaVersion\": \"2.0\",\n  \"repos\": [}\n", "in.json:3:13: field repos[0]: invalid character '}'"},
		{"truncated", "{\"schemaVersion\": \"2.0\", \"repos\": [", "in.json:1:36: field repos[0]: unexpected end of JSON input"},
		{"trailing data", `{"schemaVersion": "2.0"} {}`, "in.json:1:26: unexpected data after the top-level object"},
		{"missing schema version", `{"repos": []}`, "in.json:1:1: schemaVersion is missing: not an image-info document"},
		{"unsupported schema version", `{"schemaVersion": "3.0"}`, `in.json:1:19: field schemaVersion: unsupported schemaVersion "3.0": want "1.0" or "2.0"`},
		{"null schema version", `{"schemaVersion": null}`, `in.json:1:19: field schemaVersion: schemaVersion must not be null`},
		{"number schema version", `{"schemaVersion": 2.0}`, `in.json:1:19: field schemaVersion: must be a string, not a number`},
		{"repos not an array", `{"schemaVersion": "2.0", "repos": {}}`, "in.json:1:35: field repos: must be an array, not an object"},
		{"missing repo name", `{"schemaVersion": "2.0", "repos": [{"images": []}]}`, `in.json:1:36: field repos[0]: required property "repo" is missing`},
		{"null repo name", `{"schemaVersion": "2.0", "repos": [{"repo": null}]}`, `in.json:1:45: field repos[0].repo: required property must not be null`},
		{"missing platform digest", platform(`{"dockerfile": "d", "osType": "Linux", "osVersion": "noble", "architecture": "amd64", "commitUrl": "u"}`), `in.json:4:1: field repos[0].images[0].platforms[0]: required property "digest" is missing`},
		{"wrong type in a platform", platform(`{` + minimalPlatform + `,` + "\n" + `"isUnchanged": "yes"}`), `in.json:5:16: field repos[0].images[0].platforms[0].isUnchanged: must be a boolean, not a string`},
		{"tag that is not a string", platform(`{` + minimalPlatform + `, "simpleTags": ["a", 1]}`), `in.json:4:140: field repos[0].images[0].platforms[0].simpleTags[1]: must be a string, not a number`},
		{"null tag", platform(`{` + minimalPlatform + `, "simpleTags": [null]}`), `in.json:4:135: field repos[0].images[0].platforms[0].simpleTags[0]: must be a string, not null`},
		{"bad layer", platform(`{` + minimalPlatform + `, "layers": [true]}`), `in.json:4:131: field repos[0].images[0].platforms[0].layers[0]: must be a digest string or a layer object, not a boolean`},
		{"fractional layer size", platform(`{` + minimalPlatform + `, "layers": [{"size": 1.5}]}`), `in.json:4:140: field repos[0].images[0].platforms[0].layers[0].size: must be an integer that fits in 64 bits, not 1.5`},
		{"control character in a string", "{\"schemaVersion\": \"2\n.0\"}", "in.json:1:21: field schemaVersion: invalid character '\\n' in string literal"},
		{"bad escape", `{"schemaVersion": "\x"}`, `in.json:1:21: field schemaVersion: invalid escape character 'x' in string literal`},
		{"bad number", `{"schemaVersion": "2.0", "x": 01}`, `in.json:1:32: invalid character '1'`},
		{"bad literal", `{"schemaVersion": "2.0", "x": nul}`, `in.json:1:34: invalid character '}'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := imageinfo.Parse("in.json", []byte(tt.input))
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			var je *jsonerr.Error
			assert.True(t, errors.As(err, &je), "a *jsonerr.Error")
		})
	}
}

func TestParseDeepNesting(t *testing.T) {
	t.Parallel()
	input := `{"schemaVersion": "2.0", "x": ` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`
	_, err := imageinfo.Parse("deep.json", []byte(input))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "values nested too deeply")
}

// endless is an endless stream of spaces that counts what was read from it.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	e.n += int64(len(p))
	return len(p), nil
}

func TestReadSizeLimit(t *testing.T) {
	t.Parallel()
	src := &endless{}
	_, err := imageinfo.Read("huge.json", src, imageinfo.WithMaxSize(1<<20))
	require.ErrorIs(t, err, imageinfo.ErrTooLarge)
	assert.Contains(t, err.Error(), "huge.json")
	// Refused after reading the limit plus what one read call brings, not the whole stream.
	assert.Less(t, src.n, int64(2<<20))

	_, err = imageinfo.Parse("big.json", []byte(`{"schemaVersion": "2.0"}`), imageinfo.WithMaxSize(10))
	require.ErrorIs(t, err, imageinfo.ErrTooLarge)

	d, err := imageinfo.Read("ok.json", io.MultiReader(strings.NewReader(`{"schemaVersion": "2.0"}`)), imageinfo.WithMaxSize(24))
	require.NoError(t, err)
	assert.Equal(t, "2.0", d.SchemaVersion)
}
