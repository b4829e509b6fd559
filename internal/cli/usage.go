package cli

import (
	"fmt"
	"io"
	"log/slog"
)

// UsageError is a command-line mistake; commands exit with status 2 for it.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a UsageError.
func Usagef(format string, args ...any) error { return &UsageError{fmt.Sprintf(format, args...)} }

// Exit statuses shared by the commands.
const (
	ExitOK      = 0
	ExitError   = 1
	ExitUsage   = 2
	ExitBreaker = 3
)

// Level is the log level of the commands' --verbose flag: debug when set, else info.
func Level(verbose bool) slog.Level {
	if verbose {
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

// NewLogger returns a logger writing to w in text or json format.
func NewLogger(w io.Writer, format string, level slog.Level) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, Usagef("--log-format %q: want text or json", format)
}
