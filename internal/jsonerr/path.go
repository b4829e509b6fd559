package jsonerr

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// PathAt returns the JSON path of the innermost value of data that contains the byte offset
// (as encoding/json reports offsets: just after the offending byte), in the form
// repos[0].images[1].platforms[2].tags["8.0"].docType. It returns "" at the top level or when
// data is not valid JSON up to offset.
func PathAt(data []byte, offset int64) string {
	type frame struct {
		object    bool
		key       string
		index     int
		expectKey bool
	}
	var stack []frame
	// value records that a value starts in the innermost container.
	value := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].expectKey = true // the next string is a key again
			} else {
				stack[n-1].index++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				value()
				stack = append(stack, frame{object: t == '{', index: -1, expectKey: true})
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
				stack[n-1].key, stack[n-1].expectKey = t, false
				break
			}
			value()
		default:
			value()
		}
		if dec.InputOffset() >= offset {
			break
		}
	}
	var b strings.Builder
	for _, f := range stack {
		switch {
		case f.object && f.key != "":
			if identifier.MatchString(f.key) {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			} else {
				b.WriteString("[" + strconv.Quote(f.key) + "]")
			}
		case !f.object && f.index >= 0:
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		}
	}
	return b.String()
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
