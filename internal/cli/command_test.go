package cli

import (
	"bytes"
	"flag"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testCommand() (*Command, *string, *int) {
	fs := flag.NewFlagSet("tool", flag.ContinueOnError)
	subs := fs.String("subscriptions", "", "subscriptions `FILE`")
	n := fs.Int("concurrency", 4, "`N` lookups at once")
	fs.String("format", "json", "output `FORMAT`")
	return &Command{
		Name:        "tool",
		Synopsis:    "--subscriptions FILE [flags]\n[--format json]",
		Description: "Does the thing.",
		Flags:       fs,
		Sections:    []Section{{"Environment", "TOKEN  a token"}, {"Examples", "tool --subscriptions s.json"}},
		Exit:        []ExitStatus{{ExitOK, "done"}, ExitStatusError, ExitStatusUsage},
		Aliases:     []Alias{{Name: "subscriptions-path", Flag: "subscriptions"}},
		Foreign:     map[string]string{"gh-token": "set GITHUB_TOKEN in the environment"},
	}, subs, n
}

func TestParseUsageErrorsAreOneLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--formt", "dot"}, "tool: unknown flag --formt (did you mean --format?); see tool --help\n"},
		{[]string{"--subscr", "x"}, "tool: unknown flag --subscr (did you mean --subscriptions?); see tool --help\n"},
		{[]string{"--subscription-path", "x"}, "tool: unknown flag --subscription-path (did you mean --subscriptions?); see tool --help\n"},
		{[]string{"--zzzzzz"}, "tool: unknown flag --zzzzzz; see tool --help\n"},
		{[]string{"--gh-token", "x"}, "tool: unknown flag --gh-token: set GITHUB_TOKEN in the environment; see tool --help\n"},
		{[]string{"--format"}, "tool: --format needs a value; see tool --help\n"},
		{[]string{"--concurrency", "many"}, `tool: --concurrency "many": want a whole number; see tool --help` + "\n"},
		{[]string{"--version=maybe"}, "tool: --version=maybe: want true or false; see tool --help\n"},
	}
	for _, tt := range tests {
		c, _, _ := testCommand()
		var stdout, stderr bytes.Buffer
		code, done := c.Parse(tt.args, &stdout, &stderr)
		assert.True(t, done, tt.args)
		assert.Equal(t, ExitUsage, code, tt.args)
		assert.Equal(t, tt.want, stderr.String(), tt.args)
		assert.Empty(t, stdout.String())
	}
}

func TestParseAlias(t *testing.T) {
	t.Parallel()
	c, subs, n := testCommand()
	var stdout, stderr bytes.Buffer
	code, done := c.Parse([]string{"staleImagePaths", "--subscriptions-path", "s.json", "rest", "--concurrency", "2", "--", "--format"}, &stdout, &stderr)
	require.False(t, done, stderr.String())
	assert.Equal(t, ExitOK, code)
	assert.Equal(t, "s.json", *subs)
	assert.Equal(t, 2, *n)
	assert.Equal(t, []string{"staleImagePaths", "rest", "--format"}, c.Args(), "arguments among flags, and after --")
}

func TestHelpLayout(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"--help", "-h", "-help"} {
		c, _, _ := testCommand()
		var stdout, stderr bytes.Buffer
		code, done := c.Parse([]string{arg}, &stdout, &stderr)
		require.True(t, done)
		assert.Equal(t, ExitOK, code)
		assert.Empty(t, stderr.String())
		want := `Usage: tool --subscriptions FILE [flags]
       [--format json]

Does the thing.

Flags:
  --concurrency N       N lookups at once (default 4)
  --format FORMAT       output FORMAT (default json)
  --subscriptions FILE  subscriptions FILE (ImageBuilder: --subscriptions-path)
  --version             print the version (module version, commit and Go version) and exit
  -h, --help            print this help and exit

Environment:
  TOKEN  a token

Examples:
  tool --subscriptions s.json

Exit status:
  0  done
  1  an error (named on stderr)
  2  a usage error: a flag or argument is wrong or missing (one line on stderr)
`
		assert.Equal(t, want, stdout.String())
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	c, _, _ := testCommand()
	var stdout, stderr bytes.Buffer
	code, done := c.Parse([]string{"--version"}, &stdout, &stderr)
	require.True(t, done)
	assert.Equal(t, ExitOK, code)
	assert.Regexp(t, `^tool \S+ .*go1\.\d+`, stdout.String())
	assert.Equal(t, 1, strings.Count(stdout.String(), "\n"))

	info := &debug.BuildInfo{GoVersion: "go1.24.2", Main: debug.Module{Path: "github.com/baseflow/baseflow", Version: "v0.3.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-11-30T12:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	assert.Equal(t, "github.com/baseflow/baseflow v0.3.0 (commit 0123456789ab, modified, 2026-11-30T12:00:00Z) go1.24.2", describeBuild(info))
	info = &debug.BuildInfo{GoVersion: "go1.24.2", Main: debug.Module{Path: "github.com/baseflow/baseflow", Version: "(devel)"}}
	assert.Equal(t, "github.com/baseflow/baseflow (devel) go1.24.2", describeBuild(info))
}

func TestFailJoinsUsageErrors(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	code := Fail(&stderr, "tool", Usagef("--a is wrong"))
	assert.Equal(t, ExitUsage, code)
	assert.Equal(t, "tool: --a is wrong; see tool --help\n", stderr.String())
	stderr.Reset()
	code = Fail(&stderr, "tool", assert.AnError)
	assert.Equal(t, ExitError, code)
	assert.Regexp(t, regexp.MustCompile(`^tool: [^\n]+\n$`), stderr.String())
}

// A flag whose text already names its default gets no second "(default …)".
func TestHelpStatesADefaultOnce(t *testing.T) {
	t.Parallel()
	c, _, _ := testCommand()
	c.Flags.Int("workers", 8, "`N` workers (default: four per core)")
	var stdout, stderr bytes.Buffer
	_, done := c.Parse([]string{"--help"}, &stdout, &stderr)
	require.True(t, done)
	assert.Contains(t, stdout.String(), "--workers N           N workers (default: four per core)\n")
	assert.Contains(t, stdout.String(), "N lookups at once (default 4)\n")
}
