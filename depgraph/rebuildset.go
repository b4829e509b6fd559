package depgraph

import "github.com/baseflow/baseflow/manifest"

// rebuildSet collects stale platforms and everything connected to them, in ImageBuilder's
// order (4.2 step 5.iv): depth first from each stale candidate, a node's children (manifest
// order) before its parents (FROM order). Components are disjoint or equal, so one visited
// set over all candidates gives the same order as ImageBuilder's per-candidate walks followed
// by removing repeats.
type rebuildSet struct {
	g       *Graph
	visited []bool
	order   []*Node
	reasons []Reason // by platform index
	// tip is the longest chain extended so far; the Via of the images along it are prefixes
	// of it (see extend).
	tip []string
}

func newRebuildSet(g *Graph) *rebuildSet {
	return &rebuildSet{g: g, visited: make([]bool, len(g.Nodes)), reasons: make([]Reason, len(g.Nodes))}
}

// addComponent adds root, stale for why, and its weakly connected component.
func (s *rebuildSet) addComponent(root *Node, why Reason) {
	i := root.Platform.Index
	if s.visited[i] {
		// Already pulled in by an earlier candidate: its own cause explains it better.
		s.reasons[i] = why
		return
	}
	s.tip = append(make([]string, 0, 16), root.Platform.Dockerfile)
	s.visit(root, why, s.tip[:1:1], &why)
}

func (s *rebuildSet) visit(n *Node, why Reason, via []string, root *Reason) {
	s.visited[n.Platform.Index] = true
	s.reasons[n.Platform.Index] = why
	s.order = append(s.order, n)
	for _, c := range n.Children {
		if !s.visited[c.Platform.Index] {
			next := s.extend(via, c.Platform.Dockerfile)
			s.visit(c, Reason{Kind: DependsOn, Via: next, Root: root}, next, root)
		}
	}
	for _, p := range n.Parents {
		if !s.visited[p.Platform.Index] {
			next := s.extend(via, p.Platform.Dockerfile)
			s.visit(p, Reason{Kind: DependencyOf, Via: next, Root: root}, next, root)
		}
	}
}

// extend returns via followed by p. The chains of a depth-first walk share their prefixes:
// when via is the whole tip, p is appended to the tip in place, so a chain of n images costs
// O(n) rather than a copy of the path per image (O(n²)); otherwise (a second child, a parent
// after the children) via is copied and starts a new tip. The slices returned have no spare
// capacity, so a caller appending to one copies it instead of writing into the tip.
func (s *rebuildSet) extend(via []string, p string) []string {
	n := len(via)
	if n > 0 && n == len(s.tip) && &via[0] == &s.tip[0] {
		s.tip = append(s.tip, p)
	} else {
		s.tip = append(make([]string, 0, 2*(n+1)), via...)
		s.tip = append(s.tip, p)
	}
	return s.tip[: n+1 : n+1]
}

// images returns one StaleImage per Dockerfile path, in first-occurrence order.
func (s *rebuildSet) images() []StaleImage {
	var out []StaleImage
	index := map[string]int{}
	for _, n := range s.order {
		p := n.Platform
		if i, ok := index[p.Dockerfile]; ok {
			out[i].Platforms = append(out[i].Platforms, p)
			continue
		}
		index[p.Dockerfile] = len(out)
		out = append(out, StaleImage{Path: p.Dockerfile, Platforms: []*manifest.Platform{p}, Reason: s.reasons[p.Index]})
	}
	return out
}
