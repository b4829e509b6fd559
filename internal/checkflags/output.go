package checkflags

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/internal/atomicfile"
	"github.com/baseflow/baseflow/internal/cli"
	"github.com/baseflow/baseflow/subscription"
)

// OutputFlags choose how stale paths are written.
type OutputFlags struct {
	Format   string
	Variable string
	Output   string
	Report   string
	Explain  bool
}

// Register defines the flags on fs.
func (f *OutputFlags) Register(fs interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
}) {
	fs.StringVar(&f.Format, "format", "json", "output `FORMAT`: json (ImageBuilder's), azure-pipelines (an output variable) or github-actions ($GITHUB_OUTPUT and a step summary)")
	fs.StringVar(&f.Variable, "variable", "staleImagePaths", "output variable `NAME` for the azure-pipelines and github-actions formats")
	fs.StringVar(&f.Output, "output", "", "write the stale-path JSON to `FILE` (atomically) instead of stdout; - is stdout")
	fs.StringVar(&f.Report, "report", "", "write a JSON report to `FILE`: reasons, digests looked up, errors, registry requests")
	fs.BoolVar(&f.Explain, "explain", false, "print the report as readable text on stderr")
}

// Validate reports usage errors.
func (f *OutputFlags) Validate() error {
	switch f.Format {
	case "json", "azure-pipelines", "github-actions":
	default:
		return cli.Usagef("--format %q: want json, azure-pipelines or github-actions", f.Format)
	}
	if f.Variable == "" || strings.ContainsAny(f.Variable, ";=]\r\n") {
		return cli.Usagef("--variable %q: want a variable name", f.Variable)
	}
	if !toStdout(f.Output) {
		if err := checkOutputFile("--output", f.Output); err != nil {
			return err
		}
	}
	return checkOutputFile("--report", f.Report)
}

// ValidateEnvironment reports, before anything runs, what the chosen format needs from the
// environment: GITHUB_OUTPUT for github-actions.
func (f *OutputFlags) ValidateEnvironment(getenv func(string) string) error {
	if f.Format == "github-actions" && getenv("GITHUB_OUTPUT") == "" {
		return cli.Usagef("--format github-actions: GITHUB_OUTPUT is not set (run inside a GitHub Actions step, or choose --format json)")
	}
	return nil
}

// toStdout reports whether an --output value means standard output.
func toStdout(path string) bool { return path == "-" || path == "/dev/stdout" }

// checkOutputFile refuses, before the check runs, a file that cannot be written atomically:
// its directory must exist, and the file must be a regular file if it exists.
func checkOutputFile(flag, path string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return cli.Usagef("%s %s: not a regular file (files are replaced atomically; for standard output give - to --output)", flag, path)
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return cli.Usagef("%s %s: directory %s does not exist", flag, path, dir)
	}
	return nil
}

// ValidateFiles reports a usage error when --output or --report names a file the check
// reads (--subscriptions, --manifest, --image-info), by any path, or both name one file:
// writing it would replace the input.
func (f *OutputFlags) ValidateFiles(c *CheckFlags) error {
	outputs := []struct{ flag, path string }{{"--output", f.Output}, {"--report", f.Report}}
	inputs := []struct{ flag, path string }{{"--subscriptions", c.Subscriptions}, {"--manifest", c.Manifest}, {"--image-info", c.ImageInfo}}
	for _, out := range outputs {
		if out.path == "" {
			continue
		}
		for _, in := range inputs {
			if in.path != "" && cli.SameFile(out.path, in.path) {
				return cli.Usagef("%s %s is the %s file: give a file of its own", out.flag, out.path, in.flag)
			}
		}
	}
	if f.Output != "" && f.Report != "" && (f.Output == f.Report || cli.SameFile(f.Output, f.Report)) {
		return cli.Usagef("--output and --report name the same file")
	}
	return nil
}

// Write writes the stale paths of results in the chosen format, and the report when asked.
// getenv reads GITHUB_OUTPUT and GITHUB_STEP_SUMMARY for the github-actions format.
func (f *OutputFlags) Write(stdout, stderr io.Writer, results []*check.SubscriptionResult, report check.Report, getenv func(string) string) error {
	var paths []subscription.ImagePaths
	for _, r := range results {
		if !r.Skipped {
			paths = append(paths, r.ImagePaths())
		}
	}
	data, err := subscription.MarshalImagePaths(paths)
	if err != nil {
		return err
	}
	out := string(data)
	if f.Format == "azure-pipelines" {
		out = AzurePipelinesVariable(f.Variable, data)
	}
	if f.Output != "" && !toStdout(f.Output) {
		if err := atomicfile.WriteFile(f.Output, []byte(out+"\n"), 0o644); err != nil {
			return err
		}
	} else if _, err := fmt.Fprintln(stdout, out); err != nil {
		return err
	}
	if f.Format == "github-actions" {
		if err := writeGitHubActions(f.Variable, data, report, getenv); err != nil {
			return err
		}
	}
	if f.Report != "" {
		if err := atomicfile.Write(f.Report, 0o644, func(w io.Writer) error { return cli.WriteJSON(w, report) }); err != nil {
			return err
		}
	}
	if f.Explain {
		return report.WriteText(stderr)
	}
	return nil
}

// AzurePipelinesVariable is the logging command that sets an output variable to value, with
// every '"' escaped as '\"', as ImageBuilder's getStaleImages writes it.
func AzurePipelinesVariable(name string, value []byte) string {
	return "##vso[task.setvariable variable=" + name + ";isoutput=true]" + strings.ReplaceAll(string(value), `"`, `\"`)
}

func writeGitHubActions(name string, value []byte, report check.Report, getenv func(string) string) error {
	outputFile := getenv("GITHUB_OUTPUT")
	if outputFile == "" {
		return fmt.Errorf("--format github-actions: GITHUB_OUTPUT is not set (run inside a GitHub Actions step)")
	}
	if err := appendFile(outputFile, name+"="+string(value)+"\n"); err != nil {
		return err
	}
	if summary := getenv("GITHUB_STEP_SUMMARY"); summary != "" {
		return appendFile(summary, MarkdownSummary(report))
	}
	return nil
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// MarkdownSummary renders the report as a Markdown table of stale images with reasons.
func MarkdownSummary(report check.Report) string {
	var b strings.Builder
	b.WriteString("### Stale images\n\n")
	stale := 0
	for _, s := range report.Subscriptions {
		stale += len(s.Stale)
	}
	if stale == 0 {
		b.WriteString("No stale images.\n")
	} else {
		b.WriteString("| Subscription | Path | Why |\n|---|---|---|\n")
		for _, s := range report.Subscriptions {
			for _, p := range s.Stale {
				fmt.Fprintf(&b, "| %s | `%s` | %s |\n", mdEscape(s.ID), p.Path, mdEscape(p.Why))
			}
		}
	}
	// Failed lookups once per base, however many platforms and subscriptions use it.
	if len(report.FailedBases) > 0 {
		b.WriteString("\n### Bases that could not be looked up\n\n| Base | Platforms not checked | Subscriptions | Error |\n|---|---|---|---|\n")
		for _, f := range report.FailedBases {
			fmt.Fprintf(&b, "| `%s` | %d | %s | %s |\n", f.Reference, f.Platforms, mdEscape(strings.Join(f.Subscriptions, ", ")), mdEscape(f.Error))
		}
	}
	for _, s := range report.Subscriptions {
		if s.Error != "" && !lookupsFailed(s) {
			fmt.Fprintf(&b, "\n**%s failed:** %s\n", mdEscape(s.ID), mdEscape(strings.ReplaceAll(s.Error, "\n", "; ")))
		}
	}
	return b.String() + "\n"
}

// lookupsFailed reports whether the subscription failed at its base lookups (listed by base).
func lookupsFailed(s check.SubscriptionReport) bool {
	for _, b := range s.Bases {
		if b.Error != "" {
			return true
		}
	}
	return false
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}
