package imageinfo_test

import (
	"encoding/json"
	"testing"

	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/imageinfo/imageinfotest"
)

// BenchmarkLoadMergeWrite loads the real 1.2 MB dotnet-docker image-info, merges it into
// itself and writes it. Compare with BenchmarkUnmarshalMap, a bare json.Unmarshal of the same
// bytes into map[string]any.
func BenchmarkLoadMergeWrite(b *testing.B) {
	data := readFile(b, dotnetDockerInfo)
	b.Run("manifest-free", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			d, err := imageinfo.Parse("image-info.json", data)
			if err != nil {
				b.Fatal(err)
			}
			if err := imageinfo.Merge(d, d, imageinfo.MergeOptions{}); err != nil {
				b.Fatal(err)
			}
			if len(imageinfo.Marshal(d)) != len(data) {
				b.Fatal("output differs")
			}
		}
	})
	b.Run("bound", func(b *testing.B) {
		m := dotnetDockerManifest(b)
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			d, err := imageinfo.Parse("image-info.json", data)
			if err != nil {
				b.Fatal(err)
			}
			if err := imageinfo.Bind(d, m, imageinfo.BindOptions{}); err != nil {
				b.Fatal(err)
			}
			if err := imageinfo.Merge(d, d, imageinfo.MergeOptions{}); err != nil {
				b.Fatal(err)
			}
			if len(imageinfo.Marshal(d)) != len(data) {
				b.Fatal("output differs")
			}
		}
	})
}

func BenchmarkUnmarshalMap(b *testing.B) {
	data := readFile(b, dotnetDockerInfo)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var v map[string]any
		if err := json.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	data := readFile(b, dotnetDockerInfo)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := imageinfo.Parse("image-info.json", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshal(b *testing.B) {
	d := parseFile(b, dotnetDockerInfo)
	b.ReportAllocs()
	for b.Loop() {
		imageinfo.Marshal(d)
	}
}

func BenchmarkBind(b *testing.B) {
	m := dotnetDockerManifest(b)
	d := parseFile(b, dotnetDockerInfo)
	b.ReportAllocs()
	for b.Loop() {
		if err := imageinfo.Bind(d, m, imageinfo.BindOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMergeSplitFiles merges 16 per-job files of the real document into an empty one,
// as a build-time merge does.
func BenchmarkMergeSplitFiles(b *testing.B) {
	m := dotnetDockerManifest(b)
	parts := asFiles(b, imageinfotest.Split(parseFile(b, dotnetDockerInfo), 16, nil), m)
	b.ReportAllocs()
	for b.Loop() {
		dst := &imageinfo.Document{}
		for _, p := range parts {
			if err := imageinfo.Merge(dst, p, imageinfo.MergeOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkIndexLookups builds the index of the bound real document and looks up every
// manifest platform, as a stale-image check of the manifest does.
func BenchmarkIndexLookups(b *testing.B) {
	d, m := boundDotnetDocker(b)
	b.ReportAllocs()
	for b.Loop() {
		ix := imageinfo.NewIndex(d)
		for _, mp := range m.Platforms() {
			ix.Lookup(mp)
		}
	}
}
