// Command image-graph prints the platform graph of a manifest: every platform with the bases
// its Dockerfile is built on, and the platforms it builds on, as JSON, Graphviz DOT or Mermaid.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/internal/cli"
	"github.com/baseflow/baseflow/manifest"
)

const usage = `usage: image-graph --manifest PATH [--var NAME=VALUE]... [--registry-override HOST] [--format json|dot|mermaid]

Prints the platform graph of a manifest: one node per platform, an edge for each FROM that
names another platform of the manifest, and the external base images.

  json     (default) one object per platform in manifest order: its Dockerfile, repo, OS,
           architecture, tags, every stage base ("from", with kind external, internal or
           scratch), the final stage's base, and the platforms it builds on ("parents").
  dot      Graphviz: image-graph --manifest manifest.json --format dot | dot -Tsvg > graph.svg
  mermaid  a Mermaid flowchart to paste into a pull request or a Markdown page.

Example:
  image-graph --manifest manifest.json --var UniqueId= --format mermaid

Flags:
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("image-graph", flag.ContinueOnError)
	fs.SetOutput(stderr)
	manifestPath := fs.String("manifest", "", "path of the manifest file (required)")
	registryOverride := fs.String("registry-override", "", "registry that replaces the manifest's registry in repo names")
	format := fs.String("format", "json", "output format: json, dot or mermaid")
	vars := cli.Variables{}
	fs.Var(vars, "var", "manifest variable NAME=VALUE, overriding or adding (repeatable)")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *manifestPath == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "image-graph: --manifest is required and no arguments are taken (see --help)")
		return 2
	}
	switch *format {
	case "json", "dot", "mermaid":
	default:
		fmt.Fprintf(stderr, "image-graph: --format %q: must be json, dot or mermaid\n", *format)
		return 2
	}

	m, fsys, err := cli.LoadManifest(*manifestPath, manifest.Options{Variables: vars, RegistryOverride: *registryOverride})
	if err != nil {
		fmt.Fprintln(stderr, "image-graph:", err)
		return 1
	}
	g, err := depgraph.Build(m, fsys, depgraph.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "image-graph: manifest %s: %v\n", *manifestPath, err)
		return 1
	}
	switch *format {
	case "dot":
		err = g.WriteDOT(stdout)
	case "mermaid":
		err = g.WriteMermaid(stdout)
	default:
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		err = enc.Encode(struct {
			Platforms []depgraph.PlatformView `json:"platforms"`
		}{g.View()})
	}
	if err != nil {
		fmt.Fprintln(stderr, "image-graph:", err)
		return 1
	}
	return 0
}
