package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/subscription"
)

// The dotnet-docker fixture (testdata/SOURCES.md): a manifest with one include, 601
// Dockerfiles and the image-info published for them.
const (
	fixtureDir    = "testdata/dotnet-docker"
	manifestFile  = "manifest.json"
	imageInfoFile = "image-info.dotnet-dotnet-docker-main.json"
)

// fixture is the dotnet-docker fixture in memory, with what the rows need to know of it.
type fixture struct {
	dir   string
	files fstest.MapFS // every file of the fixture directory
	m     *manifest.Manifest
	g     *depgraph.Graph
	// bases are the distinct external base references of all stages, sorted; finals are the
	// references the stale check looks up (final-stage bases), in the order it needs them.
	bases, finals []string
	// platforms lists, for each external base, the platforms built on it (for the index
	// pushed under its name).
	platforms map[string][]registry.Platform
	// recorded is the digest image-info records for each final base.
	recorded map[string]string
	// candidates is the number of platforms whose final stage is built on an external image.
	candidates int
}

// findFixture returns dir when it holds the fixture, else looks for fixtureDir in the
// working directory and its parents (so that both `go run ./bench` at the module root and
// `go test` in bench/ find it).
func findFixture(dir string) (string, error) {
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, manifestFile)); err != nil {
			return "", fmt.Errorf("fixture: %w", err)
		}
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		candidate := filepath.Join(d, fixtureDir)
		if _, err := os.Stat(filepath.Join(candidate, manifestFile)); err == nil {
			return candidate, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("fixture: no %s in %s or its parents (use -testdata)", fixtureDir, wd)
		}
	}
}

// loadFixture reads the fixture into memory and analyses it with the packages under test.
func loadFixture(dir string) (*fixture, error) {
	fx := &fixture{dir: dir, files: fstest.MapFS{}, platforms: map[string][]registry.Platform{}, recorded: map[string]string{}}
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return err
		}
		fx.files[p] = &fstest.MapFile{Data: data, Mode: 0o644}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("fixture: %w", err)
	}
	addDirs(fx.files)
	if fx.m, err = manifest.Load(fx.files, manifestFile, manifest.Options{}); err != nil {
		return nil, err
	}
	if fx.g, err = depgraph.Build(fx.m, fx.files, depgraph.Options{}); err != nil {
		return nil, err
	}
	recs, err := depgraph.LoadImageInfoRecords(imageInfoFile, fx.files[imageInfoFile].Data, fx.m)
	if err != nil {
		return nil, err
	}
	for _, n := range fx.g.Nodes {
		p := registry.Platform{OS: n.Platform.OS, Architecture: n.Platform.Architecture, Variant: n.Platform.Variant}
		for _, b := range n.From {
			if b.Kind != dockerfile.External {
				continue
			}
			if !slices.Contains(fx.bases, b.Image) {
				fx.bases = append(fx.bases, b.Image)
			}
			if !slices.Contains(fx.platforms[b.Image], p) {
				fx.platforms[b.Image] = append(fx.platforms[b.Image], p)
			}
		}
	}
	slices.Sort(fx.bases)
	fx.finals = fx.g.Lookups(recs, depgraph.CheckOptions{})
	for _, n := range fx.g.Candidates(manifest.Filter{}) {
		fx.candidates++
		recorded, found := recs.BaseImageDigest(n.Platform)
		if !found {
			continue
		}
		_, d, _ := strings.Cut(recorded, "@")
		if prev, ok := fx.recorded[n.Final.Image]; ok && prev != d {
			return nil, fmt.Errorf("fixture: image-info records two digests for %s", n.Final.Image)
		}
		fx.recorded[n.Final.Image] = d
	}
	for _, ref := range fx.bases {
		if r, err := registry.Normalize(ref); err != nil || r.Digest != "" {
			return nil, fmt.Errorf("fixture: base %s: want a tag reference", ref)
		}
	}
	return fx, nil
}

// addDirs gives every directory of fsys's files an entry of its own. A MapFS makes up a
// missing directory by scanning every file for one under it, so that without the entries each
// Stat of a directory costs as much as the whole tree, and loading a manifest of n platforms
// costs n² (about 60 s of CPU for the 100-copy fleet).
func addDirs(fsys fstest.MapFS) {
	var dirs []string
	for name := range fsys {
		for d := path.Dir(name); d != "."; d = path.Dir(d) {
			dirs = append(dirs, d)
		}
	}
	for _, d := range dirs {
		if _, ok := fsys[d]; !ok {
			fsys[d] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
		}
	}
}

// dockerfiles returns the Dockerfile of every platform, in manifest order.
func (fx *fixture) dockerfiles() []string {
	out := make([]string, len(fx.m.Platforms()))
	for i, p := range fx.m.Platforms() {
		out[i] = p.FilePath
	}
	return out
}

// purePass is the CPU part of a stale check, as BenchmarkPurePass in depgraph does: load the
// manifest, parse every Dockerfile, load and bind image-info (with load), and compute the
// stale set with digests from lookup.
func purePass(fsys fs.FS, load check.RecordsLoader, lookup depgraph.DigestLookup) (*depgraph.Result, error) {
	_, g, recs, err := loadCheck(fsys, load)
	if err != nil {
		return nil, err
	}
	res := depgraph.Stale(g, recs, lookup, depgraph.CheckOptions{})
	return res, res.Err()
}

// loadCheck reads what a check needs before any lookup: manifest, graph and image-info.
func loadCheck(fsys fs.FS, load check.RecordsLoader) (*manifest.Manifest, *depgraph.Graph, depgraph.Records, error) {
	m, err := manifest.Load(fsys, manifestFile, manifest.Options{})
	if err != nil {
		return nil, nil, nil, err
	}
	g, err := depgraph.Build(m, fsys, depgraph.Options{})
	if err != nil {
		return nil, nil, nil, err
	}
	data, err := fs.ReadFile(fsys, imageInfoFile)
	if err != nil {
		return nil, nil, nil, err
	}
	recs, err := load(imageInfoFile, data, m)
	if err != nil {
		return nil, nil, nil, err
	}
	return m, g, recs, nil
}

// fleetRecords is depgraph.LoadImageInfoRecords without the image-info size limit, which the
// image-info of a 100-copy fleet (about 120 MB) exceeds.
func fleetRecords(name string, data []byte, m *manifest.Manifest) (depgraph.Records, error) {
	doc, err := imageinfo.Parse(name, data, imageinfo.WithMaxSize(int64(len(data))))
	if err != nil {
		return nil, err
	}
	if err := imageinfo.Bind(doc, m, imageinfo.BindOptions{SkipManifestValidation: true}); err != nil {
		return nil, err
	}
	return depgraph.ImageInfoRecords(doc), nil
}

// fsSource is a subscription.Source serving one file tree for every repository and branch.
type fsSource struct{ fsys fs.FS }

var _ subscription.Source = fsSource{}

func (s fsSource) Tree(context.Context, string, string, string) (fs.FS, error) { return s.fsys, nil }

func (s fsSource) ReadFile(_ context.Context, _, _, _, path string) ([]byte, error) {
	return fs.ReadFile(s.fsys, path)
}

func (fsSource) Close() error { return nil }

// benchSubscription is the subscription the checks run: the fixture's manifest and
// image-info, read from an fsSource.
var benchSubscription = subscription.Subscription{
	Manifest:        subscription.ManifestFile{Owner: "dotnet", Repo: "dotnet-docker", Branch: "main", Path: manifestFile},
	ImageInfo:       subscription.GitFile{Owner: "dotnet", Repo: "versions", Branch: "main", Path: imageInfoFile},
	PipelineTrigger: subscription.PipelineTrigger{ID: 1, PathVariable: "imageBuilder.pathArgs"},
}

// errMismatch marks strategies or passes that disagree on a result: the run is not valid.
var errMismatch = errors.New("results differ")
