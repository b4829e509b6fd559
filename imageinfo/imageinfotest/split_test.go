package imageinfotest_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/imageinfo/imageinfotest"
)

func TestSplitThenMergeGivesTheDocumentBack(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../testdata/dotnet-docker/image-info.dotnet-dotnet-docker-main.json")
	require.NoError(t, err)
	whole, err := imageinfo.Parse("image-info.json", data)
	require.NoError(t, err)

	parts := imageinfotest.Split(whole, 16, nil)
	require.Len(t, parts, 16)
	total := 0
	for k, p := range parts {
		c := p.Count()
		total += c.Platforms
		assert.InDelta(t, 599/16, c.Platforms, 1, "part %d", k)
	}
	assert.Equal(t, 599, total)

	merged := &imageinfo.Document{}
	for _, p := range parts {
		require.NoError(t, imageinfo.Merge(merged, p, imageinfo.MergeOptions{}))
	}
	assert.Equal(t, string(data), string(imageinfo.Marshal(merged)))
	assert.Equal(t, string(data), string(imageinfo.Marshal(whole)), "splitting copies, the input is unchanged")
}
