package imageinfo_test

import (
	"encoding/json"
	"fmt"
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

// BenchmarkMergeScaling merges, in build mode, 16 per-job files split from a synthetic
// document of 5,000, 10,000 and 20,000 images (two platforms each, in 10 repos) into an empty
// document, then merges the whole into the result again in publish mode, as merge-image-info
// does at build and at publish time. Time per op grows linearly with the images when each
// source item is found by index; it grew with their square when each was searched for.
func BenchmarkMergeScaling(b *testing.B) {
	for _, n := range []int{5000, 10000, 20000} {
		b.Run(fmt.Sprintf("images=%d", n), func(b *testing.B) {
			whole := imageinfotest.Synthetic(n, 10)
			parts := imageinfotest.Split(whole, 16, nil)
			b.ReportAllocs()
			for b.Loop() {
				dst := &imageinfo.Document{SchemaVersion: imageinfo.SchemaVersion}
				for _, p := range parts {
					if err := imageinfo.Merge(dst, p, imageinfo.MergeOptions{}); err != nil {
						b.Fatal(err)
					}
				}
				if err := imageinfo.Merge(dst, whole, imageinfo.MergeOptions{Publish: true}); err != nil {
					b.Fatal(err)
				}
				if got := len(dst.Repos[0].Images); got != n/10 {
					b.Fatalf("%d images in the first repo, want %d", got, n/10)
				}
			}
		})
	}
}
