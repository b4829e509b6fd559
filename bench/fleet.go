package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing/fstest"

	"github.com/opencontainers/go-digest"

	"github.com/baseflow/baseflow/imageinfo"
)

// fleet is a synthetic fleet of n copies of the dotnet-docker fixture in one manifest. Copy 0
// is the fixture; copy k > 0 is a manifest include "fleet/fKKK.json" with every repo renamed
// "fKKK/<name>" (ids "fKKK-<id>", so $(Repo:…) references follow), every Dockerfile under
// "fKKK/", the FROMs of its internal images renamed alike, and every external base tag
// suffixed "-fKKK" ("amd64/alpine:3.24-f007"), with image-info entries to match. The loopback
// registry tags each suffixed tag at the digest of the fixture's tag, so every copy is stale
// in the same places as the fixture: n times the platforms, the distinct bases and the stale
// paths.
type fleet struct {
	n     int
	files fstest.MapFS
	// digests is the current digest of every final base of the fleet, for the pure pass.
	digests map[string]string
	// lookups is the number of distinct final bases (the check's lookups), bases the number
	// of distinct external bases of all stages.
	lookups, bases int
	platforms      int
	// want is the number of stale paths the check must find.
	want  int
	bytes int // size of all files
}

// copyName is the prefix and suffix of copy k.
func copyName(k int) string { return fmt.Sprintf("f%03d", k) }

// newFleet builds the fleet of n copies and tags its bases on e's registry.
func (e *checkEnv) newFleet(n int) (*fleet, error) {
	fx := e.fx
	fl := &fleet{n: n, files: fstest.MapFS{}, digests: map[string]string{}}
	isBase := make(map[string]bool, len(fx.bases))
	for _, b := range fx.bases {
		isBase[b] = true
	}

	var top map[string]json.RawMessage
	if err := json.Unmarshal(fx.files[manifestFile].Data, &top); err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	var repos []json.RawMessage
	if err := json.Unmarshal(top["repos"], &repos); err != nil {
		return nil, fmt.Errorf("fleet: repos: %w", err)
	}
	var includes []string
	if err := json.Unmarshal(top["includes"], &includes); err != nil {
		return nil, fmt.Errorf("fleet: includes: %w", err)
	}
	for _, inc := range includes {
		fl.files[inc] = fx.files[inc]
	}
	info, err := imageinfo.Parse(imageInfoFile, e.files[imageInfoFile].Data)
	if err != nil {
		return nil, err
	}
	dockerfiles := fx.dockerfiles()

	fleetInfo := &imageinfo.Document{SchemaVersion: imageinfo.SchemaVersion}
	for k := range n {
		if k == 0 {
			fleetInfo.Repos = append(fleetInfo.Repos, info.Repos...)
			for _, p := range dockerfiles {
				fl.files[p] = fx.files[p]
			}
			for _, ref := range fx.finals {
				fl.digests[ref] = e.current[ref]
			}
			continue
		}
		name := copyName(k)
		inc, err := includeFile(repos, name)
		if err != nil {
			return nil, err
		}
		includes = append(includes, "fleet/"+name+".json")
		fl.files["fleet/"+name+".json"] = &fstest.MapFile{Data: inc, Mode: 0o644}
		for _, r := range info.Repos {
			c := r.Clone()
			c.Repo = name + "/" + r.Repo
			for _, img := range c.Images {
				for _, p := range img.Platforms {
					p.Dockerfile = name + "/" + p.Dockerfile
				}
			}
			fleetInfo.Repos = append(fleetInfo.Repos, c)
		}
		for _, p := range dockerfiles {
			fl.files[name+"/"+p] = &fstest.MapFile{Data: renameDockerfile(fx.files[p].Data, name, isBase), Mode: 0o644}
		}
		for _, ref := range fx.bases {
			repo, tag, err := e.target(ref)
			if err != nil {
				return nil, err
			}
			d := e.current[ref]
			if err := e.srv.Tag(repo, tag+"-"+name, digest.Digest(d)); err != nil {
				return nil, err
			}
		}
		for _, ref := range fx.finals {
			fl.digests[ref+"-"+name] = e.current[ref]
		}
	}

	// Copies come in as includes, each under the manifest size limit, as dotnet-docker brings
	// in its versions file.
	fl.files[manifestFile] = fx.files[manifestFile]
	if n > 1 {
		raw, err := json.Marshal(includes)
		if err != nil {
			return nil, err
		}
		top["includes"] = raw
		m, err := json.Marshal(top)
		if err != nil {
			return nil, fmt.Errorf("fleet: manifest: %w", err)
		}
		fl.files[manifestFile] = &fstest.MapFile{Data: m, Mode: 0o644}
	}
	fl.files[imageInfoFile] = &fstest.MapFile{Data: imageinfo.Marshal(fleetInfo), Mode: 0o644}
	addDirs(fl.files)
	for _, f := range fl.files {
		fl.bytes += len(f.Data)
	}
	fl.lookups = n * len(fx.finals)
	fl.bases = n * len(fx.bases)
	fl.platforms = n * len(dockerfiles)
	fl.want = n * len(e.want)
	return fl, nil
}

// includeFile returns a manifest include holding the repos renamed for copy name.
func includeFile(repos []json.RawMessage, name string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`{"repos": [`)
	for i, raw := range repos {
		renamed, err := renameRepo(raw, name)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			buf.WriteString(", ")
		}
		buf.Write(renamed)
	}
	buf.WriteString("]}\n")
	return buf.Bytes(), nil
}

// renameRepo renames a manifest repo (raw JSON, as written) for copy name: its id, its name,
// its $(Repo:…) references and its Dockerfile paths. It checks that the id and the name were
// each found once.
func renameRepo(raw json.RawMessage, name string) (json.RawMessage, error) {
	s := string(raw)
	for _, field := range []string{`"id": "`, `"name": "dotnet/`} {
		if c := strings.Count(s, field); c != 1 {
			return nil, fmt.Errorf("fleet: a manifest repo has %d %s…: the fixture changed shape", c, field)
		}
	}
	s = strings.NewReplacer(
		`"id": "`, `"id": "`+name+`-`,
		`"name": "dotnet/`, `"name": "`+name+`/dotnet/`,
		`$(Repo:`, `$(Repo:`+name+`-`,
		`"dockerfile": "src/`, `"dockerfile": "`+name+`/src/`,
	).Replace(s)
	return json.RawMessage(s), nil
}

// renameDockerfile renames the internal images a Dockerfile names for copy name, and suffixes
// the tag of every external base (isBase) its FROM lines name.
func renameDockerfile(data []byte, name string, isBase map[string]bool) []byte {
	s := strings.ReplaceAll(string(data), "mcr.microsoft.com/dotnet/", "mcr.microsoft.com/"+name+"/dotnet/")
	var out strings.Builder
	out.Grow(len(s) + 64)
	for line := range strings.Lines(s) {
		if rest, ok := strings.CutPrefix(line, "FROM "); ok {
			ref, tail, _ := strings.Cut(rest, " ")
			if body := strings.TrimRight(ref, "\r\n"); isBase[body] {
				out.WriteString("FROM " + body + "-" + name + ref[len(body):])
				if tail != "" {
					out.WriteString(" " + tail)
				}
				continue
			}
		}
		out.WriteString(line)
	}
	return []byte(out.String())
}
