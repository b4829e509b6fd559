// Package jsonerr turns encoding/json errors into errors that name the file, the line and the
// column, so that a person can open the file at the right place.
package jsonerr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Error is a JSON decoding error located in a file.
type Error struct {
	File   string // file name as given by the caller
	Line   int    // 1-based; 0 when unknown
	Column int    // 1-based; 0 when unknown
	Field  string // JSON field path for type errors, e.g. "repos.images.platforms.os"
	Err    error  // the underlying encoding/json error
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: field %s: %v", loc, e.Field, e.Err)
	}
	return fmt.Sprintf("%s: %v", loc, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Wrap locates err, returned by decoding data, in file. Errors that carry no offset are wrapped
// with the file name only; a nil err stays nil.
func Wrap(file string, data []byte, err error) error {
	if err == nil {
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn) && syn.Error() != "unexpected end of JSON input":
		line, col := Position(data, syn.Offset)
		return &Error{File: file, Line: line, Column: col, Err: err}
	case errors.As(err, &typ):
		line, col := Position(data, typ.Offset)
		return &Error{File: file, Line: line, Column: col, Field: typ.Field, Err: fmt.Errorf("cannot use JSON %s as %s", typ.Value, typ.Type)}
	case syn != nil || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		// Point just past the last byte, where more input was expected.
		line, col := Position(data, int64(len(data)))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			col++
		}
		return &Error{File: file, Line: line, Column: col, Err: errors.New("unexpected end of JSON input")}
	}
	return &Error{File: file, Err: err}
}

// PositionOf returns the 1-based line and column of the byte at index i of data.
func PositionOf(data []byte, i int64) (line, col int) { return Position(data, i+1) }

// Position converts a byte offset in data to a 1-based line and column. encoding/json reports
// the offset just after the offending byte, so the column points at that byte.
func Position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	if offset < 0 {
		offset = 0
	}
	before := data[:offset]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1)
	if col < 1 {
		col = 1
	}
	return line, col
}

// TrimBOM returns data without a leading UTF-8 byte order mark (EF BB BF), which .NET's
// File.ReadAllText drops and encoding/json refuses.
func TrimBOM(data []byte) []byte {
	return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
}
