// Command record-image-info writes the image-info entries of the platforms a build job just
// built and pushed, as ImageBuilder's build writes them, so that merge-image-info merges them
// and get-stale-images reads those platforms as up to date. It can also print the docker
// buildx flags that pin each platform's base, and validate an image-info file against its
// manifest.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/internal/atomicfile"
	"github.com/baseflow/baseflow/internal/cli"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/setup"
)

const description = `Records the platforms a build job built and pushed. For each platform the filter flags select
(as in get-stale-images), reads the image under its tags (in --registry-override when given,
where the build pushed it): the digest (one HEAD), the layers from its manifest, the creation
time from its config, and the base it was built on from the annotations
org.opencontainers.image.base.name and org.opencontainers.image.base.digest, which buildah and
podman write on every image (docker buildx: see --pin; a classic docker build may --label the
config with the same names). Without them, --base-digest supplies
the digest; with neither, the platform is an error: nothing is looked up "now" in its place.

baseImageDigest is always the digest the image was built on, spelled as the check compares
it: "<repository>@<digest the tag points to>" when the base tag still points to that digest
or to an index listing it; when the base moved since the build, the digest built on, which
the next get-stale-images run reads as stale.

The file (--output) is written atomically, in ImageBuilder's format, one per build job;
merge-image-info merges the jobs' files.

--pin prints, per platform built on an external image, the docker buildx build flags that
make the build use, and annotate, the digest its base tag points to now:
  app/runtime:1.0-amd64 (src/runtime/amd64)  --build-context debian:bookworm-slim=docker-image://debian@sha256:… --annotation …

--validate FILE reads an image-info file as get-stale-images does and lists the entries that
bind to no manifest platform, the selected platforms without an entry, and the entries that
nearly match one (letter case, "/Dockerfile", repo name, osVersion).`

const environment = `DOCKER_CONFIG   docker config.json (credentials and credential helpers for registries)`

const examples = `# After "buildah build" and "buildah push" of the amd64 platforms
record-image-info --manifest manifest.json --architecture amd64 \
  --commit-url "https://github.com/$REPO/blob/$SHA" --output image-info/amd64.json

# docker buildx: pin the base, build, then record what was pinned
record-image-info --manifest manifest.json --path src/runtime/amd64 --pin

# Check a hand-written or merged file against the manifest
record-image-info --manifest manifest.json --validate image-info.json --strict`

func commandLine(fs *flag.FlagSet) *cli.Command {
	return &cli.Command{
		Name: "record-image-info",
		Synopsis: "--manifest FILE [flags] --output FILE\n" +
			"record-image-info --manifest FILE [flags] --pin\n" +
			"record-image-info --manifest FILE [flags] --validate FILE [--strict]",
		Description: description,
		Flags:       fs,
		Sections:    []cli.Section{{Title: "Environment", Body: environment}, {Title: "Examples", Body: examples}},
		Exit: []cli.ExitStatus{
			{Code: cli.ExitOK, Meaning: "success"},
			{Code: cli.ExitError, Meaning: "a platform could not be recorded (every failing platform is named; nothing is written), or --strict validation found problems"},
			cli.ExitStatusUsage,
		},
	}
}

func main() {
	ctx, stop := cli.SignalContext(context.Background())
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil)
	stop()
	os.Exit(code)
}

type config struct {
	manifest          string
	variables         cli.Variables
	registryOverride  string
	osType            string
	architecture      string
	osVersions        cli.Strings
	paths             cli.Strings
	commitURL         string
	baseDigests       cli.Strings
	output            string
	pin               bool
	validate          string
	strict            bool
	plainHTTP         cli.Strings
	mirrors           cli.Strings
	baseOverrideRegex string
	baseOverrideSub   string
	timeout           time.Duration
	logging           cli.Logging
}

func (c *config) register(fs *flag.FlagSet) {
	fs.StringVar(&c.manifest, "manifest", "", "manifest `FILE` the images were built from; required")
	fs.Var(c.variables, "var", "set a manifest variable (`NAME=VALUE`, repeatable)")
	fs.StringVar(&c.registryOverride, "registry-override", "", "`HOST` the images were pushed to, replacing the manifest's registry")
	fs.StringVar(&c.osType, "os-type", "", "record only platforms of this OS type `GLOB` (linux, windows)")
	fs.StringVar(&c.architecture, "architecture", "", "record only platforms of this architecture `GLOB` (amd64, arm64, arm)")
	fs.Var(&c.osVersions, "os-version", "record only platforms whose osVersion matches `GLOB` (repeatable)")
	fs.Var(&c.paths, "path", "record only platforms whose dockerfile value matches `GLOB` (repeatable)")
	fs.StringVar(&c.commitURL, "commit-url", "", "`URL` of the source at the built commit, \"https://github.com/OWNER/REPO/blob/SHA\"; each commitUrl is URL/<dockerfile> (http or https, without credentials: it is published)")
	fs.Var(&c.baseDigests, "base-digest", "digest a final-stage base was built on, for images without base annotations (`REF=DIGEST`: REF as the Dockerfile writes it after ARG expansion; repeatable)")
	fs.StringVar(&c.output, "output", "", "image-info `FILE` to write (atomically)")
	fs.BoolVar(&c.pin, "pin", false, "print the docker buildx flags that pin each platform's base, instead of recording")
	fs.StringVar(&c.validate, "validate", "", "validate image-info `FILE` against the manifest, instead of recording")
	fs.BoolVar(&c.strict, "strict", false, "with --validate: exit 1 when an entry is unbound or a platform has no entry")
	fs.Var(&c.plainHTTP, "plain-http", "talk plain HTTP to registry `HOST` (repeatable; loopback hosts always may)")
	fs.Var(&c.mirrors, "mirror", "look bases under REGISTRY up at TARGET (`REGISTRY=TARGET`, repeatable), as get-stale-images")
	fs.StringVar(&c.baseOverrideRegex, "base-override-regex", "", "`RE` rewriting base references before lookup, as get-stale-images")
	fs.StringVar(&c.baseOverrideSub, "base-override-sub", "", "replacement for --base-override-regex (`SUB`)")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Minute, "stop after `DURATION`, writing nothing; 0: no limit")
	c.logging.Register(fs, "")
}

func (c *config) check() error {
	modes := 0
	for _, on := range []bool{c.output != "", c.pin, c.validate != ""} {
		if on {
			modes++
		}
	}
	switch {
	case c.manifest == "":
		return cli.Usagef("--manifest is required")
	case modes == 0:
		return cli.Usagef("one of --output, --pin or --validate is required")
	case modes > 1:
		return cli.Usagef("--output, --pin and --validate do not go together")
	case c.strict && c.validate == "":
		return cli.Usagef("--strict needs --validate")
	case c.output != "" && cli.SameFile(c.output, c.manifest):
		return cli.Usagef("--output %s is the manifest: give the image-info file to write", c.output)
	}
	for _, v := range c.baseDigests {
		ref, d, ok := strings.Cut(v, "=")
		if !ok || ref == "" || d == "" {
			return cli.Usagef("--base-digest %q: want REF=DIGEST", v)
		}
		if i := strings.LastIndex(d, "@"); i >= 0 { // "<repository>@sha256:…"
			d = d[i+1:]
		}
		if err := digest.Digest(d).Validate(); err != nil {
			return cli.Usagef("--base-digest %q: %v: want REF=sha256:… or REF=REPOSITORY@sha256:…", v, err)
		}
	}
	if _, err := cli.ParseMirrors(c.mirrors); err != nil {
		return err
	}
	if _, err := depgraph.NewBaseOverride(c.baseOverrideRegex, c.baseOverrideSub); err != nil {
		return cli.Usagef("--base-override-regex: %v", err)
	}
	return nil
}

// run is the command; reader, when not nil, replaces the network registry client.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, reader registry.ImageReader) int {
	const name = "record-image-info"
	c := &config{variables: cli.Variables{}}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	c.register(fs)
	cmd := commandLine(fs)
	if code, done := cmd.Parse(args, stdout, stderr); done {
		return code
	}
	// What was recorded and errors follow the log format too.
	log, info, errs, err := c.logging.Start(stderr)
	if err != nil {
		return cli.Fail(stderr, name, err)
	}
	if len(cmd.Args()) > 0 {
		return cli.Fail(errs, name, cli.Usagef("unexpected argument %q", cmd.Args()[0]))
	}
	if err := c.check(); err != nil {
		return cli.Fail(errs, name, err)
	}

	rec, err := setup.NewRecord(c.settings(reader, log))
	if err != nil {
		return cli.Fail(errs, name, err)
	}
	if c.validate != "" {
		return validate(stdout, info, errs, c, rec.Manifest, rec.Platforms)
	}
	if len(rec.Platforms) == 0 {
		return cli.Fail(errs, name, fmt.Errorf("manifest %s: the filter selects no platform", c.manifest))
	}
	ctx, cancel := setup.WithRunTimeout(ctx, c.timeout, "--timeout")
	defer cancel()
	if c.pin {
		return pin(ctx, stdout, errs, rec)
	}

	doc, got, err := rec.Recorder.Record(ctx, rec.Graph, rec.Platforms)
	if err != nil {
		if de := setup.DeadlinePassed(ctx); de != nil {
			err = errors.Join(de, err)
		}
		return cli.Fail(errs, name, err)
	}
	// Per-job files usually go to a directory of their own, which the merge reads.
	if err := os.MkdirAll(filepath.Dir(c.output), 0o755); err != nil {
		return cli.Fail(errs, name, err)
	}
	if err := atomicfile.Write(c.output, 0o644, func(w io.Writer) error { return imageinfo.Write(w, doc) }); err != nil {
		return cli.Fail(errs, name, err)
	}
	for _, p := range got {
		fmt.Fprintf(info, "recorded %s: %s", p.Built.Platform, p.Built.Digest)
		switch {
		case p.Built.BaseImageDigest == nil:
			fmt.Fprint(info, " (FROM scratch)")
		case p.BaseMoved:
			fmt.Fprintf(info, " on %s (%s; the base has moved since: the next check will find it stale)", *p.Built.BaseImageDigest, p.BaseSource)
		default:
			fmt.Fprintf(info, " on %s (%s)", *p.Built.BaseImageDigest, p.BaseSource)
		}
		fmt.Fprintln(info)
	}
	fmt.Fprintf(info, "%s: wrote %d platforms to %s\n", name, len(got), c.output)
	return 0
}

// settings maps the flags to the record's settings; check has passed.
func (c *config) settings(reader registry.ImageReader, log *slog.Logger) setup.RecordSettings {
	bases := map[string]string{}
	for _, v := range c.baseDigests {
		ref, d, _ := strings.Cut(v, "=")
		bases[ref] = d
	}
	mirrors, _ := cli.ParseMirrors(c.mirrors)
	override, _ := depgraph.NewBaseOverride(c.baseOverrideRegex, c.baseOverrideSub)
	return setup.RecordSettings{
		Manifest:         c.manifest,
		Variables:        c.variables,
		RegistryOverride: c.registryOverride,
		OSType:           c.osType,
		Architecture:     c.architecture,
		OSVersions:       c.osVersions,
		Paths:            c.paths,
		CommitURL:        c.commitURL,
		BaseDigests:      bases,
		BaseOverride:     override,
		Registry:         setup.RegistrySettings{PlainHTTP: c.plainHTTP, Mirrors: mirrors},
		Reader:           reader,
		Logger:           log,
	}
}

func pin(ctx context.Context, stdout, errs io.Writer, rec *setup.Record) int {
	pins, err := rec.Recorder.Pins(ctx, rec.Graph, rec.Platforms)
	for _, p := range pins {
		fmt.Fprintf(stdout, "%s\t%s\n", p.Platform, shellJoin(p.Flags))
	}
	if err != nil {
		return cli.Fail(errs, "record-image-info", err)
	}
	return 0
}

// shellJoin quotes the arguments that need it for a POSIX shell.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}

func validate(stdout, info, errs io.Writer, c *config, m *manifest.Manifest, platforms []*manifest.Platform) int {
	const name = "record-image-info"
	data, err := os.ReadFile(c.validate)
	if err != nil {
		return cli.Fail(errs, name, err)
	}
	doc, err := imageinfo.Parse(c.validate, data, imageinfo.ForStaleCheck())
	if err == nil {
		err = imageinfo.Bind(doc, m, imageinfo.BindOptions{SkipManifestValidation: true})
	}
	if err != nil {
		return cli.Fail(errs, name, err)
	}
	v := imageinfo.Validate(doc, platforms)
	for _, e := range v.Unbound {
		p := e.Platform
		fmt.Fprintf(stdout, "unbound entry: repo %s, %s (%s, %s, %s)", e.Repo.Repo, p.Dockerfile, p.Architecture, p.OSType, p.OSVersion)
		if e.Image.ProductVersion != nil {
			fmt.Fprintf(stdout, ", productVersion %s", *e.Image.ProductVersion)
		}
		fmt.Fprintln(stdout, ": matches no platform of the manifest")
	}
	for _, miss := range v.Missing {
		fmt.Fprintf(stdout, "no entry: platform %s (%s, %s, %s): the check will rebuild it\n",
			miss.Platform, miss.Platform.DockerfilePath, miss.Platform.ArchitectureDisplay(), miss.Platform.OSVersion)
		for _, n := range miss.NearMisses {
			fmt.Fprintf(stdout, "  did you mean the entry %s %s? it has %s\n", n.Repo.Repo, n.Platform.Dockerfile, n)
		}
	}
	fmt.Fprintf(info, "%s: %s: %d entries unbound, %d of %d platforms without an entry\n", name, c.validate, len(v.Unbound), len(v.Missing), len(platforms))
	if c.strict && !v.OK() {
		return 1
	}
	return 0
}
