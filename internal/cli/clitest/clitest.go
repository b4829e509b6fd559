// Package clitest checks that a command follows the conventions every command shares: the
// help layout, --version, and one-line usage errors.
package clitest

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Run runs the command with args and returns its exit status, stdout and stderr.
type Run func(args ...string) (code int, stdout, stderr string)

// Conventions checks the help (Usage line, Flags, Exit status with 0 and 2, in that order,
// on stdout), --version (one line from the build information) and an unknown flag (exit
// status 2, one line on stderr ending with the hint, nothing on stdout); for a command with
// --log-format, an unexpected argument under --log-format json (one JSON record on stderr).
func Conventions(t *testing.T, name string, run Run) {
	t.Helper()
	code, stdout, stderr := run("--help")
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stderr, "--help writes to stdout only")
	assert.True(t, strings.HasPrefix(stdout, "Usage: "+name+" "), "help starts with the usage line: %.80q", stdout)
	flags, exit := strings.Index(stdout, "\nFlags:\n"), strings.Index(stdout, "\nExit status:\n")
	require.Positive(t, flags, "help has a Flags section")
	require.Greater(t, exit, flags, "the Exit status section comes after the flags")
	assert.Contains(t, stdout, "\n  --version ")
	assert.Contains(t, stdout, "\n  -h, --help ")
	statuses := stdout[exit:]
	assert.Regexp(t, regexp.MustCompile(`(?m)^  0  \S`), statuses)
	assert.Regexp(t, regexp.MustCompile(`(?m)^  2  a usage error`), statuses)
	for _, line := range strings.Split(stdout, "\n") {
		assert.LessOrEqual(t, len(line), 200, "help line too long: %q", line)
	}

	hasLogFormat := strings.Contains(stdout, "\n  --log-format ")

	code, stdout, stderr = run("--version")
	assert.Equal(t, 0, code, stderr)
	assert.Regexp(t, regexp.MustCompile(`^`+regexp.QuoteMeta(name)+` \S.* go\d\.\d+\S*\n$`), stdout)

	code, stdout, stderr = run("--no-such-flag")
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Equal(t, name+": unknown flag --no-such-flag; see "+name+" --help\n", stderr)

	if hasLogFormat {
		// A usage error found after the flags are read follows the log format too.
		code, stdout, stderr = run("--log-format", "json", "extra", "extra")
		assert.Equal(t, 2, code, stderr)
		assert.Empty(t, stdout)
		var rec struct{ Level, Msg string }
		require.NoError(t, json.Unmarshal([]byte(stderr), &rec), "--log-format json: one JSON line: %s", stderr)
		assert.Equal(t, "ERROR", rec.Level)
		assert.True(t, strings.HasPrefix(rec.Msg, name+": "), rec.Msg)
		assert.Contains(t, rec.Msg, "argument")
	}
}
