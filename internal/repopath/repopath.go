// Package repopath decides which characters a path inside a repository, or a name that ends up
// next to one on a pipeline's command line, may hold. It is an allow-list: letters and digits
// of any script (with their combining marks), the ASCII space, and . _ - / + @ , = ~. Anything
// else is refused, so that no quote of any shell (the ASCII ones, and U+2018–U+201E, which
// PowerShell also ends a string on), separator, variable sign, glob or control character can
// reach a command line, whatever new look-alike turns up.
package repopath

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Allowed lists the ASCII punctuation a path or name may hold, besides letters, digits and the
// space (harmless inside the single quotes a path is always put in; no other space is).
const Allowed = "._-/+@,=~"

// CharError reports the first character outside the allow-list: which one and where.
type CharError struct {
	Rune     rune // utf8.RuneError for a byte that is not UTF-8
	Position int  // 1-based, counted in characters
}

func (e *CharError) Error() string {
	if e.Rune == utf8.RuneError {
		return fmt.Sprintf("a byte at position %d is not valid UTF-8", e.Position)
	}
	if unicode.IsPrint(e.Rune) && e.Rune != ' ' {
		return fmt.Sprintf("character U+%04X (%c) at position %d is not allowed; use letters, digits, spaces and %s", e.Rune, e.Rune, e.Position, Allowed)
	}
	return fmt.Sprintf("character U+%04X at position %d is not allowed; use letters, digits, spaces and %s", e.Rune, e.Position, Allowed)
}

// Allow reports whether r may appear in a path or name.
func Allow(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == ' ' || strings.ContainsRune(Allowed, r)
	}
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc))
}

// CheckChars returns a *CharError for the first character of s outside the allow-list, or nil.
func CheckChars(s string) error {
	pos := 0
	for i, r := range s {
		pos++
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return &CharError{Rune: r, Position: pos}
			}
		}
		if !Allow(r) {
			return &CharError{Rune: r, Position: pos}
		}
	}
	return nil
}

// Problem returns why p is not a path relative to the root of a repository, or "" when it is:
// empty, a character outside the allow-list (see [CheckChars]; this refuses \ and the colon
// of a drive letter), absolute (a leading /) or a ".." segment.
func Problem(p string) string {
	if strings.TrimSpace(p) == "" {
		return "empty"
	}
	if err := CheckChars(p); err != nil {
		return err.Error()
	}
	switch {
	case strings.HasPrefix(p, "/"):
		return "is absolute; expected a path relative to the repository"
	case HasDotDot(p):
		return `has a ".." segment`
	}
	return ""
}

// HasDotDot reports whether p has a ".." segment, with / or \ as separators.
func HasDotDot(p string) bool {
	for _, seg := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == ".." {
			return true
		}
	}
	return false
}
