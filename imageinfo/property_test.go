package imageinfo_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/imageinfo/imageinfotest"
	"github.com/baseflow/baseflow/manifest"
)

// asFiles writes and reads back each part, bound to m when m is not nil, as merge-image-info
// loads per-job files.
func asFiles(t testing.TB, parts []*imageinfo.Document, m *manifest.Manifest) []*imageinfo.Document {
	t.Helper()
	out := make([]*imageinfo.Document, len(parts))
	for k, p := range parts {
		d, err := imageinfo.Parse(fmt.Sprintf("part-%02d.json", k), imageinfo.Marshal(p))
		require.NoError(t, err)
		if m != nil {
			require.NoError(t, imageinfo.Bind(d, m, imageinfo.BindOptions{}))
		}
		out[k] = d
	}
	return out
}

func mergeAll(t testing.TB, docs []*imageinfo.Document, order []int, opts imageinfo.MergeOptions) *imageinfo.Document {
	t.Helper()
	dst := &imageinfo.Document{}
	for _, k := range order {
		require.NoError(t, imageinfo.Merge(dst, docs[k], opts))
	}
	return dst
}

func identity(n int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	return order
}

func modes(t testing.TB) map[string]*manifest.Manifest {
	return map[string]*manifest.Manifest{"bound": dotnetDockerManifest(t), "manifest-free": nil}
}

func TestMergeIntoItselfChangesNothing(t *testing.T) {
	t.Parallel()
	for _, file := range []string{dotnetDockerInfo, dockerToolsInfo} {
		want := string(readFile(t, file))
		for name, m := range modes(t) {
			if file == dockerToolsInfo && m != nil {
				m = dockerToolsManifest(t)
			}
			for _, publish := range []bool{false, true} {
				d := parseFile(t, file)
				if m != nil {
					require.NoError(t, imageinfo.Bind(d, m, imageinfo.BindOptions{}))
				}
				require.NoError(t, imageinfo.Merge(d, d.Clone(), imageinfo.MergeOptions{Publish: publish}))
				assert.Equal(t, want, string(imageinfo.Marshal(d)), "%s %s publish=%v", file, name, publish)
			}
		}
	}
}

func TestMergeOfSplitFilesReproducesTheOriginal(t *testing.T) {
	t.Parallel()
	want := string(readFile(t, dotnetDockerInfo))
	for name, m := range modes(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			whole := parseFile(t, dotnetDockerInfo)
			// 16 jobs, platform i to job i%16; then random assignments.
			splits := map[string]func(int) int{"round-robin": func(i int) int { return i % 16 }}
			for seed := range uint64(3) {
				rng := rand.New(rand.NewPCG(seed, 16))
				splits[fmt.Sprintf("random-%d", seed)] = func(int) int { return rng.IntN(16) }
			}
			for how, job := range splits {
				parts := asFiles(t, imageinfotest.Split(whole, 16, job), m)
				for _, publish := range []bool{false, true} {
					got := mergeAll(t, parts, identity(16), imageinfo.MergeOptions{Publish: publish})
					assert.Equal(t, want, string(imageinfo.Marshal(got)), "%s publish=%v", how, publish)
				}
			}
		})
	}
}

func TestMergeOrderDoesNotMatterForDisjointPlatforms(t *testing.T) {
	t.Parallel()
	want := string(readFile(t, dotnetDockerInfo))
	for name, m := range modes(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			parts := asFiles(t, imageinfotest.Split(parseFile(t, dotnetDockerInfo), 16, func(i int) int { return (i * 7) % 16 }), m)
			rng := rand.New(rand.NewPCG(7, 7))
			for range 5 {
				order := rng.Perm(16)
				got := mergeAll(t, parts, order, imageinfo.MergeOptions{})
				require.Equal(t, want, string(imageinfo.Marshal(got)), "order %v", order)
			}
			// Two halves: A then B equals B then A.
			a := mergeAll(t, parts, identity(8), imageinfo.MergeOptions{})
			b := mergeAll(t, parts, []int{8, 9, 10, 11, 12, 13, 14, 15}, imageinfo.MergeOptions{})
			ab, ba := a.Clone(), b.Clone()
			require.NoError(t, imageinfo.Merge(ab, b, imageinfo.MergeOptions{}))
			require.NoError(t, imageinfo.Merge(ba, a, imageinfo.MergeOptions{}))
			assert.Equal(t, string(imageinfo.Marshal(ab)), string(imageinfo.Marshal(ba)))
			assert.Equal(t, want, string(imageinfo.Marshal(ab)))
		})
	}
}

func TestBuildMergeLosesNoPlatform(t *testing.T) {
	t.Parallel()
	for name, m := range modes(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(3, 4))
			// Overlapping parts: each platform goes to one or two jobs, with changed digests
			// so later files overwrite earlier ones.
			whole := parseFile(t, dotnetDockerInfo)
			parts := imageinfotest.Split(whole, 6, func(int) int { return rng.IntN(6) })
			extra := imageinfotest.Split(whole, 6, func(int) int { return rng.IntN(6) })
			for _, d := range extra {
				for _, r := range d.Repos {
					for _, img := range r.Images {
						for _, p := range img.Platforms {
							p.Digest += "-rebuilt"
							p.SimpleTags = append(p.SimpleTags, "extra-"+p.Architecture)
						}
					}
				}
			}
			inputs := asFiles(t, append(parts, extra...), m)
			got := mergeAll(t, inputs, rng.Perm(len(inputs)), imageinfo.MergeOptions{})
			for k, in := range inputs {
				for _, r := range in.Repos {
					for _, img := range r.Images {
						for _, p := range img.Platforms {
							assert.True(t, contains(got, r.Repo, img, p), "input %d: %s %s missing", k, r.Repo, img.PlatformIdentifier(p))
						}
					}
				}
			}
			assert.Equal(t, 599, got.Count().Platforms)
			assert.Equal(t, 261, got.Count().Images)
		})
	}
}

// contains reports whether d has, in repo, an image holding a platform with p's identity and
// all of p's tags.
func contains(d *imageinfo.Document, repo string, img *imageinfo.Image, p *imageinfo.Platform) bool {
	for _, r := range d.Repos {
		if r.Repo != repo {
			continue
		}
		for _, di := range r.Images {
			if !imageinfo.SameImage(di, img) {
				continue
			}
			for _, dp := range di.Platforms {
				if imageinfo.SamePlatform(di, dp, img, p) && subset(p.SimpleTags, dp.SimpleTags) {
					return true
				}
			}
		}
	}
	return false
}

func subset(a, b []string) bool {
	set := map[string]bool{}
	for _, s := range b {
		set[s] = true
	}
	for _, s := range a {
		if !set[s] {
			return false
		}
	}
	return true
}
