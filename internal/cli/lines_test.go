package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStderrFollowsLogFormat(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	log, err := NewLogger(&stderr, "json", Level(false))
	require.NoError(t, err)
	info, errs := Stderr(&stderr, "json", log)
	fmt.Fprintf(info, "[1/2] a: 3 bases, 0 stale\n[2/2] b: ")
	fmt.Fprintf(info, "skipped\n")
	Fail(errs, "tool", Usagef("--x is wrong"))
	log.Info("from the log")
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	require.Len(t, lines, 4)
	var got []string
	for _, line := range lines {
		var rec struct{ Level, Msg string }
		require.NoError(t, json.Unmarshal([]byte(line), &rec), "every line is a JSON record: %s", line)
		got = append(got, rec.Level+" "+rec.Msg)
	}
	assert.Equal(t, []string{"INFO [1/2] a: 3 bases, 0 stale", "INFO [2/2] b: skipped", "ERROR tool: --x is wrong; see tool --help", "INFO from the log"}, got)

	var plain bytes.Buffer
	info, errs = Stderr(&plain, "text", log)
	assert.Same(t, &plain, info)
	assert.Same(t, &plain, errs)
}

// TestFlagErrorFollowsLogFormat: a mistake in the flags is a JSON record when the command line
// asks for --log-format json.
func TestFlagErrorFollowsLogFormat(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--log-format", "json", "--formt", "x"}, {"--formt=x", "--log-format=json"}} {
		c, _, _ := testCommand()
		c.Flags.String("log-format", "text", "log `FORMAT`")
		var stdout, stderr bytes.Buffer
		code, done := c.Parse(args, &stdout, &stderr)
		require.True(t, done)
		assert.Equal(t, ExitUsage, code)
		var rec struct{ Level, Msg string }
		require.NoError(t, json.Unmarshal(stderr.Bytes(), &rec), stderr.String())
		assert.Equal(t, "ERROR", rec.Level)
		assert.Equal(t, "tool: unknown flag --formt (did you mean --format?); see tool --help", rec.Msg)
	}
}
