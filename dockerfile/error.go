package dockerfile

import (
	"errors"
	"strconv"
)

// ErrTooLarge is wrapped by the error [Parse] returns for an input longer
// than [Options.MaxSize].
var ErrTooLarge = errors.New("dockerfile too large")

// ErrExpansionTooLarge is wrapped by the error [Parse] returns when the ARG
// and FROM expansions of one file would produce more than 4 × MaxSize bytes,
// which only a hostile file does (ARG B=$A$A, ARG C=$B$B, …).
var ErrExpansionTooLarge = errors.New("expansion too large")

// Error is the error type [Parse] returns. It names the file and, when the
// problem is tied to an instruction, its line.
type Error struct {
	File string // the name given to Parse
	Line int    // 1-based line of the offending instruction; 0 for the whole file

	// Variable is the unset variable a FROM needed, for unresolved-variable
	// errors; empty otherwise.
	Variable string

	Err error
}

// Error returns "file:line: message", or "file: message" without a line.
func (e *Error) Error() string {
	s := e.File
	if s == "" {
		s = "Dockerfile"
	}
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }
