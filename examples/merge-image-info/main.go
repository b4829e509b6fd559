// Command merge-image-info merges ImageBuilder image-info files, as ImageBuilder's
// mergeImageInfo and trimUnchangedPlatforms commands do. Run it with --help for the details.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/internal/atomicfile"
	"github.com/baseflow/baseflow/internal/cli"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/registry"
)

const description = `Merges every *.json file under SOURCE_DIR (recursively, in path order) into one image-info
file and writes it to DEST, as ImageBuilder's mergeImageInfo does. The files are merged, in
order, into an empty document, or into the --initial file. Repos match by name, images by the
manifest image they belong to, platforms by Dockerfile, architecture, OS, OS version,
major.minor product version and whether they have tags. Matched values are overwritten by
later files (empty ones included), layers are replaced, unmatched entries are added, nothing
is removed; lists come out sorted. DEST is written atomically: on any error it is left as it
was. A DEST (or --trim-unchanged FILE) that is a symbolic link is written through: the file
it leads to is replaced and the link is kept. SIGINT or SIGTERM stops the command before it
writes, leaving DEST as it was. Progress and a summary go to stderr.`

const withoutManifest = `Entries are matched without a manifest: repos and platforms by the same rules, a platform's
major.minor coming from its image's productVersion, and images when their product versions are
equivalent (equal, or the same major.minor) and they have a platform or a shared tag in common.
Per-job files of one build carry the shared tags of each image they built a platform of, so
they merge as with a manifest; an image without shared tags whose platforms were built by
different jobs would stay split. Nothing is validated against a manifest, and --publish cannot
remove out-of-date content.`

const examples = `# Build time (per-job files of one build, into one file):
merge-image-info --manifest manifest.json image-infos image-infos/output/image-info.json

# Publish time (the build's file into the published one):
merge-image-info --manifest manifest.json --publish \
    --initial image-infos/full-image-info-orig.json --commit-override "$SHA" \
    image-infos image-infos/full-image-info-new.json`

func commandLine(fs *flag.FlagSet) *cli.Command {
	return &cli.Command{
		Name:        "merge-image-info",
		Synopsis:    "[flags] SOURCE_DIR DEST\nmerge-image-info --trim-unchanged FILE",
		Description: description,
		Flags:       fs,
		Sections:    []cli.Section{{Title: "Without --manifest", Body: withoutManifest}, {Title: "Examples", Body: examples}},
		Exit: []cli.ExitStatus{
			{Code: cli.ExitOK, Meaning: "DEST was written (or FILE trimmed, or FILE missing with --trim-unchanged: a warning)"},
			{Code: cli.ExitError, Meaning: "an error (named on stderr); DEST is left as it was"},
			cli.ExitStatusUsage,
		},
		Aliases: []cli.Alias{{Name: "initial-image-info-path", Flag: "initial"}},
	}
}

func main() {
	ctx, stop := cli.SignalContext(context.Background())
	code := runContext(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type config struct {
	manifestPath     string
	variables        cli.Variables
	registryOverride string
	publish          bool
	initial          string
	commitOverride   string
	trim             string
	args             []string
}

func parseArgs(args []string, stdout, stderr io.Writer) (c *config, code int, done bool) {
	c = &config{variables: cli.Variables{}}
	flags := flag.NewFlagSet("merge-image-info", flag.ContinueOnError)
	flags.StringVar(&c.manifestPath, "manifest", "", "the manifest.json the files were built from (`PATH`). Entries are bound to its repos, images and platforms. In a build-time merge, an image none of whose platforms is in the manifest is an error.")
	flags.Var(c.variables, "var", "set a manifest variable `NAME=VALUE` (repeatable), as ImageBuilder's --var")
	flags.StringVar(&c.registryOverride, "registry-override", "", "registry `HOST` to load the manifest with, as ImageBuilder's option")
	flags.BoolVar(&c.publish, "publish", false, "publish-time rules: the tag lists of a merged platform or image (simpleTags, sharedTags, syndicatedDigests) are replaced by the later file's instead of unioned, entries that match nothing in the manifest are accepted, and with --initial and --manifest the initial file first loses the repos, images and platforms the manifest no longer has (repos left without images are kept)")
	flags.StringVar(&c.initial, "initial", "", "merge into this file (`PATH`) instead of into an empty document; it must be one of the *.json files under SOURCE_DIR")
	flags.StringVar(&c.commitOverride, "commit-override", "", "after the merge, replace the 40-hex commit in the commitUrl of every platform that is new compared with --initial or whose digest or commitUrl changed, with `SHA` (40 lowercase hex characters); needs --initial")
	flags.StringVar(&c.trim, "trim-unchanged", "", "instead of merging, remove from `FILE` the platforms marked isUnchanged, then the images and repos left empty, and rewrite FILE in place, atomically, as ImageBuilder's trimUnchangedPlatforms does (without a trailing newline, as it writes); a missing FILE is only a warning")
	cmd := commandLine(flags)
	if code, done := cmd.Parse(args, stdout, stderr); done {
		return nil, code, true
	}
	c.args = cmd.Args()
	if err := c.validate(); err != nil {
		return nil, cmd.Fail(stderr, err), true
	}
	return c, cli.ExitOK, false
}

func (c *config) validate() error {
	switch {
	case c.trim != "":
		if len(c.args) > 0 || c.manifestPath != "" || len(c.variables) > 0 || c.registryOverride != "" || c.publish || c.initial != "" || c.commitOverride != "" {
			return cli.Usagef("--trim-unchanged FILE takes no other flag or argument")
		}
	case len(c.args) != 2:
		return cli.Usagef("want SOURCE_DIR and DEST, got %d arguments", len(c.args))
	case c.manifestPath == "" && (len(c.variables) > 0 || c.registryOverride != ""):
		return cli.Usagef("--var and --registry-override need --manifest")
	case c.registryOverride != "" && registry.ValidateOverride(c.registryOverride) != nil:
		return cli.Usagef("%v", registry.ValidateOverride(c.registryOverride))
	case c.manifestPath != "" && cli.SameFile(c.args[1], c.manifestPath):
		return cli.Usagef("DEST %s is the manifest: give the image-info file to write", c.args[1])
	case c.commitOverride != "" && c.initial == "":
		return cli.Usagef("--commit-override needs --initial: platforms are compared with the initial file")
	}
	return nil
}

func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// runContext is the command; a SIGINT or SIGTERM ends ctx, and the command then stops before
// it writes, leaving DEST (or the trimmed file) as it was.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, code, done := parseArgs(args, stdout, stderr)
	if done {
		return code
	}
	var err error
	if c.trim != "" {
		err = trim(ctx, c.trim, stderr)
	} else {
		err = merge(ctx, c, stderr)
	}
	if err != nil {
		return cli.Fail(stderr, "merge-image-info", err)
	}
	return cli.ExitOK
}

// stopped reports a run ended by a signal before dest was written.
func stopped(ctx context.Context, dest string) error {
	if ctx.Err() != nil {
		return fmt.Errorf("stopped by a signal; %s was not written", dest)
	}
	return nil
}

func merge(ctx context.Context, c *config, stderr io.Writer) error {
	source, dest := c.args[0], c.args[1]
	if c.commitOverride != "" {
		if err := imageinfo.CheckCommitOverride(c.commitOverride); err != nil {
			return err
		}
	}
	opts := imageinfo.MergeFilesOptions{Publish: c.publish, CommitOverride: c.commitOverride}
	if c.manifestPath != "" {
		var err error
		opts.Manifest, _, err = cli.LoadManifest(c.manifestPath, manifest.Options{Variables: c.variables, RegistryOverride: c.registryOverride})
		if err != nil {
			return err
		}
	}
	paths, err := findJSON(source)
	if err != nil {
		return err
	}
	if c.initial != "" {
		i, err := indexOf(paths, c.initial, source)
		if err != nil {
			return err
		}
		opts.Initial = paths[i]
	}
	files := make([]imageinfo.File, len(paths))
	for i, p := range paths {
		if err := stopped(ctx, dest); err != nil {
			return err
		}
		if files[i].Data, err = readImageInfo(p); err != nil {
			return err
		}
		files[i].Name = p
	}

	rep, err := imageinfo.MergeFiles(files, opts)
	for _, u := range rep.Unbound {
		fmt.Fprintf(stderr, "note: %s: repo %s is not in the manifest; its entries are not bound\n", u.File, u.Repo)
	}
	if rep.Initial != "" {
		fmt.Fprintf(stderr, "merging into %s (%s)\n", rep.Initial, counts(rep.InitialCounts))
		if c.publish && opts.Manifest == nil {
			fmt.Fprintln(stderr, "note: without --manifest, out-of-date content is not removed from the initial file")
		}
		if rep.Pruned {
			fmt.Fprintf(stderr, "removed out-of-date content from %s: %d repos, %d images, %d platforms\n",
				opts.Initial, rep.Removed.Repos, rep.Removed.Images, rep.Removed.Platforms)
		}
	}
	for _, f := range rep.Merged {
		fmt.Fprintf(stderr, "merged %s (%s)\n", f.Name, counts(f.Counts))
	}
	if err != nil {
		return err
	}
	if c.commitOverride != "" {
		fmt.Fprintf(stderr, "commit override: rewrote the commitUrl of %d platforms\n", rep.CommitsOverridden)
	}

	if err := stopped(ctx, dest); err != nil {
		return err
	}
	if dir := filepath.Dir(dest); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	target := rep.Document
	if err := atomicfile.WriteFile(dest, imageinfo.Marshal(target), 0o644); err != nil {
		return err
	}
	mode := "build"
	if c.publish {
		mode = "publish"
	}
	fmt.Fprintf(stderr, "wrote %s: %s (%s merge of %d files)\n", dest, counts(target.Count()), mode, len(rep.Merged))
	return nil
}

func counts(c imageinfo.Counts) string {
	return fmt.Sprintf("%d repos, %d images, %d platforms", c.Repos, c.Images, c.Platforms)
}

// findJSON returns the *.json files under dir, recursively, sorted by path.
func findJSON(dir string) ([]string, error) {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("source directory %s does not exist", dir)
	case err != nil:
		return nil, err
	case !st.IsDir():
		return nil, fmt.Errorf("source %s is not a directory", dir)
	}
	var paths []string
	err = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no *.json files under %s", dir)
	}
	// ImageBuilder sorts full paths; WalkDir's per-directory order differs ("a/x.json" comes
	// before "a.json" there, after it here).
	slices.Sort(paths)
	return paths, nil
}

// indexOf finds the file among paths that is the same file as initial.
func indexOf(paths []string, initial, source string) (int, error) {
	want, err := os.Stat(initial)
	if err != nil {
		return -1, fmt.Errorf("--initial: %w", err)
	}
	for i, p := range paths {
		if st, err := os.Stat(p); err == nil && os.SameFile(st, want) {
			return i, nil
		}
	}
	return -1, fmt.Errorf("--initial %s is not one of the *.json files under %s: put it there, as it is merged into in place of an empty document", initial, source)
}

func load(path string) (*imageinfo.Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return imageinfo.Read(path, f)
}

// readImageInfo reads an image-info file, up to one byte more than imageinfo accepts, so that a
// huge file is refused without being read whole.
func readImageInfo(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, imageinfo.DefaultMaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, nil
}

func trim(ctx context.Context, path string, stderr io.Writer) error {
	d, err := load(path)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(stderr, "warning: image-info file %s not found; nothing to trim\n", path)
		return nil
	}
	if err != nil {
		return err
	}
	removed := imageinfo.TrimUnchanged(d)
	// ImageBuilder's trimUnchangedPlatforms writes no trailing newline.
	out := imageinfo.Marshal(d)
	out = out[:len(out)-1]
	if err := stopped(ctx, path); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(path, out, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "trimmed %s: removed %d unchanged platforms, %d images, %d repos; %s left\n",
		path, removed.Platforms, removed.Images, removed.Repos, counts(d.Count()))
	return nil
}
