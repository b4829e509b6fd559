// Command image-graph prints the platform graph of a manifest: every platform with the bases
// its Dockerfile is built on, and the platforms it builds on, as JSON, Graphviz DOT or Mermaid.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/internal/cli"
	"github.com/baseflow/baseflow/manifest"
)

const description = `Prints the platform graph of a manifest: one node per platform, an edge for each FROM that
names another platform of the manifest, and the external base images.

Formats:
  json     (default) one object per platform in manifest order: its Dockerfile, repo, OS,
           architecture, tags, every stage base ("from", with kind external, internal or
           scratch), the final stage's base, and the platforms it builds on ("parents").
  dot      Graphviz: boxes for platforms, grey ellipses for external images, dashed arrows for
           bases used only by builder stages.
  mermaid  a Mermaid flowchart to paste into a pull request or a Markdown page. Mermaid renders
           at most 50,000 characters and 500 edges by default; past either, image-graph says
           so on stderr and suggests the flags that make the drawing smaller.

Large manifests: select platforms with --repo, --path, --os-type, --architecture and
--os-version (the platforms they build on are drawn too, with a dashed outline), leave out
builder-stage bases with --final-only, and draw one node per image or per repo with --collapse.`

const examples = `# The whole graph as a picture
image-graph --manifest manifest.json --format dot | dot -Tsvg > graph.svg

# One node per repo: dotnet-docker's 601 platforms on one screen
image-graph --manifest manifest.json --format dot --collapse repo --final-only | dot -Tpng > repos.png

# The ASP.NET Core images for Linux amd64, for a pull request
image-graph --manifest manifest.json --format mermaid --repo dotnet/aspnet \
  --os-type linux --architecture amd64 --final-only`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type config struct {
	manifest         string
	registryOverride string
	format           string
	vars             cli.Variables
	filter           manifest.Filter
	osVersions       cli.Strings
	paths            cli.Strings
	repos            cli.Strings
	finalOnly        bool
	collapse         string
}

func commandLine(c *config) *cli.Command {
	fs := flag.NewFlagSet("image-graph", flag.ContinueOnError)
	fs.StringVar(&c.manifest, "manifest", "", "the manifest `FILE`; required")
	fs.Var(c.vars, "var", "set a manifest variable `NAME=VALUE`, overriding or adding (repeatable)")
	fs.StringVar(&c.registryOverride, "registry-override", "", "registry `HOST` that replaces the manifest's registry in repo names")
	fs.StringVar(&c.format, "format", "json", "output `FORMAT`: json, dot or mermaid")
	fs.Var(&c.repos, "repo", "draw only the platforms of repo `NAME` (as in the manifest, e.g. dotnet/aspnet; repeatable)")
	fs.Var(&c.paths, "path", "draw only platforms whose dockerfile value matches `GLOB` (repeatable)")
	fs.StringVar(&c.filter.OSType, "os-type", "", "draw only platforms of this OS type `GLOB` (linux, windows)")
	fs.StringVar(&c.filter.Architecture, "architecture", "", "draw only platforms of this architecture `GLOB` (amd64, arm64, arm)")
	fs.Var(&c.osVersions, "os-version", "draw only platforms whose osVersion matches `GLOB` (repeatable)")
	fs.BoolVar(&c.finalOnly, "final-only", false, "leave out the external bases used only by builder stages (dot and mermaid)")
	fs.StringVar(&c.collapse, "collapse", "none", "draw one node per `UNIT`: platform (none), image or repo (dot and mermaid)")
	return &cli.Command{
		Name:        "image-graph",
		Synopsis:    "--manifest FILE [--format json|dot|mermaid] [filters] [--final-only] [--collapse image|repo]",
		Description: description,
		Flags:       fs,
		Sections:    []cli.Section{{Title: "Examples", Body: examples}},
		Exit: []cli.ExitStatus{
			{Code: cli.ExitOK, Meaning: "the graph was printed (a Mermaid drawing past Mermaid's limits too, with a warning)"},
			{Code: cli.ExitError, Meaning: "the manifest or a Dockerfile could not be read or parsed (named with its line on stderr)"},
			cli.ExitStatusUsage,
		},
	}
}

func run(args []string, stdout, stderr io.Writer) int {
	c := &config{vars: cli.Variables{}}
	cmd := commandLine(c)
	if code, done := cmd.Parse(args, stdout, stderr); done {
		return code
	}
	c.filter.OSVersions, c.filter.Paths, c.filter.Repos = c.osVersions, c.paths, c.repos
	collapse, err := c.validate(cmd.Args())
	if err != nil {
		return cmd.Fail(stderr, err)
	}

	m, fsys, err := cli.LoadManifest(c.manifest, manifest.Options{Variables: c.vars, RegistryOverride: c.registryOverride})
	if err != nil {
		return cmd.Fail(stderr, err)
	}
	for _, r := range c.repos {
		if m.RepoByName(r) == nil {
			return cmd.Fail(stderr, cli.Usagef("--repo %q: manifest %s has no repo of that name (repo names as written in the manifest, e.g. %s)", r, c.manifest, m.Repos[0].Name))
		}
	}
	g, err := depgraph.Build(m, fsys, depgraph.Options{})
	if err != nil {
		return cmd.Fail(stderr, fmt.Errorf("manifest %s: %w", c.manifest, err))
	}
	if len(c.filter.Platforms(m)) == 0 {
		fmt.Fprintf(stderr, "image-graph: warning: the filters keep none of the manifest's %d platforms\n", len(m.Platforms()))
	}
	opts := depgraph.DrawOptions{Filter: c.filter, FinalOnly: c.finalOnly, Collapse: collapse}
	switch c.format {
	case "dot":
		err = g.Draw(opts).WriteDOT(stdout)
	case "mermaid":
		err = writeMermaid(stdout, stderr, g.Draw(opts), c)
	default:
		var views []depgraph.PlatformView
		keep := c.filter.Platforms(m)
		all := g.View()
		for _, p := range keep {
			views = append(views, all[p.Index])
		}
		if views == nil {
			views = []depgraph.PlatformView{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		err = enc.Encode(struct {
			Platforms []depgraph.PlatformView `json:"platforms"`
		}{views})
	}
	if err != nil {
		return cmd.Fail(stderr, err)
	}
	return cli.ExitOK
}

func (c *config) validate(rest []string) (depgraph.Collapse, error) {
	if len(rest) > 0 {
		return 0, cli.Usagef("unexpected argument %q (the manifest is given with --manifest)", rest[0])
	}
	if c.manifest == "" {
		return 0, cli.Usagef("--manifest is required")
	}
	switch c.format {
	case "json", "dot", "mermaid":
	default:
		return 0, cli.Usagef("--format %q: want json, dot or mermaid", c.format)
	}
	collapse := map[string]depgraph.Collapse{"none": depgraph.CollapseNone, "platform": depgraph.CollapseNone,
		"image": depgraph.CollapseImage, "repo": depgraph.CollapseRepo}
	v, ok := collapse[c.collapse]
	if !ok {
		return 0, cli.Usagef("--collapse %q: want none, image or repo", c.collapse)
	}
	if c.format == "json" && (c.finalOnly || v != depgraph.CollapseNone) {
		return 0, cli.Usagef("--final-only and --collapse shape drawings: use them with --format dot or mermaid")
	}
	return v, nil
}

// writeMermaid writes the drawing and, when it is past Mermaid's default limits, says so on
// stderr with the flags that would bring it under them.
func writeMermaid(stdout, stderr io.Writer, d *depgraph.Drawing, c *config) error {
	var buf bytes.Buffer
	if err := d.WriteMermaid(&buf); err != nil {
		return err
	}
	if _, err := stdout.Write(buf.Bytes()); err != nil {
		return err
	}
	var over []string
	if buf.Len() > depgraph.MermaidMaxTextSize {
		over = append(over, fmt.Sprintf("%d characters (maxTextSize %d)", buf.Len(), depgraph.MermaidMaxTextSize))
	}
	if len(d.Edges) > depgraph.MermaidMaxEdges {
		over = append(over, fmt.Sprintf("%d edges (maxEdges %d)", len(d.Edges), depgraph.MermaidMaxEdges))
	}
	if len(over) == 0 {
		return nil
	}
	hint := "--collapse image or --collapse repo"
	if c.collapse == "image" {
		hint = "--collapse repo"
	} else if c.collapse == "repo" {
		hint = "fewer repos with --repo"
	}
	if !c.finalOnly {
		hint = "--final-only, " + hint
	}
	fmt.Fprintf(stderr, "image-graph: warning: the Mermaid drawing has %s, past Mermaid's default limits: it will not render in a pull request or Markdown page; "+
		"draw less with %s, or select platforms with --repo, --path, --os-type, --architecture or --os-version\n", joinAnd(over), hint)
	return nil
}

func joinAnd(s []string) string {
	if len(s) == 2 {
		return s[0] + " and " + s[1]
	}
	return s[0]
}
