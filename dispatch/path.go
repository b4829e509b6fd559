package dispatch

import (
	"fmt"

	"github.com/baseflow/baseflow/internal/repopath"
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
// empty, holds a character other than letters, digits and . _ - / + @ , = ~ (so no quote of
// any shell, including the look-alikes U+2018–U+201E that PowerShell ends a string on, no
// separator, no control character; the error names the character by its U+ code and
// position), or that is absolute or has a ".." segment. The paths come from stale-image
// results, which may be produced elsewhere; a quote in one would inject arguments into the
// pipeline's command line.
func ValidatePath(p string) error {
	problem := pathProblem(p)
	if problem == "" {
		return nil
	}
	return &PathError{Path: p, Problem: problem}
}

func pathProblem(p string) string { return repopath.Problem(p) }
