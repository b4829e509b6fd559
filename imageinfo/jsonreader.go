package imageinfo

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/baseflow/baseflow/internal/jsonerr"
)

// decoder is a strict JSON reader driven by the image-info schema. It exists, rather than
// encoding/json, to keep ImageBuilder's reading rules (case-insensitive names, required
// properties, string-or-object layers, null versus absent) while locating every error.
type decoder struct {
	data []byte
	pos  int
	name string
	path []pathElem
	// forCheck makes a platform's digest and commitUrl optional (ForStaleCheck).
	forCheck bool
	// intern deduplicates short values that repeat across platforms (OS, architecture...).
	intern map[string]string
}

type pathElem struct {
	field string
	index int // -1 for an object member
}

func (d *decoder) pathString() string {
	var b []byte
	for i, e := range d.path {
		if e.index >= 0 {
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(e.index), 10)
			b = append(b, ']')
			continue
		}
		if i > 0 {
			b = append(b, '.')
		}
		b = append(b, e.field...)
	}
	return string(b)
}

// errAt returns an error located at the byte at offset off (just past the end for an
// unexpected end of input).
func (d *decoder) errAt(off int, format string, args ...any) error {
	off = min(off, len(d.data))
	before := d.data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := off - bytes.LastIndexByte(before, '\n')
	return &jsonerr.Error{File: d.name, Line: line, Column: col, Field: d.pathString(), Err: fmt.Errorf(format, args...)}
}

func (d *decoder) push(field string)  { d.path = append(d.path, pathElem{field: field, index: -1}) }
func (d *decoder) pushIndex(i int)    { d.path = append(d.path, pathElem{index: i}) }
func (d *decoder) setIndex(i int)     { d.path[len(d.path)-1].index = i }
func (d *decoder) pop()               { d.path = d.path[:len(d.path)-1] }
func (d *decoder) peek() (byte, bool) { d.skipSpace(); return d.byteAt(d.pos) }

func (d *decoder) byteAt(i int) (byte, bool) {
	if i < len(d.data) {
		return d.data[i], true
	}
	return 0, false
}

func (d *decoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) unexpected() error {
	c, ok := d.byteAt(d.pos)
	if !ok {
		return d.errAt(d.pos, "unexpected end of JSON input")
	}
	return d.errAt(d.pos, "invalid character %s", quoteByte(c))
}

func quoteByte(c byte) string {
	if c >= utf8.RuneSelf {
		return fmt.Sprintf("0x%02x", c)
	}
	return strconv.QuoteRune(rune(c))
}

// kind names the JSON value starting at the current position, for type errors.
func (d *decoder) kind() string {
	c, _ := d.peek()
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// object reads an object, calling member for each property name with the position at its
// value. member must consume the value.
func (d *decoder) object(member func(name []byte) error) error {
	d.skipSpace()
	if c, _ := d.byteAt(d.pos); c != '{' {
		return d.unexpected()
	}
	d.pos++
	if c, _ := d.peek(); c == '}' {
		d.pos++
		return nil
	}
	for {
		d.skipSpace()
		if c, _ := d.byteAt(d.pos); c != '"' {
			return d.unexpected()
		}
		name, err := d.rawString()
		if err != nil {
			return err
		}
		d.skipSpace()
		if c, _ := d.byteAt(d.pos); c != ':' {
			return d.unexpected()
		}
		d.pos++
		d.skipSpace()
		if err := member(name); err != nil {
			return err
		}
		d.skipSpace()
		c, _ := d.byteAt(d.pos)
		switch c {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return nil
		default:
			return d.unexpected()
		}
	}
}

// array reads an array or null (ok false), calling elem for each element.
func (d *decoder) array(elem func(i int) error) (ok bool, err error) {
	c, _ := d.peek()
	if c == 'n' {
		return false, d.null()
	}
	if c != '[' {
		return false, d.typeError("an array")
	}
	d.pos++
	if c, _ := d.peek(); c == ']' {
		d.pos++
		return true, nil
	}
	d.pushIndex(0)
	defer d.pop()
	for i := 0; ; i++ {
		d.setIndex(i)
		d.skipSpace()
		if err := elem(i); err != nil {
			return true, err
		}
		d.skipSpace()
		c, _ := d.byteAt(d.pos)
		switch c {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return true, nil
		default:
			return true, d.unexpected()
		}
	}
}

func (d *decoder) typeError(want string) error {
	if c, ok := d.peek(); !ok || !isValueStart(c) {
		return d.unexpected()
	}
	return d.errAt(d.pos, "must be %s, not %s", want, d.kind())
}

func isValueStart(c byte) bool {
	switch c {
	case '{', '[', '"', 't', 'f', 'n', '-':
		return true
	}
	return c >= '0' && c <= '9'
}

func (d *decoder) literal(word string) error {
	if len(d.data)-d.pos >= len(word) && string(d.data[d.pos:d.pos+len(word)]) == word {
		d.pos += len(word)
		return nil
	}
	// Point at the first byte that differs.
	for i := 0; i < len(word); i++ {
		if c, ok := d.byteAt(d.pos + i); !ok || c != word[i] {
			d.pos += i
			return d.unexpected()
		}
	}
	return nil
}

func (d *decoder) null() error { return d.literal("null") }

// number reads a JSON number and returns its text.
func (d *decoder) number() ([]byte, error) {
	start := d.pos
	i := d.pos
	at := func(i int) byte {
		if i < len(d.data) {
			return d.data[i]
		}
		return 0
	}
	digits := func() bool {
		j := i
		for at(i) >= '0' && at(i) <= '9' {
			i++
		}
		return i > j
	}
	if at(i) == '-' {
		i++
	}
	switch {
	case at(i) == '0':
		i++
	case !digits():
		d.pos = i
		return nil, d.unexpected()
	}
	if at(i) == '.' {
		i++
		if !digits() {
			d.pos = i
			return nil, d.unexpected()
		}
	}
	if at(i) == 'e' || at(i) == 'E' {
		i++
		if at(i) == '+' || at(i) == '-' {
			i++
		}
		if !digits() {
			d.pos = i
			return nil, d.unexpected()
		}
	}
	d.pos = i
	return d.data[start:i], nil
}

func (d *decoder) boolean() (bool, error) {
	c, _ := d.peek()
	switch c {
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return false, d.null()
	}
	return false, d.typeError("a boolean")
}

func (d *decoder) int64Value() (int64, error) {
	c, _ := d.peek()
	if c == 'n' {
		return 0, d.null()
	}
	if c != '-' && (c < '0' || c > '9') {
		return 0, d.typeError("an integer")
	}
	start := d.pos
	text, err := d.number()
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(text), 10, 64)
	if err != nil {
		return 0, d.errAt(start, "must be an integer that fits in 64 bits, not %s", text)
	}
	return n, nil
}

// skip reads and discards any value, checking its syntax.
func (d *decoder) skip(depth int) error {
	if depth > maxDepth {
		return d.errAt(d.pos, "values nested too deeply")
	}
	c, ok := d.peek()
	if !ok {
		return d.unexpected()
	}
	switch c {
	case '{':
		return d.object(func([]byte) error { return d.skip(depth + 1) })
	case '[':
		_, err := d.array(func(int) error { return d.skip(depth + 1) })
		return err
	case '"':
		_, err := d.rawString()
		return err
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.null()
	}
	_, err := d.number()
	return err
}

// is reports whether a property name matches want, ignoring ASCII case, as Newtonsoft matches
// property names (want is lower camel case ASCII).
func is(name []byte, want string) bool {
	if len(name) != len(want) {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		w := want[i]
		if 'A' <= w && w <= 'Z' {
			w += 'a' - 'A'
		}
		if c != w {
			return false
		}
	}
	return true
}

// required tracks which required properties of an object were seen.
type required struct {
	names []string
	seen  uint16
}

func (r *required) mark(i int) { r.seen |= 1 << i }

func (d *decoder) checkRequired(start int, r required) error {
	for i, n := range r.names {
		if r.seen&(1<<i) == 0 {
			return d.errAt(start, "required property %q is missing", n)
		}
	}
	return nil
}
