package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Fail prints err on w, one line per line of the message, prefixed with the command name,
// and returns the exit status: 2 for a UsageError, else 1. A usage error ends with the hint
// on the same line: "image-graph: unknown flag --formt (did you mean --format?); see
// image-graph --help".
func Fail(w io.Writer, command string, err error) int {
	var ue *UsageError
	usage := errors.As(err, &ue)
	lines := strings.Split(strings.TrimRight(err.Error(), "\n"), "\n")
	for i, line := range lines {
		if usage && i == len(lines)-1 {
			line += "; see " + command + " --help"
		}
		fmt.Fprintf(w, "%s: %s\n", command, line)
	}
	if usage {
		return ExitUsage
	}
	return ExitError
}

// PrintFlags lists every flag of fs with its meaning and default, one per line, wrapped as
// Command's help lists them. Commands built on Command do not need it.
func PrintFlags(w io.Writer, fs *flag.FlagSet) { (&Command{Flags: fs}).printFlags(w) }
