package depgraph

import (
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/manifest"
)

// Graph is the platform graph of one manifest: a node per platform, and an edge from a
// platform to each platform its Dockerfile builds on (an internal FROM, in any stage).
type Graph struct {
	Manifest *manifest.Manifest
	// Nodes holds one node per manifest platform, in manifest order (Nodes[i].Platform.Index == i).
	Nodes []*Node
}

// Node is one platform with what its Dockerfile is built from.
type Node struct {
	Platform *manifest.Platform
	File     *dockerfile.File
	// From lists the stage bases that are images or scratch, in FROM order; stage
	// references are left out.
	From []Base
	// Final is the base of the final stage, followed through stage references.
	Final Base
	// Parents are the platforms whose tags this platform's FROMs name, in FROM order,
	// without repeats.
	Parents []*Node
	// Children are the platforms built FROM one of this platform's tags, in manifest order.
	Children []*Node
}

// Base is a base image of a stage.
type Base struct {
	// Image is the expanded reference as written (after same-repo registry substitution),
	// "scratch" for FROM scratch, and empty for a final stage built on scratch.
	Image string
	// Stage is the stage's AS name as written, or empty.
	Stage string
	Kind  dockerfile.Kind
}

// Options adjust how a graph is built.
type Options struct {
	// MaxDockerfileSize caps each Dockerfile's size; 0 means dockerfile.DefaultMaxSize.
	MaxDockerfileSize int64
	// Concurrency is how many Dockerfiles are parsed at once; 0 means GOMAXPROCS. The
	// filesystem must be safe for concurrent use when it is above 1.
	Concurrency int
	// Cache, when set, answers for Dockerfiles parsed before with the same content, platform
	// and build arguments (by this graph or any other sharing the cache).
	Cache *dockerfile.Cache
	// Parsed, when set, is called with each platform's node as soon as its Dockerfile is
	// parsed, from the parsing goroutines (possibly at the same time), before the graph is
	// linked: a caller can start work a node needs (such as looking its final base up) while
	// the others are parsed. Parents and Children are not set yet.
	Parsed func(*Node)
}

// Build parses every Dockerfile of m, read from fsys (the filesystem m was loaded from), and
// links platforms through their internal FROMs. A FROM that names one of the manifest's
// repositories but none of its platform tags is an error, and so is a cycle.
func Build(m *manifest.Manifest, fsys fs.FS, opts Options) (*Graph, error) {
	g := &Graph{Manifest: m, Nodes: make([]*Node, len(m.Platforms()))}
	if err := g.parseAll(fsys, opts); err != nil {
		return nil, err
	}
	for _, n := range g.Nodes {
		for _, b := range n.From {
			if b.Kind != dockerfile.Internal {
				continue
			}
			parent := m.PlatformByTag(b.Image)
			if parent == nil {
				return nil, &Error{Dockerfile: n.Platform.DockerfilePath, Err: fmt.Errorf("FROM %s names repo %s of this manifest, but no platform has that tag", b.Image, m.InternalRepo(b.Image).Name)}
			}
			pn := g.Nodes[parent.Index]
			if !slices.Contains(n.Parents, pn) {
				n.Parents = append(n.Parents, pn)
			}
		}
	}
	// Children in manifest order: walking nodes in order appends each child once per parent.
	for _, n := range g.Nodes {
		for _, p := range n.Parents {
			p.Children = append(p.Children, n)
		}
	}
	if cycle := g.findCycle(); cycle != nil {
		names := make([]string, len(cycle))
		for i, c := range cycle {
			names[i] = c.Platform.String()
		}
		return nil, &Error{Dockerfile: cycle[0].Platform.DockerfilePath, Err: fmt.Errorf("platforms build on each other in a cycle: %s", strings.Join(names, " -> "))}
	}
	return g, nil
}

// Error is a problem found while building the graph, naming the Dockerfile (relative to the
// manifest's directory).
type Error struct {
	Dockerfile string
	Err        error
}

func (e *Error) Error() string { return e.Dockerfile + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// parseAll parses every platform's Dockerfile, several at a time: buildkit's parser is the
// most expensive step of a check. The error reported is the first in manifest order, so
// that it does not depend on scheduling.
func (g *Graph) parseAll(fsys fs.FS, opts Options) error {
	platforms := g.Manifest.Platforms()
	workers := opts.Concurrency
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(platforms))
	errs := make([]error, len(platforms))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(platforms) {
					return
				}
				g.Nodes[i], errs[i] = parseNode(fsys, platforms[i], opts)
				if errs[i] == nil && opts.Parsed != nil {
					opts.Parsed(g.Nodes[i])
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func parseNode(fsys fs.FS, p *manifest.Platform, opts Options) (*Node, error) {
	f, err := fsys.Open(p.FilePath)
	if err != nil {
		return nil, &Error{Dockerfile: p.DockerfilePath, Err: err}
	}
	defer f.Close()
	limit := opts.MaxDockerfileSize
	if limit <= 0 {
		limit = dockerfile.DefaultMaxSize
	}
	// Read the bytes here so a failing filesystem reads as an I/O error, not a parse error.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &Error{Dockerfile: p.DockerfilePath, Err: err}
	}
	args := make(map[string]string, len(p.BuildArgs))
	for _, a := range p.BuildArgs {
		args[a.Key] = a.Value
	}
	df, err := opts.Cache.Parse(data, p.DockerfilePath, dockerfile.Options{
		BuildArgs: args,
		Platform:  dockerfile.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant},
		MaxSize:   limit,
	})
	if err != nil {
		return nil, err
	}
	n := &Node{Platform: p, File: df}
	m := p.Repo().Manifest
	for _, s := range df.Stages {
		if s.StageRef >= 0 {
			continue
		}
		image := sameRepoSubstitution(p, s.Base)
		n.From = append(n.From, Base{Image: image, Stage: s.WrittenName, Kind: classify(m, image, s.Scratch)})
	}
	final, scratch := df.Final()
	if !scratch {
		final = sameRepoSubstitution(p, final)
	}
	n.Final = Base{Image: final, Stage: df.Stages[len(df.Stages)-1].WrittenName, Kind: classify(m, final, scratch)}
	return n, nil
}

func classify(m *manifest.Manifest, image string, scratch bool) dockerfile.Kind {
	switch {
	case scratch:
		return dockerfile.Scratch
	case m.InternalRepo(image) != nil:
		return dockerfile.Internal
	}
	return dockerfile.External
}

// sameRepoSubstitution applies ImageBuilder's rule (3.5 step 2.1): when the platform's repo is
// published under a registry override, a FROM naming that repo under the manifest's own
// registry is redirected to the override.
func sameRepoSubstitution(p *manifest.Platform, image string) string {
	r := p.Repo()
	written := r.Manifest.Model.Registry + "/" + r.Name
	if r.Manifest.Model.Registry == "" || r.QualifiedName == written {
		return image
	}
	if rest, ok := strings.CutPrefix(image, written+":"); ok {
		return r.QualifiedName + ":" + rest
	}
	return image
}

// findCycle returns the platforms on one cycle of parent edges, or nil.
func (g *Graph) findCycle() []*Node {
	const (
		unvisited = iota
		onStack
		done
	)
	state := make([]int, len(g.Nodes))
	var stack []*Node
	var visit func(n *Node) []*Node
	visit = func(n *Node) []*Node {
		state[n.Platform.Index] = onStack
		stack = append(stack, n)
		for _, p := range n.Parents {
			switch state[p.Platform.Index] {
			case onStack:
				i := slices.Index(stack, p)
				return append(slices.Clone(stack[i:]), p)
			case unvisited:
				if c := visit(p); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[n.Platform.Index] = done
		return nil
	}
	for _, n := range g.Nodes {
		if state[n.Platform.Index] == unvisited {
			if c := visit(n); c != nil {
				return c
			}
		}
	}
	return nil
}
