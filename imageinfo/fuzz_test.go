package imageinfo_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/baseflow/baseflow/imageinfo"
)

// FuzzParse checks that Parse never panics, rejects what is not JSON, and that what it
// accepts is written in a form that reads back to the same document: equal value for value
// (see canonical for the differences the format cannot carry), and written again to the same
// bytes.
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
		if want, got := canonical(d), canonical(again); !reflect.DeepEqual(want, got) {
			t.Fatalf("read back differently:\n%s\nwas read as\n%s", imageinfo.Marshal(want), imageinfo.Marshal(got))
		}
		imageinfo.Sort(again)
		if err := imageinfo.Merge(again, d, imageinfo.MergeOptions{}); err != nil {
			t.Fatal(err)
		}
	})
}

// canonical returns a copy of d without the differences that writing and reading back may
// not keep: the schema version (always written as 2.0), empty lists versus absent ones, and
// invalid UTF-8, which is written as U+FFFD for each invalid byte.
func canonical(d *imageinfo.Document) *imageinfo.Document {
	c := d.Clone()
	c.SchemaVersion = ""
	str := func(s *string) {
		if utf8.ValidString(*s) {
			return
		}
		var b strings.Builder
		for i := 0; i < len(*s); {
			r, size := utf8.DecodeRuneInString((*s)[i:])
			b.WriteRune(r) // RuneError for an invalid byte
			i += size
		}
		*s = b.String()
	}
	opt := func(s *string) {
		if s != nil {
			str(s)
		}
	}
	list := func(l []string) []string {
		if len(l) == 0 {
			return nil
		}
		for i := range l {
			str(&l[i])
		}
		return l
	}
	if len(c.Repos) == 0 {
		c.Repos = nil
	}
	for _, r := range c.Repos {
		str(&r.Repo)
		if len(r.Images) == 0 {
			r.Images = nil
		}
		for _, img := range r.Images {
			opt(img.ProductVersion)
			if m := img.Manifest; m != nil {
				opt(m.Digest)
				str(&m.Created)
				m.SyndicatedDigests, m.SharedTags = list(m.SyndicatedDigests), list(m.SharedTags)
			}
			if len(img.Platforms) == 0 {
				img.Platforms = nil
			}
			for _, p := range img.Platforms {
				for _, s := range []*string{&p.Dockerfile, &p.Digest, &p.OSType, &p.OSVersion, &p.Architecture, &p.Created, &p.CommitURL} {
					str(s)
				}
				opt(p.BaseImageDigest)
				p.SimpleTags = list(p.SimpleTags)
				if len(p.Layers) == 0 {
					p.Layers = nil
				}
				for i := range p.Layers {
					opt(p.Layers[i].Digest)
				}
			}
		}
	}
	return c
}
