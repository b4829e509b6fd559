package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"sync"
)

// LineLogger returns a writer that logs each line written to it as one record at level, so
// that a command's own lines (progress, failures, --explain) follow --log-format json like
// its log does. A line is logged when its newline is written.
func LineLogger(log *slog.Logger, level slog.Level) io.Writer {
	return &lineLogger{log: log, level: level}
}

type lineLogger struct {
	mu    sync.Mutex
	log   *slog.Logger
	level slog.Level
	buf   []byte
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.log.Log(context.Background(), l.level, string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
}

// Stderr returns where a command writes its own lines on stderr: stderr itself for the text
// log format, and for json a writer per level (information, errors) that logs each line.
func Stderr(stderr io.Writer, format string, log *slog.Logger) (info, errs io.Writer) {
	if format != "json" || log == nil {
		return stderr, stderr
	}
	return LineLogger(log, slog.LevelInfo), LineLogger(log, slog.LevelError)
}
