package depgraph

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/manifest"
)

// Mermaid's default limits (mermaid.initialize: maxTextSize and maxEdges). A diagram past
// either is not rendered ("Maximum text size in diagram exceeded"), so a drawing meant for a
// pull request or a Markdown page must stay under both.
const (
	MermaidMaxTextSize = 50000
	MermaidMaxEdges    = 500
)

// Collapse chooses what one node of a drawing stands for.
type Collapse int

const (
	// CollapseNone draws one node per platform.
	CollapseNone Collapse = iota
	// CollapseImage draws one node per manifest image (the platforms sharing its tags),
	// labelled with the repo and the image's first shared tag.
	CollapseImage
	// CollapseRepo draws one node per repo.
	CollapseRepo
)

// DrawOptions choose what a drawing shows. The zero value draws every platform and every
// base.
type DrawOptions struct {
	// Filter keeps the platforms drawn. A kept platform's parents that the filter drops are
	// drawn too, marked as context, so every arrow has both ends; their own bases are not.
	Filter manifest.Filter
	// FinalOnly leaves out the external bases used only by builder stages (the dashed
	// arrows), which never make an image stale.
	FinalOnly bool
	// Collapse merges platforms into one node per image or per repo.
	Collapse Collapse
}

// Drawing is the graph as nodes and arrows, ready to write as DOT or Mermaid.
type Drawing struct {
	// Nodes are the platforms (or images, or repos) in manifest order, each followed by the
	// external bases it is the first to use.
	Nodes []DrawingNode
	// Edges go from a base (external image, or platform built on) to the node built on it,
	// in manifest order of the node built, without repeats.
	Edges []DrawingEdge
}

// DrawingNode is one box or ellipse of a drawing.
type DrawingNode struct {
	ID    string
	Label string
	// External marks an image from outside the manifest.
	External bool
	// Context marks a platform outside the filter, drawn because a kept platform builds on it.
	Context bool
}

// DrawingEdge is one arrow. Final arrows are solid: the base of the final stage, or a
// platform of the manifest built on (the image is rebuilt with it whichever stage uses it).
// Others, builder-only bases, are dashed.
type DrawingEdge struct {
	From, To string
	Final    bool
}

// Draw returns the drawing of the graph with opts.
func (g *Graph) Draw(opts DrawOptions) *Drawing {
	d := &Drawing{}
	keep := make([]bool, len(g.Nodes))
	for _, p := range opts.Filter.Platforms(g.Manifest) {
		keep[p.Index] = true
	}
	context := make([]bool, len(g.Nodes))
	for _, n := range g.Nodes {
		if keep[n.Platform.Index] {
			for _, p := range n.Parents {
				if !keep[p.Platform.Index] {
					context[p.Platform.Index] = true
				}
			}
		}
	}
	repoIndex, imageIndex := map[*manifest.Repo]int{}, map[*manifest.Image]int{}
	for _, r := range g.Manifest.Repos {
		repoIndex[r] = len(repoIndex)
		for _, img := range r.Images {
			imageIndex[img] = len(imageIndex)
		}
	}
	nodeOf := func(p *manifest.Platform) (id, label string) {
		switch opts.Collapse {
		case CollapseRepo:
			return fmt.Sprintf("r%d", repoIndex[p.Repo()]), p.Repo().Name
		case CollapseImage:
			// An image is known by its first shared tag (8.0.30-bookworm-slim); without
			// one, by its product version.
			label = p.Repo().Name
			if tags := p.Image.SharedTags; len(tags) > 0 {
				label += ":" + tags[0].Name
			} else if v := p.Image.ProductVersion; v != "" {
				label += " " + v
			}
			return fmt.Sprintf("i%d", imageIndex[p.Image]), label
		}
		label = p.Repo().Name
		if len(p.Tags) > 0 {
			label += ":" + p.Tags[0].Name
		}
		return fmt.Sprintf("p%d", p.Index), label
	}
	seen := map[string]int{}  // node ID → index in d.Nodes
	count := map[string]int{} // platforms behind a collapsed node
	external := map[string]string{}
	add := func(n DrawingNode) {
		if i, ok := seen[n.ID]; ok {
			// A collapsed node is context only if all its platforms are.
			d.Nodes[i].Context = d.Nodes[i].Context && n.Context
			return
		}
		seen[n.ID] = len(d.Nodes)
		d.Nodes = append(d.Nodes, n)
	}
	for _, n := range g.Nodes {
		i := n.Platform.Index
		if !keep[i] && !context[i] {
			continue
		}
		id, label := nodeOf(n.Platform)
		add(DrawingNode{ID: id, Label: label, Context: !keep[i]})
		count[id]++
		if !keep[i] {
			continue
		}
		for _, f := range n.From {
			if f.Kind != dockerfile.External || (opts.FinalOnly && f.Image != n.Final.Image) {
				continue
			}
			if _, ok := external[f.Image]; !ok {
				external[f.Image] = fmt.Sprintf("e%d", len(external))
				add(DrawingNode{ID: external[f.Image], Label: f.Image, External: true})
			}
		}
	}
	if opts.Collapse != CollapseNone {
		for i, n := range d.Nodes {
			if !n.External {
				if c := count[n.ID]; c == 1 {
					d.Nodes[i].Label += " (1 platform)"
				} else {
					d.Nodes[i].Label += fmt.Sprintf(" (%d platforms)", c)
				}
			}
		}
	}
	edgeAt := map[[2]string]int{}
	for _, n := range g.Nodes {
		if !keep[n.Platform.Index] {
			continue
		}
		to, _ := nodeOf(n.Platform)
		for _, f := range n.From {
			var from string
			switch f.Kind {
			case dockerfile.External:
				from = external[f.Image]
			case dockerfile.Internal:
				from, _ = nodeOf(g.Manifest.PlatformByTag(f.Image))
			}
			if from == "" || from == to {
				continue
			}
			final := f.Kind == dockerfile.Internal || f.Image == n.Final.Image
			if opts.FinalOnly && !final {
				continue
			}
			key := [2]string{from, to}
			if i, ok := edgeAt[key]; ok {
				d.Edges[i].Final = d.Edges[i].Final || final
				continue
			}
			edgeAt[key] = len(d.Edges)
			d.Edges = append(d.Edges, DrawingEdge{From: from, To: to, Final: final})
		}
	}
	return d
}

// WriteDOT writes the graph in Graphviz DOT: a box per platform labelled with its repo and
// first tag, an ellipse per external base image, and an arrow from each base to the images
// built on it. Arrows from bases used only by earlier stages are dashed.
func (g *Graph) WriteDOT(w io.Writer) error { return g.Draw(DrawOptions{}).WriteDOT(w) }

// WriteMermaid writes the graph as a Mermaid flowchart, the same drawing as WriteDOT, ready
// to paste into a Markdown document.
func (g *Graph) WriteMermaid(w io.Writer) error { return g.Draw(DrawOptions{}).WriteMermaid(w) }

// WriteDOT writes the drawing in Graphviz DOT: boxes for platforms (dashed outline for
// context platforms), grey ellipses for external images, dashed arrows for builder-only bases.
func (d *Drawing) WriteDOT(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, "digraph baseflow {")
	fmt.Fprintln(b, "  rankdir=LR;")
	fmt.Fprintln(b, "  node [shape=box];")
	for _, n := range d.Nodes {
		switch {
		case n.External:
			fmt.Fprintf(b, "  %s [label=%s, shape=ellipse, style=filled, fillcolor=lightgrey];\n", n.ID, dotQuote(n.Label))
		case n.Context:
			fmt.Fprintf(b, "  %s [label=%s, style=dashed];\n", n.ID, dotQuote(n.Label))
		default:
			fmt.Fprintf(b, "  %s [label=%s];\n", n.ID, dotQuote(n.Label))
		}
	}
	for _, e := range d.Edges {
		style := ""
		if !e.Final {
			style = " [style=dashed]"
		}
		fmt.Fprintf(b, "  %s -> %s%s;\n", e.From, e.To, style)
	}
	fmt.Fprintln(b, "}")
	return b.Flush()
}

// WriteMermaid writes the drawing as a Mermaid flowchart: rectangles for platforms (context
// platforms in a dashed class), stadiums for external images, dotted arrows for builder-only
// bases.
func (d *Drawing) WriteMermaid(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, "flowchart LR")
	context := false
	for _, n := range d.Nodes {
		switch {
		case n.External:
			fmt.Fprintf(b, "  %s([%s])\n", n.ID, mermaidQuote(n.Label))
		case n.Context:
			context = true
			fmt.Fprintf(b, "  %s[%s]:::context\n", n.ID, mermaidQuote(n.Label))
		default:
			fmt.Fprintf(b, "  %s[%s]\n", n.ID, mermaidQuote(n.Label))
		}
	}
	for _, e := range d.Edges {
		arrow := "-->"
		if !e.Final {
			arrow = "-.->"
		}
		fmt.Fprintf(b, "  %s %s %s\n", e.From, arrow, e.To)
	}
	if context {
		fmt.Fprintln(b, "  classDef context stroke-dasharray: 5 5")
	}
	return b.Flush()
}

func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func mermaidQuote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, "#quot;") + `"`
}
