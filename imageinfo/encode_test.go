package imageinfo_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/imageinfo"
)

func TestRoundTripRealFilesByteForByte(t *testing.T) {
	t.Parallel()
	for _, name := range []string{dotnetDockerInfo, dockerToolsInfo} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data := readFile(t, name)
			d, err := imageinfo.Parse(name, data)
			require.NoError(t, err)
			out := imageinfo.Marshal(d)
			// Compare line by line first so a failure shows the first differing line.
			require.Equal(t, strings.Split(string(data), "\n"), strings.Split(string(out), "\n"))
			require.True(t, bytes.Equal(data, out))

			var w bytes.Buffer
			require.NoError(t, imageinfo.Write(&w, d))
			assert.Equal(t, data, w.Bytes())
		})
	}
}

func TestMarshalPlatformWithEmptyRequiredStrings(t *testing.T) {
	t.Parallel()
	// ImageBuilder's ImageArtifactDetailsTests.CanWriteJsonSchemaVersion2, plus the newline a
	// merge appends.
	d := &imageinfo.Document{Repos: []*imageinfo.Repo{{
		Repo: "testrepo",
		Images: []*imageinfo.Image{{
			Platforms: []*imageinfo.Platform{{
				Layers: []imageinfo.Layer{
					{Digest: new("sha256:layer1"), Size: 100},
					{Digest: new("sha256:layer2"), Size: 200},
				},
			}},
		}},
	}}}
	want := `{
  "schemaVersion": "2.0",
  "repos": [
    {
      "repo": "testrepo",
      "images": [
        {
          "platforms": [
            {
              "dockerfile": "",
              "digest": "",
              "osType": "",
              "osVersion": "",
              "architecture": "",
              "commitUrl": "",
              "layers": [
                {
                  "digest": "sha256:layer1",
                  "size": 100
                },
                {
                  "digest": "sha256:layer2",
                  "size": 200
                }
              ]
            }
          ]
        }
      ]
    }
  ]
}
`
	assert.Equal(t, want, string(imageinfo.Marshal(d)))
}

func TestMarshalOmissionRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  *imageinfo.Document
		want string
	}{
		{
			name: "empty document",
			doc:  &imageinfo.Document{},
			want: "{\n  \"schemaVersion\": \"2.0\"\n}\n",
		},
		{
			name: "schema version is always 2.0",
			doc:  &imageinfo.Document{SchemaVersion: "1.0", Repos: []*imageinfo.Repo{}},
			want: "{\n  \"schemaVersion\": \"2.0\"\n}\n",
		},
		{
			name: "repo without images, empty repo name written",
			doc:  &imageinfo.Document{Repos: []*imageinfo.Repo{{Repo: "dotnet/aspire-dashboard", Images: []*imageinfo.Image{}}, {}}},
			want: "{\n  \"schemaVersion\": \"2.0\",\n  \"repos\": [\n    {\n      \"repo\": \"dotnet/aspire-dashboard\"\n    },\n    {\n      \"repo\": \"\"\n    }\n  ]\n}\n",
		},
		{
			name: "image: nil product version omitted, empty manifest object written as {}",
			doc: &imageinfo.Document{Repos: []*imageinfo.Repo{{Repo: "r", Images: []*imageinfo.Image{
				{Manifest: &imageinfo.ManifestData{SharedTags: []string{}, SyndicatedDigests: []string{}}},
				{ProductVersion: new(""), Manifest: &imageinfo.ManifestData{Digest: new(""), Created: "2026-01-01T00:00:00Z"}},
			}}}},
			want: `{
  "schemaVersion": "2.0",
  "repos": [
    {
      "repo": "r",
      "images": [
        {
          "manifest": {}
        },
        {
          "productVersion": "",
          "manifest": {
            "digest": "",
            "created": "2026-01-01T00:00:00Z"
          }
        }
      ]
    }
  ]
}
`,
		},
		{
			name: "platform: every optional field set, in declaration order",
			doc: &imageinfo.Document{Repos: []*imageinfo.Repo{{Repo: "r", Images: []*imageinfo.Image{{
				ProductVersion: new("1.0"),
				Manifest: &imageinfo.ManifestData{
					Digest: new("r@sha256:m"), SyndicatedDigests: []string{"s@sha256:m"},
					Created: "2026-08-10T17:43:36.2833441Z", SharedTags: []string{"1.0"},
				},
				Platforms: []*imageinfo.Platform{{
					Dockerfile: "d/Dockerfile", SimpleTags: []string{"1.0-amd64"}, Digest: "r@sha256:p",
					BaseImageDigest: new(""), OSType: "Linux", OSVersion: "noble", Architecture: "amd64",
					Created: "2026-08-10T16:57:08.75Z", CommitURL: "https://x/blob/c/d/Dockerfile",
					Layers:      []imageinfo.Layer{{Digest: new("sha256:l")}, {Size: 7}},
					IsUnchanged: true,
				}},
			}}}}},
			want: `{
  "schemaVersion": "2.0",
  "repos": [
    {
      "repo": "r",
      "images": [
        {
          "productVersion": "1.0",
          "manifest": {
            "digest": "r@sha256:m",
            "syndicatedDigests": [
              "s@sha256:m"
            ],
            "created": "2026-08-10T17:43:36.2833441Z",
            "sharedTags": [
              "1.0"
            ]
          },
          "platforms": [
            {
              "dockerfile": "d/Dockerfile",
              "simpleTags": [
                "1.0-amd64"
              ],
              "digest": "r@sha256:p",
              "baseImageDigest": "",
              "osType": "Linux",
              "osVersion": "noble",
              "architecture": "amd64",
              "created": "2026-08-10T16:57:08.75Z",
              "commitUrl": "https://x/blob/c/d/Dockerfile",
              "layers": [
                {
                  "digest": "sha256:l"
                },
                {
                  "size": 7
                }
              ],
              "isUnchanged": true
            }
          ]
        }
      ]
    }
  ]
}
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, string(imageinfo.Marshal(tt.doc)))
		})
	}
}

func TestMarshalEscapesLikeNewtonsoft(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{`plain`, `"plain"`},
		{`<a href="x">&'</a>`, `"<a href=\"x\">&'</a>"`},
		{`back\slash/`, `"back\\slash/"`},
		{"\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f` + "\x7f" + `"`},
		{"é ünïcödé 中文 😀", `"é ünïcödé 中文 😀"`},
		{"next\u0085line\u2028para\u2029", `"next\u0085line\u2028para\u2029"`},
		{"bad\xffutf8", "\"bad\uFFFDutf8\""},
	}
	for _, tt := range tests {
		d := &imageinfo.Document{Repos: []*imageinfo.Repo{{Repo: tt.in}}}
		out := string(imageinfo.Marshal(d))
		assert.Contains(t, out, `"repo": `+tt.want+"\n", "input %q", tt.in)

		// What is written reads back as the same string (invalid UTF-8 aside).
		back, err := imageinfo.Parse("escaped.json", []byte(out))
		require.NoError(t, err)
		if !strings.Contains(tt.in, "\xff") {
			assert.Equal(t, tt.in, back.Repos[0].Repo)
		}
	}
}

func TestSchema1IsWrittenAsSchema2(t *testing.T) {
	t.Parallel()
	v1 := parseFile(t, dockerToolsV1)
	assert.Equal(t, "1.0", v1.SchemaVersion)
	out := string(imageinfo.Marshal(v1))
	assert.True(t, strings.HasPrefix(out, "{\n  \"schemaVersion\": \"2.0\",\n"))
	// String layers became layer objects whose zero size is omitted.
	assert.Contains(t, out, `              "layers": [
                {
                  "digest": "sha256:095875936ca701cbc109629099bfa102cc8d284c78a42bbe616940a08018c79f"
                },
`)
	assert.NotContains(t, out, `"size"`)
	// Everything else is as in the 1.0 file: rewrite its version and layers and compare.
	layer := regexp.MustCompile(`(?m)^( +)"(sha256:[0-9a-f]+)"(,?)$`)
	want := layer.ReplaceAllString(string(readFile(t, dockerToolsV1)), "$1{\n$1  \"digest\": \"$2\"\n$1}$3")
	want = strings.Replace(want, `"schemaVersion": "1.0"`, `"schemaVersion": "2.0"`, 1)
	assert.Equal(t, want, out)

	// And it reads back as the same document.
	again, err := imageinfo.Parse("again.json", []byte(out))
	require.NoError(t, err)
	assert.Equal(t, out, string(imageinfo.Marshal(again)))
}
