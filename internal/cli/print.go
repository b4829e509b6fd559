package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

// PrintFlags lists every flag of fs with its meaning and default, one per line.
func PrintFlags(w io.Writer, fs *flag.FlagSet) {
	tw := newTable(w)
	fs.VisitAll(func(f *flag.Flag) {
		name, text := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + name
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			text += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(tw, "  --%s%s\t%s\n", f.Name, name, text)
	})
	tw.Flush()
}

// Fail prints err on w, one line per line of the message, prefixed with the command name,
// and returns the exit status: 2 for a UsageError, else 1.
func Fail(w io.Writer, command string, err error) int {
	var ue *UsageError
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(w, "%s: %s\n", command, line)
	}
	if errors.As(err, &ue) {
		fmt.Fprintf(w, "Run %s --help for usage.\n", command)
		return 2
	}
	return 1
}
