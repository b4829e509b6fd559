package depgraph

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/baseflow/baseflow/dockerfile"
)

// WriteDOT writes the graph in Graphviz DOT: a box per platform labelled with its repo and
// first tag, an ellipse per external base image, and an arrow from each base to the images
// built on it. Arrows from bases used only by earlier stages are dashed.
func (g *Graph) WriteDOT(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, "digraph baseflow {")
	fmt.Fprintln(b, "  rankdir=LR;")
	fmt.Fprintln(b, "  node [shape=box];")
	g.walkDrawing(
		func(id, label string, external bool) {
			if external {
				fmt.Fprintf(b, "  %s [label=%s, shape=ellipse, style=filled, fillcolor=lightgrey];\n", id, dotQuote(label))
			} else {
				fmt.Fprintf(b, "  %s [label=%s];\n", id, dotQuote(label))
			}
		},
		func(from, to string, final bool) {
			style := ""
			if !final {
				style = " [style=dashed]"
			}
			fmt.Fprintf(b, "  %s -> %s%s;\n", from, to, style)
		})
	fmt.Fprintln(b, "}")
	return b.Flush()
}

// WriteMermaid writes the graph as a Mermaid flowchart, the same drawing as WriteDOT, ready
// to paste into a Markdown document.
func (g *Graph) WriteMermaid(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, "flowchart LR")
	g.walkDrawing(
		func(id, label string, external bool) {
			if external {
				fmt.Fprintf(b, "  %s([%s])\n", id, mermaidQuote(label))
			} else {
				fmt.Fprintf(b, "  %s[%s]\n", id, mermaidQuote(label))
			}
		},
		func(from, to string, final bool) {
			arrow := "-->"
			if !final {
				arrow = "-.->"
			}
			fmt.Fprintf(b, "  %s %s %s\n", from, arrow, to)
		})
	return b.Flush()
}

// walkDrawing calls node for every platform and external base (each once, external bases
// first-seen order), then edge for every base → platform arrow.
func (g *Graph) walkDrawing(node func(id, label string, external bool), edge func(from, to string, final bool)) {
	external := map[string]string{}
	for _, n := range g.Nodes {
		p := n.Platform
		label := p.Repo().Name
		if len(p.Tags) > 0 {
			label += ":" + p.Tags[0].Name
		}
		node(fmt.Sprintf("p%d", p.Index), label, false)
		for _, f := range n.From {
			if f.Kind == dockerfile.External {
				if _, ok := external[f.Image]; !ok {
					id := fmt.Sprintf("e%d", len(external))
					external[f.Image] = id
					node(id, f.Image, true)
				}
			}
		}
	}
	for _, n := range g.Nodes {
		to := fmt.Sprintf("p%d", n.Platform.Index)
		drawn := map[string]bool{}
		for _, f := range n.From {
			var from string
			switch f.Kind {
			case dockerfile.External:
				from = external[f.Image]
			case dockerfile.Internal:
				from = fmt.Sprintf("p%d", g.Manifest.PlatformByTag(f.Image).Index)
			default:
				continue
			}
			if drawn[from] {
				continue
			}
			drawn[from] = true
			// Solid: the final base, and every platform of the manifest it builds on (the
			// image is rebuilt with it whichever stage uses it). Dashed: builder-only bases.
			edge(from, to, f.Kind == dockerfile.Internal || f.Image == n.Final.Image)
		}
	}
}

func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func mermaidQuote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, "#quot;") + `"`
}
