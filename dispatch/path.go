package dispatch

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PathError reports a path the Dispatcher refuses to put on a pipeline's command line.
type PathError struct {
	SubscriptionID string // empty when the path was checked on its own
	Path           string
	Problem        string
}

func (e *PathError) Error() string {
	if e.SubscriptionID == "" {
		return fmt.Sprintf("path %q: %s", e.Path, e.Problem)
	}
	return fmt.Sprintf("subscription %s: path %q: %s", e.SubscriptionID, e.Path, e.Problem)
}

// ValidatePath refuses a path that could escape its quotes or the repository: one that is
// empty, not UTF-8, or contains a quote (' or "), a backtick, a newline or any other control
// character, or that is absolute or has a ".." segment. The paths come from stale-image
// results, which may be produced elsewhere; a quote in one would inject arguments into the
// pipeline's command line.
func ValidatePath(p string) error {
	problem := pathProblem(p)
	if problem == "" {
		return nil
	}
	return &PathError{Path: p, Problem: problem}
}

func pathProblem(p string) string {
	switch {
	case strings.TrimSpace(p) == "":
		return "empty"
	case !utf8.ValidString(p):
		return "not valid UTF-8"
	case strings.ContainsAny(p, "'\"`"):
		return "contains a quote or a backtick"
	case strings.ContainsFunc(p, unicode.IsControl):
		return "contains a newline or another control character"
	case strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) || hasDrive(p):
		return "is absolute; expected a path relative to the repository"
	case hasDotDot(p):
		return `has a ".." segment`
	}
	return ""
}

// hasDrive reports a Windows drive prefix such as C: or c:\.
func hasDrive(p string) bool {
	return len(p) >= 2 && p[1] == ':' && (p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z')
}

func hasDotDot(p string) bool {
	for _, seg := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == ".." {
			return true
		}
	}
	return false
}
