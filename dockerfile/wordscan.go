package dockerfile

import (
	"unicode"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// wordScan is what scanWord learns about a word before the lexer expands it.
type wordScan struct {
	// Needed lists the variables whose values the expansion uses, in order
	// of first use.
	Needed []string
	// Cost bounds the bytes the lexer produces while expanding the word,
	// intermediate results and pattern matching work included. It saturates
	// just above the limit given to scanWord.
	Cost int64
}

// scanWord walks word with the grammar of buildkit's shell lexer (escape
// token, single and double quotes, $NAME, ${NAME} and the
// ${NAME<modifier>word} forms) and env, without expanding it.
//
// Needed tells a bare reference, whose value is needed, from one with a
// fallback:
//
//   - $X, ${X}, ${X#p}, ${X##p}, ${X%p}, ${X%%p}, ${X/p/r}, ${X//p/r}: X is
//     needed; variables in p and r are needed.
//   - ${X-w}, ${X:-w}: X is needed when it is set (non-empty for :-);
//     otherwise the variables in w are.
//   - ${X+w}, ${X:+w}: the variables in w are needed when X is set
//     (non-empty for :+); X's value itself is never used.
//   - ${X?w}, ${X:?w}: X is needed when set; w is only a message.
//
// Cost lets Parse refuse a word whose expansion would blow up (a
// ${X//?/$Y} multiplies lengths; nesting multiplies again) before the
// lexer allocates it.
//
// The word must be one the lexer accepts: scanWord stops quietly on
// malformed input instead of reporting it.
func scanWord(word string, escape rune, env shell.EnvGetter, limit int64) wordScan {
	s := wordScanner{r: []rune(word), escape: escape, env: env, limit: limit}
	cost := s.word(noStop, true)
	return wordScan{Needed: s.names, Cost: cost}
}

// noStop is the stop rune for a word that runs to the end of the input.
const noStop = -1

type wordScanner struct {
	r      []rune
	i      int
	escape rune
	env    shell.EnvGetter
	limit  int64
	names  []string
}

func (s *wordScanner) eof() bool { return s.i >= len(s.r) }

func (s *wordScanner) need(name string) {
	for _, n := range s.names {
		if n == name {
			return
		}
	}
	s.names = append(s.names, name)
}

// add and mul saturate at limit+1, so costs never overflow.
func (s *wordScanner) add(a, b int64) int64 {
	if a > s.limit || b > s.limit || a+b > s.limit {
		return s.limit + 1
	}
	return a + b
}

func (s *wordScanner) mul(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > s.limit || b > s.limit || a > (s.limit+1)/b {
		return s.limit + 1
	}
	return a * b
}

// runeCost is the bytes a literal rune takes in the expansion; an escaped
// rune may keep its escape, which is counted as a rune of its own.
func runeCost(r rune) int64 {
	if n := utf8.RuneLen(r); n > 0 {
		return int64(n)
	}
	return utf8.UTFMax
}

// valueLen is the length of a variable's value, 0 when unset.
func (s *wordScanner) valueLen(name string) int64 {
	v, _ := s.env.Get(name)
	return int64(len(v))
}

// word scans up to and including stop and returns its cost. Variables are
// recorded only when used is true, i.e. when the lexer uses the word's
// value.
func (s *wordScanner) word(stop rune, used bool) int64 {
	var cost int64
	for !s.eof() {
		c := s.r[s.i]
		switch {
		case stop != noStop && c == stop:
			s.i++
			return cost
		case c == '$':
			cost = s.add(cost, s.dollar(used))
		case c == '\'':
			s.i++
			for !s.eof() && s.r[s.i] != '\'' {
				cost = s.add(cost, runeCost(s.r[s.i]))
				s.i++
			}
			s.i++
		case c == '"':
			cost = s.add(cost, s.doubleQuote(used))
		default:
			s.i++
			cost = s.add(cost, runeCost(c))
			if c == s.escape && !s.eof() {
				cost = s.add(cost, runeCost(s.r[s.i]))
				s.i++ // the escaped rune is literal
			}
		}
	}
	return cost
}

func (s *wordScanner) doubleQuote(used bool) int64 {
	var cost int64
	s.i++
	for !s.eof() {
		c := s.r[s.i]
		switch c {
		case '"':
			s.i++
			return cost
		case '$':
			cost = s.add(cost, s.dollar(used))
		default:
			s.i++
			cost = s.add(cost, runeCost(c))
			if c == s.escape && !s.eof() {
				switch e := s.r[s.i]; e {
				case '"', '$', s.escape:
					cost = s.add(cost, runeCost(e))
					s.i++
				}
			}
		}
	}
	return cost
}

func (s *wordScanner) dollar(used bool) int64 {
	s.i++ // '$'
	if s.eof() {
		return 1
	}
	if s.r[s.i] != '{' {
		name := s.name()
		if name == "" {
			return 1
		}
		if used {
			s.need(name)
		}
		return s.valueLen(name)
	}
	s.i++ // '{'
	if s.eof() {
		return 0
	}
	switch s.r[s.i] {
	case '{', '}', ':':
		return 0 // the lexer rejects ${{, ${} and ${:
	}
	name := s.name()
	if s.eof() {
		return 0
	}
	op := s.r[s.i]
	s.i++
	nullIsUnset := false
	if op == ':' {
		if s.eof() {
			return 0
		}
		nullIsUnset = true
		op = s.r[s.i]
		s.i++
	}
	value, set := s.env.Get(name)
	n := int64(len(value))
	present := set && !(nullIsUnset && value == "")
	switch op {
	case '}':
		if used && !nullIsUnset {
			s.need(name)
		}
		return n
	case '-':
		w := s.word('}', used && !present)
		if used && present {
			s.need(name)
		}
		return s.add(w, n)
	case '+':
		return s.word('}', used && present)
	case '?':
		w := s.word('}', false)
		if used && set {
			s.need(name)
		}
		return s.add(w, n)
	case '#', '%':
		p := s.word('}', used)
		if used {
			s.need(name)
		}
		// The pattern becomes a regular expression run over the value
		// (reversed for %); matching costs about pattern × value.
		return s.add(s.add(p, n), s.mul(p+1, n+1))
	case '/':
		if nullIsUnset {
			return 0 // the lexer rejects ${X:/...}
		}
		all := !s.eof() && s.r[s.i] == '/'
		if all {
			s.i++ // ${X//pattern/replacement} replaces every match
		}
		p := s.word('/', used)
		r := s.word('}', used)
		if used {
			s.need(name)
		}
		cost := s.add(s.add(p, r), s.add(n, s.mul(p+1, n+1)))
		if all {
			// Every position may match, even with an empty pattern.
			return s.add(cost, s.mul(n+1, r))
		}
		return s.add(cost, r)
	}
	return 0
}

// name reads a variable name as the lexer does: a run of digits, a single
// special parameter, or letters, digits and underscores.
func (s *wordScanner) name() string {
	start := s.i
	if s.eof() {
		return ""
	}
	c := s.r[s.i]
	if unicode.IsDigit(c) {
		for !s.eof() && unicode.IsDigit(s.r[s.i]) {
			s.i++
		}
		return string(s.r[start:s.i])
	}
	switch c {
	case '@', '*', '#', '?', '-', '$', '!', '0':
		s.i++
		return string(c)
	}
	for !s.eof() {
		c := s.r[s.i]
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != '_' {
			break
		}
		s.i++
	}
	return string(s.r[start:s.i])
}
