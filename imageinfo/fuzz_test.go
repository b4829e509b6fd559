package imageinfo_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/baseflow/baseflow/imageinfo"
)

// FuzzParse checks that Parse never panics, rejects what is not JSON, and that what it
// accepts is written in a form that reads back to the same document.
func FuzzParse(f *testing.F) {
	f.Add(readFile(f, dockerToolsInfo))
	f.Add(readFile(f, dockerToolsV1))
	f.Add([]byte(`{"schemaVersion": "2.0", "repos": [{"repo": "a\u00e9\ud83d\ude00", "images": [{"productVersion": null, "platforms": [{` + minimalPlatform + `, "layers": ["x", {"size": 1}]}]}]}]}`))
	f.Add([]byte(`{"schemaVersion": "1.0", "x": [1, 2.5e-3, true, {"a": null}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := imageinfo.Parse("fuzz.json", data)
		if err != nil {
			return
		}
		if !json.Valid(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		out := imageinfo.Marshal(d)
		again, err := imageinfo.Parse("again.json", out)
		if err != nil {
			t.Fatalf("cannot read back %q: %v", out, err)
		}
		if !bytes.Equal(out, imageinfo.Marshal(again)) {
			t.Fatalf("not stable: %q", out)
		}
		imageinfo.Sort(again)
		if err := imageinfo.Merge(again, d, imageinfo.MergeOptions{}); err != nil {
			t.Fatal(err)
		}
	})
}
