package watch_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/watch"
)

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return data
}

func TestParseSamples(t *testing.T) {
	t.Parallel()
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return v
	}
	tests := []struct {
		file   string
		format watch.Format
		want   []watch.Event
		pushes []string // normalized refs of the tag pushes
	}{
		{
			file: "distribution-push.json", format: watch.Distribution,
			want: []watch.Event{{
				Format: watch.Distribution, Action: "push", Host: "registry.example.com", Repository: "library/alpine", Tag: "3.20",
				Digest:    "sha256:1f0b5a1d1c7e6c3bc3b0bda5f1b6c4b4a8a1b9a2f7b3e3c1d0a9e8f7c6b5a4d3",
				MediaType: "application/vnd.oci.image.index.v1+json", ID: "6f0b0c5e-2c1a-4d5e-9a55-0c8d3b1e7a21",
				Time: ts("2026-03-02T09:14:07.512366212Z"),
			}},
			pushes: []string{"registry.example.com/library/alpine:3.20"},
		},
		{
			file: "distribution-mixed.json", format: watch.Distribution,
			// blob push, platform manifest by digest, index by tag, pull: only the third moves a tag
			pushes: []string{"registry.example.com/library/alpine:3.20"},
		},
		{
			file: "dockerhub-push.json", format: watch.DockerHub,
			want: []watch.Event{{
				Format: watch.DockerHub, Action: "push", Host: "docker.io", Repository: "octo/base", Tag: "noble",
				Time: time.Unix(1772442847, 0).UTC(),
			}},
			pushes: []string{"docker.io/octo/base:noble"},
		},
		{
			file: "acr-push.json", format: watch.ACR,
			want: []watch.Event{{
				Format: watch.ACR, Action: "push", Host: "myacr.azurecr.io", Repository: "mirror/library/alpine", Tag: "3.20",
				Digest:    "sha256:0fdc1f5aa6ee3b7c1e35d2e3a57d3a8f6c3d8a3c2b1a0f9e8d7c6b5a4f3e2d1c",
				MediaType: "application/vnd.docker.distribution.manifest.list.v2+json", ID: "cb8c3971-9adc-488b-bdd8-43cbb4974ff5",
				Time: ts("2026-03-02T09:14:07.343145347Z"),
			}},
			pushes: []string{"myacr.azurecr.io/mirror/library/alpine:3.20"},
		},
		{file: "acr-chart-push.json", format: watch.ACR}, // chart_push: not an image tag push
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			body := readSample(t, tt.file)
			format, err := watch.Detect(body)
			require.NoError(t, err)
			assert.Equal(t, tt.format, format)

			detected, err := watch.Parse("", body)
			require.NoError(t, err)
			forced, err := watch.Parse(tt.format, body)
			require.NoError(t, err)
			assert.Equal(t, forced, detected)
			if tt.want != nil {
				assert.Equal(t, tt.want, detected)
			}
			var pushes []string
			for _, e := range detected {
				assert.Equal(t, tt.format, e.Format)
				if e.IsTagPush() {
					r, err := e.Ref()
					require.NoError(t, err)
					pushes = append(pushes, r.String())
				}
			}
			assert.Equal(t, tt.pushes, pushes)
		})
	}
}

func TestParseDistributionMixed(t *testing.T) {
	t.Parallel()
	events, err := watch.Parse(watch.Distribution, readSample(t, "distribution-mixed.json"))
	require.NoError(t, err)
	require.Len(t, events, 4)
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Action+" tag="+e.Tag+" "+e.MediaType)
	}
	assert.Equal(t, []string{
		"push tag= application/octet-stream",
		"push tag= application/vnd.oci.image.manifest.v1+json",
		"push tag=3.20 application/vnd.oci.image.index.v1+json",
		"pull tag=3.20 application/vnd.oci.image.index.v1+json",
	}, kinds)
	assert.False(t, events[1].IsTagPush(), "a manifest pushed by digest moves no tag")
	_, err = events[1].Ref()
	assert.Error(t, err)
}

func TestParseForcedFormatMismatch(t *testing.T) {
	t.Parallel()
	samples := map[watch.Format]string{
		watch.Distribution: "distribution-push.json",
		watch.DockerHub:    "dockerhub-push.json",
		watch.ACR:          "acr-push.json",
	}
	for _, f := range watch.Formats {
		for g, file := range samples {
			if f == g {
				continue
			}
			t.Run(string(f)+"/"+file, func(t *testing.T) {
				t.Parallel()
				_, err := watch.Parse(f, readSample(t, file))
				var fe *watch.FormatError
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, f, fe.Format)
				assert.Contains(t, err.Error(), "not a "+string(f)+" webhook body")
			})
		}
	}
}

func TestParseUnknown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
	}{
		{"not JSON", `hello`, "invalid JSON"},
		{"array", `[{"events": []}]`, "JSON array where an object was expected"},
		{"other webhook", `{"ref": "refs/heads/main", "repository": {"full_name": "octo/images"}}`, `no "events", "push_data" or "action" and "target" field`},
		{"action without target", `{"action": "push"}`, `no "events"`},
		{"empty", ``, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := watch.Detect([]byte(tt.body))
			var fe *watch.FormatError
			require.ErrorAs(t, err, &fe)
			assert.Empty(t, fe.Format)
			assert.Contains(t, err.Error(), tt.want)
			_, err = watch.Parse("", []byte(tt.body))
			assert.True(t, errors.As(err, &fe))
		})
	}
}

func TestParseInvalidShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format     watch.Format
		body, want string
	}{
		{watch.Distribution, `{"events": null}`, `no "events" array`},
		{watch.Distribution, `{"events": {"action": "push"}}`, "field events"},
		{watch.Distribution, `{"events": []} {"events": []}`, "unexpected data after the JSON object"},
		{watch.DockerHub, `{"push_data": {"tag": "1"}}`, `"push_data" and "repository" are required`},
		{watch.DockerHub, `{"push_data": {"tag": "1"}, "repository": {}}`, `"repository.repo_name" is required`},
		{watch.ACR, `{"action": "push"}`, `"target" is required for a push`},
		{watch.ACR, `{"target": {"repository": "x", "tag": "1"}}`, `"action" is required`},
		{watch.ACR, `{"action": "push", "target": "x"}`, "field target"},
	}
	for _, tt := range tests {
		_, err := watch.Parse(tt.format, []byte(tt.body))
		require.Error(t, err, tt.body)
		assert.Contains(t, err.Error(), tt.want, tt.body)
	}
	// A ping has no target: valid, ignored.
	events, err := watch.Parse(watch.ACR, []byte(`{"id": "p1", "action": "ping", "request": {"host": "myacr.azurecr.io"}}`))
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.False(t, events[0].IsTagPush())
	assert.Equal(t, "ping", events[0].Action)
	// An empty envelope is valid: nothing to do.
	events, err = watch.Parse(watch.Distribution, []byte(`{"events": []}`))
	require.NoError(t, err)
	assert.Empty(t, events)
}

// TestParseErrorsNameNoGoType: a sender reads the 400's text; it speaks of JSON values.
func TestParseErrorsNameNoGoType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format     watch.Format
		body, want string
	}{
		{watch.Distribution, `{"events": [5]}`, "field events: JSON number where an object was expected"},
		{watch.Distribution, `{"events": {}}`, "field events: JSON object where an array was expected"},
		{watch.Distribution, `{"events": [{"action": "push", "target": {"tag": 5}}]}`, "field events.target.tag: JSON number where a string was expected"},
		{watch.DockerHub, `{"push_data": 5, "repository": {}}`, "field push_data: JSON number where an object was expected"},
		{watch.DockerHub, `{"push_data": {"pushed_at": "x"}, "repository": {}}`, "field push_data.pushed_at: JSON string where a number was expected"},
		{watch.ACR, `{"action": "push", "target": []}`, "field target: JSON array where an object was expected"},
	}
	for _, tt := range tests {
		_, err := watch.Parse(tt.format, []byte(tt.body))
		require.Error(t, err, tt.body)
		assert.Contains(t, err.Error(), tt.want, tt.body)
		for _, goWord := range []string{"watch.", "struct", "float64", "[]", "json:"} {
			assert.NotContains(t, err.Error(), goWord, tt.body)
		}
	}
}

func TestParseDockerHubNamespaceFallback(t *testing.T) {
	t.Parallel()
	events, err := watch.Parse(watch.DockerHub, []byte(`{"push_data": {"tag": "3.20", "pushed_at": 1.5e9}, "repository": {"namespace": "library", "name": "alpine"}}`))
	require.NoError(t, err)
	require.Len(t, events, 1)
	r, err := events[0].Ref()
	require.NoError(t, err)
	assert.Equal(t, "docker.io/library/alpine:3.20", r.String())
	assert.Equal(t, time.Unix(1500000000, 0).UTC(), events[0].Time)
}
