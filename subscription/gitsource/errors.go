package gitsource

import (
	"strings"

	"github.com/baseflow/baseflow/subscription"
)

// The errors a Source returns; they are subscription's, shared with githubsource.
var (
	ErrRepositoryNotFound = subscription.ErrRepositoryNotFound
	ErrBranchNotFound     = subscription.ErrBranchNotFound
	ErrClosed             = subscription.ErrSourceClosed
)

// CloneError is the error of a failed git clone. Its message names the repository URL with any
// credentials redacted, the branch, and git's own message.
type CloneError struct {
	// URL is the repository URL with credentials redacted.
	URL string
	// Branch is the branch that was asked for.
	Branch string
	// Stderr is git's message, trimmed, with credentials redacted.
	Stderr string
	// Err is the cause: ErrRepositoryNotFound, ErrBranchNotFound, the context's error when it
	// was cancelled, or the error of running git.
	Err error
}

func (e *CloneError) Error() string {
	msg := "gitsource: clone " + e.URL + " branch " + e.Branch + ": " + e.Err.Error()
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

func (e *CloneError) Unwrap() error { return e.Err }

// maxStderr bounds the git message kept in an error.
const maxStderr = 2048

// cleanStderr keeps git's meaningful lines (dropping progress and the warning printed when a
// server ignores --filter) on one line.
func cleanStderr(stderr string) string {
	var lines []string
	for line := range strings.Lines(stderr) {
		line = strings.TrimSpace(line)
		switch {
		case line == "",
			strings.HasPrefix(line, "Cloning into"),
			strings.HasPrefix(line, "warning: filtering not recognized by server"),
			strings.HasPrefix(line, "warning: --depth is ignored in local clones"),
			strings.HasPrefix(line, "warning: Could not find remote branch"):
			continue
		}
		lines = append(lines, line)
	}
	s := strings.Join(lines, "; ")
	if len(s) > maxStderr {
		s = s[:maxStderr] + "…"
	}
	return s
}

// classifyStderr maps git's message (in the C locale) to a sentinel, or nil.
func classifyStderr(stderr string) error {
	s := strings.ToLower(stderr)
	switch {
	case strings.Contains(s, "remote branch") && strings.Contains(s, "not found in upstream"):
		return ErrBranchNotFound
	case strings.Contains(s, "repository not found"), // GitHub: "remote: Repository not found."
		strings.Contains(s, "does not appear to be a git repository"),
		strings.Contains(s, "' does not exist"),
		strings.Contains(s, "' not found"): // smart HTTP 404: "repository 'URL' not found"
		return ErrRepositoryNotFound
	}
	return nil
}
