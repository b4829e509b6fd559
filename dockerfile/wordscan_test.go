package dockerfile

import (
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScanWordNeeded(t *testing.T) {
	t.Parallel()
	env := shell.EnvsFromSlice([]string{"SET=value", "EMPTY="})
	tests := []struct {
		word   string
		escape rune
		want   []string
	}{
		{word: "alpine:3.20", want: nil},
		{word: "$A", want: []string{"A"}},
		{word: "${A}", want: []string{"A"}},
		{word: "$A/$B:$A", want: []string{"A", "B"}},
		{word: "${A}_$B_c", want: []string{"A", "B_c"}},
		{word: "$1$@x", want: []string{"1", "@"}},
		{word: "$", want: nil},
		{word: "a$-b", want: []string{"-"}},
		{word: `\$A`, escape: '\\', want: nil},
		{word: "`$A", escape: '`', want: nil},
		{word: `\$A`, escape: '`', want: []string{"A"}},
		{word: `'$A'`, escape: '\\', want: nil},
		{word: `"$A"`, escape: '\\', want: []string{"A"}},
		{word: `"\$A$B"`, escape: '\\', want: []string{"B"}},
		{word: `"'$A'"`, escape: '\\', want: []string{"A"}},
		{word: `'"'$A`, escape: '\\', want: []string{"A"}},
		// Defaults: the variable when present, else the default's variables.
		{word: "${A:-$B}", want: []string{"B"}},
		{word: "${SET:-$B}", want: []string{"SET"}},
		{word: "${EMPTY:-$B}", want: []string{"B"}},
		{word: "${EMPTY-$B}", want: []string{"EMPTY"}},
		{word: "${A-${B:-$C}}", want: []string{"C"}},
		// Alternatives never use the variable's value.
		{word: "${A:+$B}", want: nil},
		{word: "${SET:+$B}", want: []string{"B"}},
		{word: "${EMPTY:+$B}", want: nil},
		{word: "${EMPTY+$B}", want: []string{"B"}},
		// Required: the message is not a value.
		{word: "${SET?$B}", want: []string{"SET"}},
		{word: "${A:?$B}", want: nil},
		// Patterns need the variable and the pattern's variables.
		{word: "${A#$B}", want: []string{"B", "A"}},
		{word: "${A%%:*}", want: []string{"A"}},
		{word: "${A/$B/$C}", want: []string{"B", "C", "A"}},
		{word: "${A//x/y}z$D", want: []string{"A", "D"}},
		{word: "${A//$B/$C}", want: []string{"B", "C", "A"}},
		// Quotes and escapes inside a default.
		{word: `${A:-"}"$B}`, escape: '\\', want: []string{"B"}},
		{word: `${A:-'$B'}$C`, escape: '\\', want: []string{"C"}},
		{word: `${A:-\}$B}`, escape: '\\', want: []string{"B"}},
		// Malformed input stops quietly.
		{word: "${", want: nil},
		{word: "${A", want: nil},
		{word: "${A:", want: nil},
		{word: "${}", want: nil},
		{word: "${A:-$B", want: []string{"B"}},
		{word: `"$A`, want: []string{"A"}},
		{word: "'$A", want: nil},
		{word: "${A?}", want: nil},
		{word: "${A=x}", want: nil},
	}
	for _, tt := range tests {
		esc := tt.escape
		if esc == 0 {
			esc = '\\'
		}
		assert.Equal(t, tt.want, scanWord(tt.word, esc, env, 1<<20).Needed, "%s (escape %q)", tt.word, esc)
	}
}

// TestNeededRefsAgreesWithLexer checks, for words the lexer accepts, that
// every variable scanWord reports unset is one the lexer also found unset.
func TestScanWordAgreesWithLexer(t *testing.T) {
	t.Parallel()
	env := shell.EnvsFromSlice([]string{"SET=value", "EMPTY="})
	lex := shell.NewLex('\\')
	for _, word := range []string{
		"$A", "${A}", "${A:-$B}", "${SET:-$B}", "${A#$B}", "${A/$B/$C}", `"$A"'$B'`, `\$A$B`,
		"${SET:+$B}", "${EMPTY-$B}", "${A-${B:-$C}}",
	} {
		res, err := lex.ProcessWordWithMatches(word, env)
		require.NoError(t, err, word)
		for _, name := range scanWord(word, '\\', env, 1<<20).Needed {
			if _, set := env.Get(name); set {
				assert.Contains(t, res.Matched, name, word)
			} else {
				assert.Contains(t, res.Unmatched, name, word)
			}
		}
	}
}

// TestScanWordCost checks that the cost bounds the lexer's output and
// grows with the products that make expansions explode.
func TestScanWordCost(t *testing.T) {
	t.Parallel()
	x := strings.Repeat("a", 100)
	y := strings.Repeat("b", 10)
	env := shell.EnvsFromSlice([]string{"X=" + x, "Y=" + y, "E="})
	lex := shell.NewLex('\\')
	tests := []struct {
		word    string
		atLeast int64
	}{
		{"alpine:3.20", 11},
		{"$X", 100},
		{"${X}${Y}", 110},
		{"'quoted $X' \\$X \"$Y\"", 24},
		{"${E:-$X}", 100},
		{"${X:+$Y$Y}", 20},
		{"${X%%a*}", 100},
		{"${X//?/$Y}", 1000},
		{"${X//?/${X//?/$Y}}", 100000},
		{"ü$Y", 12},
	}
	for _, tt := range tests {
		res, err := lex.ProcessWordWithMatches(tt.word, env)
		require.NoError(t, err, tt.word)
		cost := scanWord(tt.word, '\\', env, 1<<40).Cost
		assert.GreaterOrEqual(t, cost, int64(len(res.Result)), tt.word)
		assert.GreaterOrEqual(t, cost, tt.atLeast, tt.word)
	}
	// Costs saturate just above the limit.
	assert.Equal(t, int64(1001), scanWord("${X//?/${X//?/${X//?/$Y}}}", '\\', env, 1000).Cost)
}
