package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoggingFlags(t *testing.T) {
	t.Parallel()
	var l Logging
	fs := flag.NewFlagSet("tool", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	l.Register(fs, "")
	require.NoError(t, fs.Parse([]string{"--log-format", "json", "--verbose"}))
	var stderr bytes.Buffer
	log, info, errs, err := l.Start(&stderr)
	require.NoError(t, err)
	log.Debug("debug line")
	fmt.Fprintln(info, "progress")
	fmt.Fprintln(errs, "failure")
	var levels []string
	for _, line := range bytes.Split(bytes.TrimSuffix(stderr.Bytes(), []byte("\n")), []byte("\n")) {
		var rec struct{ Level, Msg string }
		require.NoError(t, json.Unmarshal(line, &rec), "every line is a JSON record: %s", line)
		levels = append(levels, rec.Level+" "+rec.Msg)
	}
	assert.Equal(t, []string{"DEBUG debug line", "INFO progress", "ERROR failure"}, levels)
	assert.Equal(t, "debug logging", fs.Lookup("verbose").Usage)
}

func TestLoggingDefaultsAndBadFormat(t *testing.T) {
	t.Parallel()
	var l Logging
	fs := flag.NewFlagSet("tool", flag.ContinueOnError)
	l.Register(fs, "log every request")
	assert.Equal(t, "log every request", fs.Lookup("verbose").Usage)
	require.NoError(t, fs.Parse(nil))
	var stderr bytes.Buffer
	log, info, errs, err := l.Start(&stderr)
	require.NoError(t, err)
	assert.Same(t, &stderr, info.(*bytes.Buffer), "text: the command's lines go to stderr as they are")
	assert.Same(t, &stderr, errs.(*bytes.Buffer))
	log.Debug("hidden")
	assert.Empty(t, stderr.String(), "without --verbose, no debug lines")

	require.NoError(t, fs.Parse([]string{"--log-format", "xml"}))
	_, _, _, err = l.Start(&stderr)
	require.Error(t, err)
	var usage *UsageError
	assert.ErrorAs(t, err, &usage, "an unknown format is a usage error")
	assert.Contains(t, err.Error(), `--log-format "xml"`)
}
