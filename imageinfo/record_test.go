package imageinfo_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/imageinfo"
)

func TestFormatCreated(t *testing.T) {
	t.Parallel()
	cet := time.FixedZone("CET", 3600)
	for _, tc := range []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 8, 10, 16, 57, 8, 754589900, time.UTC), "2026-08-10T16:57:08.7545899Z"},
		{time.Date(2026, 8, 10, 16, 57, 8, 754589999, time.UTC), "2026-08-10T16:57:08.7545899Z"}, // 100 ns ticks
		{time.Date(2023, 6, 13, 16, 22, 47, 993000, time.UTC), "2023-06-13T16:22:47.000993Z"},
		{time.Date(2026, 8, 10, 16, 57, 8, 0, time.UTC), "2026-08-10T16:57:08Z"},
		{time.Date(2026, 8, 10, 17, 57, 8, 500000000, cet), "2026-08-10T16:57:08.5Z"},
	} {
		assert.Equal(t, tc.want, imageinfo.FormatCreated(tc.in), tc.in.String())
	}
}

// TestForStaleCheck: the check reads platforms without digest or commitUrl; the merge's
// reading keeps them required.
func TestForStaleCheck(t *testing.T) {
	t.Parallel()
	doc := []byte(`{"schemaVersion": "2.0", "repos": [{"repo": "app", "images": [{"platforms": [
	  {"dockerfile": "src/Dockerfile", "baseImageDigest": "alpine@sha256:aa", "osType": "Linux",
	   "osVersion": "3.20", "architecture": "amd64", "commitUrl": null}]}]}]}`)
	_, err := imageinfo.Parse("hand.json", doc)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "hand.json:")
	assert.Contains(t, err.Error(), "must not be null")

	d, err := imageinfo.Parse("hand.json", doc, imageinfo.ForStaleCheck())
	require.NoError(t, err)
	p := d.Repos[0].Images[0].Platforms[0]
	assert.Equal(t, "", p.Digest)
	assert.Equal(t, "", p.CommitURL)
	assert.Equal(t, "alpine@sha256:aa", *p.BaseImageDigest)

	// Other required properties stay required.
	_, err = imageinfo.Parse("hand.json", []byte(`{"schemaVersion": "2.0", "repos": [{"repo": "app", "images": [{"platforms": [
	  {"dockerfile": "src/Dockerfile", "osType": "Linux", "architecture": "amd64"}]}]}]}`), imageinfo.ForStaleCheck())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `required property "osVersion" is missing`)
}
