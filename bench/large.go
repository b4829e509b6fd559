package main

import (
	"context"
	"fmt"
	"testing/fstest"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/imageinfo/imageinfotest"
	"github.com/baseflow/baseflow/manifest"
)

// Sizes of row 5.
var (
	mergeSizes  = []int{5000, 20000}
	chainDepths = []int{2000, 8000}
)

// Targets of row 5.
const (
	mergeTargetSeconds = 2.0 // 20,000 images merged in under 2 s
	chainTargetBytes   = 100e6
)

// rowLarge is row 5: costs that must grow linearly with the input. A merge of 16 per-job
// files of synthetic image-info (imageinfotest.Synthetic, two platforms per image, 10 repos),
// and the whole pure pass of a manifest whose images form one FROM chain whose root's base
// moved. Each is measured at a small and a large size; the ratio of their costs per image
// is 1 when the cost is linear and grows with the size when it is not.
func (s *suite) rowLarge(context.Context) error {
	s.printf("5  Large inputs: cost per image at two sizes (1.0x is linear)\n")
	t := newTable(s.out, "case", "wall", "CPU", "allocated", "peak live heap")
	var merge []sample
	for _, n := range mergeSizes {
		parts := mergeParts(n)
		m, err := measure(func() error { return mergeAll(parts, n) }, true)
		if err != nil {
			return err
		}
		merge = append(merge, m)
		t.row(fmt.Sprintf("merge: %d images (%d platforms) from 16 files", n, 2*n), fmtDuration(m.wall), fmtDuration(m.cpu), fmtBytes(m.bytes), fmtBytes(m.peakHeap))
	}
	var chain []sample
	for _, n := range chainDepths {
		fsys := chainFS(n)
		c, err := measure(func() error { return chainPass(fsys, n) }, true)
		if err != nil {
			return err
		}
		chain = append(chain, c)
		t.row(fmt.Sprintf("FROM chain %d deep: load, build, stale, waves", n), fmtDuration(c.wall), fmtDuration(c.cpu), fmtBytes(c.bytes), fmtBytes(c.peakHeap))
	}
	scale := func(v []sample, sizes []int, f func(sample) float64) float64 {
		return (f(v[1]) / float64(sizes[1])) / (f(v[0]) / float64(sizes[0]))
	}
	cpuOrWall := func(x sample) float64 {
		if x.cpu > 0 {
			return float64(x.cpu)
		}
		return float64(x.wall)
	}
	mergeScale := scale(merge, mergeSizes, cpuOrWall)
	chainScale := scale(chain, chainDepths, func(x sample) float64 { return float64(x.peakHeap) })
	t.row(fmt.Sprintf("merge, CPU per image, %d / %d", mergeSizes[1], mergeSizes[0]), times(mergeScale))
	t.row(fmt.Sprintf("chain, peak heap per image, %d / %d", chainDepths[1], chainDepths[0]), times(chainScale))
	if err := t.flush(); err != nil {
		return err
	}
	s.printf("\n")
	// CPU rather than wall: on a shared machine the wall time measures the neighbours.
	big, what := merge[1].cpu, "CPU"
	if big <= 0 {
		big, what = merge[1].wall, "wall"
	}
	s.add(verdict{"5", fmt.Sprintf("merge of %d images, %s", mergeSizes[1], what), fmtDuration(big),
		fmt.Sprintf("< %.0f s", mergeTargetSeconds), yesNo(big.Seconds() < mergeTargetSeconds)})
	s.add(verdict{"5", "merge, CPU per image, large / small", times(mergeScale), "", ""})
	deep := chain[1]
	s.add(verdict{"5", fmt.Sprintf("FROM chain %d deep, peak live heap", chainDepths[1]), fmtBytes(deep.peakHeap),
		"< " + fmtBytes(chainTargetBytes), yesNo(deep.peakHeap < chainTargetBytes)})
	s.add(verdict{"5", "chain, peak heap per image, large / small", times(chainScale), "", ""})
	return nil
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

// mergeParts splits a synthetic document of n images into 16 per-job files.
func mergeParts(n int) [][]byte {
	var out [][]byte
	for _, p := range imageinfotest.Split(imageinfotest.Synthetic(n, 10), mergeJobs, nil) {
		out = append(out, imageinfo.Marshal(p))
	}
	return out
}

// mergeAll is what merge-image-info does without a manifest: parse each file, merge it into an
// empty document, write the result.
func mergeAll(parts [][]byte, n int) error {
	dst := &imageinfo.Document{}
	for k, data := range parts {
		d, err := imageinfo.Parse(fmt.Sprintf("image-info-%02d.json", k), data)
		if err != nil {
			return err
		}
		if err := imageinfo.Merge(dst, d, imageinfo.MergeOptions{}); err != nil {
			return err
		}
	}
	images := 0
	for _, r := range dst.Repos {
		images += len(r.Images)
	}
	if images != n {
		return fmt.Errorf("merge: %w: %d images, want %d", errMismatch, images, n)
	}
	_ = imageinfo.Marshal(dst)
	return nil
}

// chainFS is a manifest of n images, c0 built on alpine:3.20 and each next one on the previous.
func chainFS(n int) fstest.MapFS {
	fsys := fstest.MapFS{}
	var b []byte
	b = append(b, `{"registry": "reg.io", "repos": [`...)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"name": "c%d", "images": [{"platforms": [{"dockerfile": "c%d", "os": "linux", "osVersion": "noble", "tags": {"1": {}}}]}]}`, i, i)
		from := "alpine:3.20"
		if i > 0 {
			from = fmt.Sprintf("reg.io/c%d:1", i-1)
		}
		fsys[fmt.Sprintf("c%d/Dockerfile", i)] = &fstest.MapFile{Data: []byte("FROM " + from + "\n")}
	}
	b = append(b, "]}"...)
	fsys["manifest.json"] = &fstest.MapFile{Data: b}
	addDirs(fsys)
	return fsys
}

// chainRecords has an image-info entry for every image; the root's base digest is outdated.
type chainRecords struct{}

func (chainRecords) NearMiss(*manifest.Platform) string { return "" }

func (chainRecords) BaseImageDigest(p *manifest.Platform) (string, bool) {
	return "alpine@sha256:" + fmt.Sprintf("%064d", 0), true
}

// chainPass loads the chain manifest, builds its graph, and computes the rebuild set and its
// waves: every image, one per wave.
func chainPass(fsys fstest.MapFS, n int) error {
	m, err := manifest.Load(fsys, "manifest.json", manifest.Options{})
	if err != nil {
		return err
	}
	g, err := depgraph.Build(m, fsys, depgraph.Options{})
	if err != nil {
		return err
	}
	res := depgraph.Stale(g, chainRecords{}, depgraph.MapLookup(map[string]string{"alpine:3.20": "sha256:" + fmt.Sprintf("%064d", 1)}), depgraph.CheckOptions{})
	if err := res.Err(); err != nil {
		return err
	}
	if len(res.Images) != n || len(res.Waves()) != n {
		return fmt.Errorf("chain: %w: %d images in %d waves, want %d", errMismatch, len(res.Images), len(res.Waves()), n)
	}
	return nil
}
