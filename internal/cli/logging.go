package cli

import (
	"flag"
	"io"
	"log/slog"
)

// Logging is the --log-format and --verbose flags of the commands that log on stderr.
type Logging struct {
	Format  string // text or json
	Verbose bool   // debug level
}

// Register defines --log-format and --verbose on fs. verboseUsage is the help of --verbose;
// "" for "debug logging".
func (l *Logging) Register(fs *flag.FlagSet, verboseUsage string) {
	if verboseUsage == "" {
		verboseUsage = "debug logging"
	}
	fs.StringVar(&l.Format, "log-format", "text", "log `FORMAT` on stderr: text or json")
	fs.BoolVar(&l.Verbose, "verbose", false, verboseUsage)
}

// Start returns the logger the flags ask for, writing to stderr, and where the command
// writes its own lines (as Stderr returns them). err is a usage error naming an unknown
// --log-format.
func (l *Logging) Start(stderr io.Writer) (log *slog.Logger, info, errs io.Writer, err error) {
	log, err = NewLogger(stderr, l.Format, Level(l.Verbose))
	if err != nil {
		return nil, stderr, stderr, err
	}
	info, errs = Stderr(stderr, l.Format, log)
	return log, info, errs, nil
}
