package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// Command is the command line of one command: its flags, the help text around them, the
// names it accepts for ImageBuilder's habits, and its exit statuses. Every command prints
// the same help layout (Usage, description, Flags, the extra sections, Exit status), answers
// --version from the build information, and reports a usage mistake in one line ending with
// a hint.
type Command struct {
	Name string
	// Synopsis is the usage line(s) after "Usage: ", without the command name's indentation
	// on continuation lines.
	Synopsis string
	// Description follows the usage line: what the command does and what it prints.
	Description string
	Flags       *flag.FlagSet
	// Sections follow the flags, in order (Environment, Examples, …).
	Sections []Section
	// Exit lists the exit statuses the command uses, in order.
	Exit []ExitStatus
	// Aliases are other spellings accepted for a flag (ImageBuilder's names), listed in the
	// help under the flag they stand for.
	Aliases []Alias
	// Foreign answers flags of other tools that have no direct equivalent: the name without
	// dashes → what to use instead.
	Foreign map[string]string

	args []string
}

// Section is a titled block of the help text; Body lines are printed indented by two spaces.
type Section struct {
	Title string
	Body  string
}

// ExitStatus is one exit status and what it means.
type ExitStatus struct {
	Code    int
	Meaning string
}

// Alias is another name for a flag.
type Alias struct {
	Name string // the alias, without dashes
	Flag string // the flag it stands for
}

// Standard exit-status lines.
var (
	ExitStatusError = ExitStatus{ExitError, "an error (named on stderr)"}
	ExitStatusUsage = ExitStatus{ExitUsage, "a usage error: a flag or argument is wrong or missing (one line on stderr)"}
)

// Parse parses args into the command's flags. It returns done=true when the command must
// end now with code: after printing the help or the version on stdout (0), or a usage error
// on stderr (2). On success the positional arguments are c.Args().
func (c *Command) Parse(args []string, stdout, stderr io.Writer) (code int, done bool) {
	fs := c.Flags
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var version bool
	if fs.Lookup("version") == nil {
		fs.BoolVar(&version, "version", false, "print the version (module version, commit and Go version) and exit")
	}
	for _, a := range c.Aliases {
		if f := fs.Lookup(a.Flag); f != nil && fs.Lookup(a.Name) == nil {
			fs.Var(f.Value, a.Name, "alias of --"+a.Flag)
		}
	}
	c.args = nil
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.WriteHelp(stdout)
				return ExitOK, true
			}
			if c.Flags.Lookup("log-format") != nil && jsonLogRequested(args) {
				// The error follows the log format asked for, though the flags did not parse.
				stderr = LineLogger(slog.New(slog.NewJSONHandler(stderr, nil)), slog.LevelError)
			}
			return Fail(stderr, c.Name, c.flagError(err)), true
		}
		// Flags may follow arguments (ImageBuilder's habit: getStaleImages NAME --flags); after
		// "--" everything is an argument.
		rest := fs.Args()
		dashes := len(args) > len(rest) && args[len(args)-len(rest)-1] == "--"
		if len(rest) == 0 || dashes {
			c.args = append(c.args, rest...)
			break
		}
		c.args = append(c.args, rest[0])
		args = rest[1:]
	}
	if version {
		fmt.Fprintln(stdout, Version(c.Name))
		return ExitOK, true
	}
	return ExitOK, false
}

// jsonLogRequested reports whether args ask for --log-format json.
func jsonLogRequested(args []string) bool {
	for i, a := range args {
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "log-format" {
			continue
		}
		if !hasValue && i+1 < len(args) {
			value = args[i+1]
		}
		return value == "json"
	}
	return false
}

// Args returns the positional arguments of the last Parse, wherever they stood among the
// flags.
func (c *Command) Args() []string { return c.args }

// Fail prints err on stderr as Fail does, for this command.
func (c *Command) Fail(stderr io.Writer, err error) int { return Fail(stderr, c.Name, err) }

// flagError turns the flag package's error into a usage error in the commands' wording:
// flags spelled with two dashes, an unknown flag answered with the nearest known one, the
// flag it is an alias of, or the equivalent of another tool's flag.
func (c *Command) flagError(err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		name = strings.TrimLeft(name, "-")
		if hint, ok := c.Foreign[name]; ok {
			return Usagef("unknown flag --%s: %s", name, hint)
		}
		if near := c.nearest(name); near != "" {
			return Usagef("unknown flag --%s (did you mean --%s?)", name, near)
		}
		return Usagef("unknown flag --%s", name)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return Usagef("--%s needs a value", strings.TrimLeft(name, "-"))
	}
	// invalid value "x" for flag -n: parse error
	if rest, ok := strings.CutPrefix(msg, "invalid value "); ok {
		if value, tail, ok := strings.Cut(rest, " for flag -"); ok {
			name, why, _ := strings.Cut(tail, ": ")
			name = strings.TrimLeft(name, "-")
			if want := c.want(name); want != "" && (why == "parse error" || why == "value out of range") {
				why = want
			}
			return Usagef("--%s %s: %s", name, value, why)
		}
	}
	if rest, ok := strings.CutPrefix(msg, "invalid boolean value "); ok {
		if value, tail, ok := strings.Cut(rest, " for -"); ok {
			name, _, _ := strings.Cut(tail, ": ")
			return Usagef("--%s=%s: want true or false", strings.TrimLeft(name, "-"), strings.Trim(value, `"`))
		}
	}
	return Usagef("%s", msg)
}

// want names what a numeric flag takes, for the flag package's bare "parse error".
func (c *Command) want(name string) string {
	f := c.Flags.Lookup(name)
	if f == nil {
		return ""
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return ""
	}
	switch g.Get().(type) {
	case int, int64, uint, uint64:
		return "want a whole number"
	case float64:
		return "want a number"
	case time.Duration:
		return "want a duration such as 30s, 5m or 4h"
	}
	return ""
}

// nearest returns the flag name closest to name (at most two edits, or name a prefix of it),
// or "".
func (c *Command) nearest(name string) string {
	best, bestDist := "", 3
	c.Flags.VisitAll(func(f *flag.Flag) {
		d := editDistance(name, f.Name)
		if strings.HasPrefix(f.Name, name) && len(name) >= 3 {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	for _, a := range c.Aliases {
		if a.Name == best {
			return a.Flag
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// WriteHelp writes the help: usage, description, flags, the sections and the exit statuses.
func (c *Command) WriteHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s %s\n", c.Name, indentAfterFirst(c.Synopsis, strings.Repeat(" ", len("Usage: "))))
	if c.Description != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(c.Description, "\n"))
	}
	fmt.Fprint(w, "\nFlags:\n")
	c.printFlags(w)
	for _, s := range c.Sections {
		fmt.Fprintf(w, "\n%s:\n", s.Title)
		for _, line := range strings.Split(strings.TrimRight(s.Body, "\n"), "\n") {
			if line == "" {
				fmt.Fprintln(w)
			} else {
				fmt.Fprintf(w, "  %s\n", line)
			}
		}
	}
	if len(c.Exit) > 0 {
		fmt.Fprint(w, "\nExit status:\n")
		for _, e := range c.Exit {
			lines := wrap(e.Meaning, helpWidth-5)
			fmt.Fprintf(w, "  %d  %s\n", e.Code, lines[0])
			for _, l := range lines[1:] {
				fmt.Fprintf(w, "     %s\n", l)
			}
		}
	}
}

// helpWidth is the width flag descriptions are wrapped to.
const helpWidth = 100

func (c *Command) printFlags(w io.Writer) {
	aliasOf := map[string][]string{}
	hidden := map[string]bool{}
	for _, a := range c.Aliases {
		aliasOf[a.Flag] = append(aliasOf[a.Flag], "--"+a.Name)
		hidden[a.Name] = true
	}
	var names, texts []string
	c.Flags.VisitAll(func(f *flag.Flag) {
		if hidden[f.Name] {
			return
		}
		name, text := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + name
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" &&
			!strings.Contains(text, "(default") {
			text += " (default " + f.DefValue + ")"
		}
		if a := aliasOf[f.Name]; len(a) > 0 {
			slices.Sort(a)
			text += " (ImageBuilder: " + strings.Join(a, ", ") + ")"
		}
		names = append(names, "--"+f.Name+name)
		texts = append(texts, text)
	})
	names = append(names, "-h, --help")
	texts = append(texts, "print this help and exit")
	col := 0
	for _, n := range names {
		col = max(col, len(n))
	}
	col = min(col, 32)
	for i, n := range names {
		lines := wrap(texts[i], helpWidth-col-4)
		if len(n) > col {
			fmt.Fprintf(w, "  %s\n", n)
		} else {
			fmt.Fprintf(w, "  %-*s  %s\n", col, n, lines[0])
			lines = lines[1:]
		}
		for _, l := range lines {
			fmt.Fprintf(w, "  %*s  %s\n", col, "", l)
		}
	}
}

// wrap breaks text into lines of at most width characters, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}

func indentAfterFirst(s, indent string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+indent)
}
