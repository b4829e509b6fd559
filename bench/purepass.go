package main

import (
	"encoding/json"
	"fmt"
	"io/fs"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/manifest"
)

// floorPass reads the bytes a check of the fixture reads (manifest, its includes, every
// platform's Dockerfile, image-info) and decodes the JSON ones into map[string]any: the least
// any tool could do before it knows anything about the fixture.
func floorPass(fsys fs.FS, dockerfiles []string) error {
	decode := func(name string) (map[string]any, error) {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var v map[string]any
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return v, nil
	}
	top, err := decode(manifestFile)
	if err != nil {
		return err
	}
	includes, _ := top["includes"].([]any)
	for _, inc := range includes {
		name, _ := inc.(string)
		if _, err := decode(name); err != nil {
			return err
		}
	}
	for _, p := range dockerfiles {
		if _, err := fs.ReadFile(fsys, p); err != nil {
			return err
		}
	}
	_, err = decode(imageInfoFile)
	return err
}

// phase is the median cost of one step of the pure pass.
type phase struct {
	name string
	sample
}

// purePhases runs the pure pass reps times step by step and returns the median cost of each
// step: manifest.Load, depgraph.Build, depgraph.LoadImageInfoRecords and depgraph.Stale.
func purePhases(fsys fs.FS, lookup depgraph.DigestLookup, reps int) ([]phase, error) {
	names := []string{"manifest.Load", "depgraph.Build", "depgraph.LoadImageInfoRecords", "depgraph.Stale"}
	runs := make([][]sample, len(names))
	for range max(reps, 1) {
		var m *manifest.Manifest
		var g *depgraph.Graph
		var recs depgraph.Records
		steps := []func() error{
			func() (err error) { m, err = manifest.Load(fsys, manifestFile, manifest.Options{}); return err },
			func() (err error) { g, err = depgraph.Build(m, fsys, depgraph.Options{}); return err },
			func() error {
				data, err := fs.ReadFile(fsys, imageInfoFile)
				if err == nil {
					recs, err = depgraph.LoadImageInfoRecords(imageInfoFile, data, m)
				}
				return err
			},
			func() error { return depgraph.Stale(g, recs, lookup, depgraph.CheckOptions{}).Err() },
		}
		for i, step := range steps {
			smp, err := measure(step, false)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", names[i], err)
			}
			runs[i] = append(runs[i], smp)
		}
	}
	out := make([]phase, len(names))
	for i, name := range names {
		out[i] = phase{name: name, sample: median(runs[i])}
	}
	return out, nil
}
