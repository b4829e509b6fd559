package setup

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/internal/cli"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/record"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/remote"
)

// RecordSettings are a record of what a build job pushed: the manifest it built from, the
// platforms it built, where the images are read and how their bases are named.
type RecordSettings struct {
	// Manifest is the manifest file on the local disk; required. Its Dockerfiles are read
	// from its directory.
	Manifest string
	// Variables override and add manifest variables.
	Variables map[string]string
	// RegistryOverride is the registry the images were pushed to, replacing the manifest's.
	RegistryOverride string
	// OSType, Architecture, OSVersions and Paths are globs selecting the platforms, as the
	// check's; empty selects every platform.
	OSType, Architecture string
	OSVersions, Paths    []string
	// CommitURL, BaseDigests and BaseOverride are the record.Recorder fields of those names.
	CommitURL    string
	BaseDigests  map[string]string
	BaseOverride *depgraph.BaseOverride
	// Registry says how the registry is reached: PlainHTTP, Mirrors and Logger apply
	// (Resolver and Concurrency do not: see Reader).
	Registry RegistrySettings
	// Reader, when set, replaces the network client (an in-memory registry in tests).
	Reader registry.ImageReader
	// Logger receives progress and warnings, unless Registry names a logger of its own; nil
	// discards them.
	Logger *slog.Logger
}

// Record is a configured record: the loaded manifest and its graph, the platforms
// selected, and the recorder that reads them from the registry.
type Record struct {
	Manifest  *manifest.Manifest
	Graph     *depgraph.Graph
	Platforms []*manifest.Platform
	Recorder  *record.Recorder
	// Registry is the network client behind the recorder; nil when Reader replaced it.
	Registry *remote.Client
}

// NewRecord loads the manifest and its Dockerfiles from the local disk (errors name the path
// as given), selects the platforms, and builds the recorder over the network registry client
// (credentials from the docker config and its credential helpers).
func NewRecord(s RecordSettings) (*Record, error) {
	if s.Manifest == "" {
		return nil, errors.New("setup: RecordSettings.Manifest is required")
	}
	if s.RegistryOverride != "" {
		if err := registry.ValidateOverride(s.RegistryOverride); err != nil {
			return nil, err
		}
	}
	if s.Registry.Logger == nil {
		s.Registry.Logger = s.Logger
	}
	m, fsys, err := cli.LoadManifest(s.Manifest, manifest.Options{Variables: s.Variables, RegistryOverride: s.RegistryOverride})
	if err != nil {
		return nil, err
	}
	g, err := depgraph.Build(m, fsys, depgraph.Options{Concurrency: max(1, runtime.GOMAXPROCS(0))})
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", s.Manifest, err)
	}
	filter := manifest.Filter{OSType: s.OSType, Architecture: s.Architecture, OSVersions: s.OSVersions, Paths: s.Paths}
	r := &Record{Manifest: m, Graph: g, Platforms: filter.Platforms(m)}
	reader := s.Reader
	if reader == nil {
		if r.Registry, err = NewRegistryClient(s.Registry); err != nil {
			return nil, err
		}
		reader = r.Registry
	}
	r.Recorder = &record.Recorder{
		Registry:     reader,
		BaseDigests:  s.BaseDigests,
		CommitURL:    s.CommitURL,
		BaseOverride: s.BaseOverride,
		Mirrors:      s.Registry.Mirrors,
		Logger:       s.Logger,
	}
	return r, nil
}
