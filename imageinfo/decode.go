package imageinfo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/baseflow/baseflow/internal/jsonerr"
)

// DefaultMaxSize is the largest image-info input Parse and Read accept unless WithMaxSize says
// otherwise. The largest real file (dotnet-docker nightly) is about 1.4 MB.
const DefaultMaxSize = 64 << 20

// ErrTooLarge reports an input larger than the size limit.
var ErrTooLarge = errors.New("image-info input is larger than the size limit")

// maxDepth bounds the nesting of values skipped inside unknown properties.
const maxDepth = 512

// Option adjusts how a document is read.
type Option func(*options)

type options struct {
	maxSize int64
}

// WithMaxSize sets the largest input accepted, in bytes; n <= 0 means DefaultMaxSize.
func WithMaxSize(n int64) Option {
	return func(o *options) { o.maxSize = n }
}

func buildOptions(opts []Option) options {
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	if o.maxSize <= 0 {
		o.maxSize = DefaultMaxSize
	}
	return o
}

// Read reads an image-info document from r; name identifies the input in errors. At most the
// size limit plus one byte is read: a larger input is refused with ErrTooLarge.
func Read(name string, r io.Reader, opts ...Option) (*Document, error) {
	o := buildOptions(opts)
	data, err := io.ReadAll(io.LimitReader(r, o.maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return parse(name, data, o)
}

// Parse decodes an image-info document (schema 1.0 or 2.0); name identifies the input in
// errors. Property names match case-insensitively and unknown properties are ignored, as in
// ImageBuilder. Errors are *jsonerr.Error values locating the problem by line, column and JSON
// path: invalid JSON, a value of the wrong type, a missing or null required property, or a
// schemaVersion other than "1.0" and "2.0" (the property is required).
func Parse(name string, data []byte, opts ...Option) (*Document, error) {
	return parse(name, data, buildOptions(opts))
}

func parse(name string, data []byte, o options) (*Document, error) {
	if int64(len(data)) > o.maxSize {
		return nil, fmt.Errorf("%s: %w (%d bytes)", name, ErrTooLarge, o.maxSize)
	}
	d := decoder{data: data, name: name}
	// File.ReadAllText drops a UTF-8 byte order mark; so do we.
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		d.pos = 3
	}
	doc, err := d.document()
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// decoder is a strict JSON reader driven by the image-info schema. It exists, rather than
// encoding/json, to keep ImageBuilder's reading rules (case-insensitive names, required
// properties, string-or-object layers, null versus absent) while locating every error.
type decoder struct {
	data []byte
	pos  int
	name string
	path []pathElem
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

// optString reads a string or null.
func (d *decoder) optString() (*string, error) {
	c, _ := d.peek()
	if c == 'n' {
		return nil, d.null()
	}
	s, err := d.str()
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// reqString reads a required string: null is an error, as for Required.Always.
func (d *decoder) reqString() (string, error) {
	if c, _ := d.peek(); c == 'n' {
		return "", d.errAt(d.pos, "required property must not be null")
	}
	return d.str()
}

// str reads a string value; null reads as "".
func (d *decoder) str() (string, error) {
	c, _ := d.peek()
	if c == 'n' {
		return "", d.null()
	}
	if c != '"' {
		return "", d.typeError("a string")
	}
	raw, err := d.rawString()
	if err != nil {
		return "", err
	}
	return string(raw), nil
}

// internedString is str for values that repeat a lot (OS, architecture, versions).
func (d *decoder) internedString() (string, error) {
	c, _ := d.peek()
	if c != '"' {
		return d.str()
	}
	raw, err := d.rawString()
	if err != nil {
		return "", err
	}
	if s, ok := d.intern[string(raw)]; ok {
		return s, nil
	}
	if d.intern == nil {
		d.intern = map[string]string{}
	}
	s := string(raw)
	d.intern[s] = s
	return s, nil
}

func (d *decoder) internedReqString() (string, error) {
	if c, _ := d.peek(); c == 'n' {
		return "", d.errAt(d.pos, "required property must not be null")
	}
	return d.internedString()
}

func (d *decoder) strings() ([]string, error) {
	var out []string
	_, err := d.array(func(int) error {
		if c, _ := d.peek(); c != '"' {
			return d.typeError("a string")
		}
		raw, err := d.rawString()
		out = append(out, string(raw))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// rawString reads a JSON string at the current position and returns its decoded bytes. The
// result aliases d.data when the string has no escapes and is valid UTF-8.
func (d *decoder) rawString() ([]byte, error) {
	start := d.pos + 1
	ascii := true
	for i := start; i < len(d.data); i++ {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			s := d.data[start:i]
			if !ascii && !utf8.Valid(s) {
				return []byte(string([]rune(string(s)))), nil // invalid bytes become U+FFFD
			}
			return s, nil
		case c == '\\':
			return d.escapedString(start)
		case c < 0x20:
			d.pos = i
			return nil, d.errAt(i, "invalid character %s in string literal", quoteByte(c))
		case c >= 0x80:
			ascii = false
		}
	}
	d.pos = len(d.data)
	return nil, d.unexpected()
}

// escapedString decodes a string with escapes starting at start (just after the quote).
func (d *decoder) escapedString(start int) ([]byte, error) {
	out := make([]byte, 0, 64)
	i := start
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return out, nil
		case c < 0x20:
			d.pos = i
			return nil, d.errAt(i, "invalid character %s in string literal", quoteByte(c))
		case c == '\\':
			if i+1 >= len(d.data) {
				d.pos = len(d.data)
				return nil, d.unexpected()
			}
			e := d.data[i+1]
			i += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := d.hex4(i)
				if !ok {
					return nil, d.errAt(i-2, "invalid \\u escape in string literal")
				}
				i += 4
				if utf16.IsSurrogate(r) {
					// A pair decodes to one rune; a lone surrogate becomes U+FFFD.
					if i+1 < len(d.data) && d.data[i] == '\\' && d.data[i+1] == 'u' {
						if r2, ok := d.hex4(i + 2); ok {
							if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
								out = utf8.AppendRune(out, dec)
								i += 6
								continue
							}
						}
					}
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
			default:
				return nil, d.errAt(i-1, "invalid escape character %s in string literal", quoteByte(e))
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(d.data[i:])
			out = utf8.AppendRune(out, r) // invalid bytes become U+FFFD
			i += size
		}
	}
	d.pos = len(d.data)
	return nil, d.unexpected()
}

func (d *decoder) hex4(i int) (rune, bool) {
	if i+4 > len(d.data) {
		return 0, false
	}
	var r rune
	for _, c := range d.data[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

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

func (d *decoder) document() (*Document, error) {
	d.skipSpace()
	if c, ok := d.byteAt(d.pos); ok && c != '{' {
		if isValueStart(c) {
			return nil, d.errAt(d.pos, "an image-info document must be a JSON object, not %s", d.kind())
		}
	}
	start := d.pos
	doc := &Document{}
	var version *string
	err := d.object(func(name []byte) error {
		switch {
		case is(name, "schemaVersion"):
			d.push("schemaVersion")
			defer d.pop()
			if c, _ := d.peek(); c == 'n' {
				return d.errAt(d.pos, "schemaVersion must not be null")
			}
			vpos := d.pos
			v, err := d.str()
			if err != nil {
				return err
			}
			if v != "1.0" && v != "2.0" {
				return d.errAt(vpos, "unsupported schemaVersion %q: want \"1.0\" or \"2.0\"", v)
			}
			version = &v
			return nil
		case is(name, "repos"):
			d.push("repos")
			defer d.pop()
			doc.Repos = nil
			_, err := d.array(func(int) error {
				r, err := d.repo()
				doc.Repos = append(doc.Repos, r)
				return err
			})
			return err
		}
		return d.skip(0)
	})
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.pos < len(d.data) {
		return nil, d.errAt(d.pos, "unexpected data after the top-level object")
	}
	if version == nil {
		return nil, d.errAt(start, "schemaVersion is missing: not an image-info document")
	}
	doc.SchemaVersion = *version
	return doc, nil
}

func (d *decoder) repo() (*Repo, error) {
	c, _ := d.peek()
	if c != '{' {
		return nil, d.typeError("an object")
	}
	start := d.pos
	r := &Repo{}
	req := required{names: []string{"repo"}}
	err := d.object(func(name []byte) error {
		switch {
		case is(name, "repo"):
			req.mark(0)
			d.push("repo")
			defer d.pop()
			s, err := d.internedReqString()
			r.Repo = s
			return err
		case is(name, "images"):
			d.push("images")
			defer d.pop()
			r.Images = nil
			_, err := d.array(func(int) error {
				img, err := d.image()
				r.Images = append(r.Images, img)
				return err
			})
			return err
		}
		return d.skip(0)
	})
	if err != nil {
		return nil, err
	}
	return r, d.checkRequired(start, req)
}

func (d *decoder) image() (*Image, error) {
	c, _ := d.peek()
	if c != '{' {
		return nil, d.typeError("an object")
	}
	img := &Image{}
	err := d.object(func(name []byte) error {
		switch {
		case is(name, "productVersion"):
			d.push("productVersion")
			defer d.pop()
			if c, _ := d.peek(); c == 'n' {
				img.ProductVersion = nil
				return d.null()
			}
			s, err := d.internedString()
			img.ProductVersion = &s
			return err
		case is(name, "manifest"):
			d.push("manifest")
			defer d.pop()
			if c, _ := d.peek(); c == 'n' {
				img.Manifest = nil
				return d.null()
			}
			m, err := d.manifestData()
			img.Manifest = m
			return err
		case is(name, "platforms"):
			d.push("platforms")
			defer d.pop()
			img.Platforms = nil
			_, err := d.array(func(int) error {
				p, err := d.platform()
				img.Platforms = append(img.Platforms, p)
				return err
			})
			return err
		}
		return d.skip(0)
	})
	if err != nil {
		return nil, err
	}
	return img, nil
}

func (d *decoder) manifestData() (*ManifestData, error) {
	c, _ := d.peek()
	if c != '{' {
		return nil, d.typeError("an object")
	}
	m := &ManifestData{}
	err := d.object(func(name []byte) error {
		var err error
		switch {
		case is(name, "digest"):
			d.push("digest")
			m.Digest, err = d.optString()
		case is(name, "syndicatedDigests"):
			d.push("syndicatedDigests")
			m.SyndicatedDigests, err = d.strings()
		case is(name, "created"):
			d.push("created")
			m.Created, err = d.str()
		case is(name, "sharedTags"):
			d.push("sharedTags")
			m.SharedTags, err = d.strings()
		default:
			return d.skip(0)
		}
		d.pop()
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

var platformRequired = []string{"dockerfile", "digest", "osType", "osVersion", "architecture", "commitUrl"}

func (d *decoder) platform() (*Platform, error) {
	c, _ := d.peek()
	if c != '{' {
		return nil, d.typeError("an object")
	}
	start := d.pos
	p := &Platform{}
	req := required{names: platformRequired}
	err := d.object(func(name []byte) error {
		var err error
		switch {
		case is(name, "dockerfile"):
			req.mark(0)
			d.push("dockerfile")
			p.Dockerfile, err = d.reqString()
		case is(name, "simpleTags"):
			d.push("simpleTags")
			p.SimpleTags, err = d.strings()
		case is(name, "digest"):
			req.mark(1)
			d.push("digest")
			p.Digest, err = d.reqString()
		case is(name, "baseImageDigest"):
			d.push("baseImageDigest")
			p.BaseImageDigest, err = d.optString()
		case is(name, "osType"):
			req.mark(2)
			d.push("osType")
			p.OSType, err = d.internedReqString()
		case is(name, "osVersion"):
			req.mark(3)
			d.push("osVersion")
			p.OSVersion, err = d.internedReqString()
		case is(name, "architecture"):
			req.mark(4)
			d.push("architecture")
			p.Architecture, err = d.internedReqString()
		case is(name, "created"):
			d.push("created")
			p.Created, err = d.str()
		case is(name, "commitUrl"):
			req.mark(5)
			d.push("commitUrl")
			p.CommitURL, err = d.reqString()
		case is(name, "layers"):
			d.push("layers")
			p.Layers, err = d.layers()
		case is(name, "isUnchanged"):
			d.push("isUnchanged")
			p.IsUnchanged, err = d.boolean()
		default:
			return d.skip(0)
		}
		d.pop()
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, d.checkRequired(start, req)
}

// layers reads schema 2.0 layer objects and schema 1.0 digest strings.
func (d *decoder) layers() ([]Layer, error) {
	var layers []Layer
	_, err := d.array(func(int) error {
		c, _ := d.peek()
		switch c {
		case '"':
			s, err := d.str()
			layers = append(layers, Layer{Digest: &s})
			return err
		case '{':
			var l Layer
			err := d.object(func(name []byte) error {
				var err error
				switch {
				case is(name, "digest"):
					d.push("digest")
					l.Digest, err = d.optString()
				case is(name, "size"):
					d.push("size")
					l.Size, err = d.int64Value()
				default:
					return d.skip(0)
				}
				d.pop()
				return err
			})
			layers = append(layers, l)
			return err
		}
		return d.typeError("a digest string or a layer object")
	})
	if err != nil {
		return nil, err
	}
	return layers, nil
}
