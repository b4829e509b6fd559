package imageinfo

import (
	"io"
	"strconv"
	"unicode/utf8"
)

// Marshal returns d as ImageBuilder writes it: schema "2.0", properties in declaration order,
// 2-space indentation, "key": value, LF line endings and a trailing newline. Required strings
// are always written; optional ones are omitted when nil, lists when empty, isUnchanged when
// false, a layer size when 0 and created when empty. Strings are escaped as Newtonsoft.Json
// escapes them: no HTML escaping, non-ASCII written as is.
func Marshal(d *Document) []byte {
	e := encoder{buf: make([]byte, 0, 256+2200*d.Count().Platforms)}
	e.document(d)
	e.buf = append(e.buf, '\n')
	return e.buf
}

// Write writes Marshal(d) to w.
func Write(w io.Writer, d *Document) error {
	_, err := w.Write(Marshal(d))
	return err
}

// encoder writes Newtonsoft.Json's indented format. empty records, per open container,
// whether nothing was written in it yet: an empty container is written "{}" or "[]".
type encoder struct {
	buf   []byte
	empty []bool
}

func (e *encoder) open(c byte) {
	e.buf = append(e.buf, c)
	e.empty = append(e.empty, true)
}

func (e *encoder) close(c byte) {
	n := len(e.empty) - 1
	wasEmpty := e.empty[n]
	e.empty = e.empty[:n]
	if !wasEmpty {
		e.newline()
	}
	e.buf = append(e.buf, c)
}

func (e *encoder) newline() {
	e.buf = append(e.buf, '\n')
	for range len(e.empty) {
		e.buf = append(e.buf, ' ', ' ')
	}
}

// next starts a member or an element.
func (e *encoder) next() {
	n := len(e.empty) - 1
	if !e.empty[n] {
		e.buf = append(e.buf, ',')
	}
	e.empty[n] = false
	e.newline()
}

func (e *encoder) key(k string) {
	e.next()
	e.buf = append(e.buf, '"')
	e.buf = append(e.buf, k...)
	e.buf = append(e.buf, '"', ':', ' ')
}

func (e *encoder) stringField(k, v string) {
	e.key(k)
	e.buf = appendString(e.buf, v)
}

func (e *encoder) optStringField(k string, v *string) {
	if v != nil {
		e.stringField(k, *v)
	}
}

func (e *encoder) stringsField(k string, list []string) {
	if len(list) == 0 {
		return
	}
	e.key(k)
	e.open('[')
	for _, s := range list {
		e.next()
		e.buf = appendString(e.buf, s)
	}
	e.close(']')
}

func (e *encoder) document(d *Document) {
	e.open('{')
	e.stringField("schemaVersion", SchemaVersion)
	if len(d.Repos) > 0 {
		e.key("repos")
		e.open('[')
		for _, r := range d.Repos {
			e.next()
			e.repo(r)
		}
		e.close(']')
	}
	e.close('}')
}

func (e *encoder) repo(r *Repo) {
	e.open('{')
	e.stringField("repo", r.Repo)
	if len(r.Images) > 0 {
		e.key("images")
		e.open('[')
		for _, img := range r.Images {
			e.next()
			e.image(img)
		}
		e.close(']')
	}
	e.close('}')
}

func (e *encoder) image(img *Image) {
	e.open('{')
	e.optStringField("productVersion", img.ProductVersion)
	if m := img.Manifest; m != nil {
		e.key("manifest")
		e.open('{')
		e.optStringField("digest", m.Digest)
		e.stringsField("syndicatedDigests", m.SyndicatedDigests)
		if m.Created != "" {
			e.stringField("created", m.Created)
		}
		e.stringsField("sharedTags", m.SharedTags)
		e.close('}')
	}
	if len(img.Platforms) > 0 {
		e.key("platforms")
		e.open('[')
		for _, p := range img.Platforms {
			e.next()
			e.platform(p)
		}
		e.close(']')
	}
	e.close('}')
}

func (e *encoder) platform(p *Platform) {
	e.open('{')
	e.stringField("dockerfile", p.Dockerfile)
	e.stringsField("simpleTags", p.SimpleTags)
	e.stringField("digest", p.Digest)
	e.optStringField("baseImageDigest", p.BaseImageDigest)
	e.stringField("osType", p.OSType)
	e.stringField("osVersion", p.OSVersion)
	e.stringField("architecture", p.Architecture)
	if p.Created != "" {
		e.stringField("created", p.Created)
	}
	e.stringField("commitUrl", p.CommitURL)
	if len(p.Layers) > 0 {
		e.key("layers")
		e.open('[')
		for _, l := range p.Layers {
			e.next()
			e.open('{')
			e.optStringField("digest", l.Digest)
			if l.Size != 0 {
				e.key("size")
				e.buf = strconv.AppendInt(e.buf, l.Size, 10)
			}
			e.close('}')
		}
		e.close(']')
	}
	if p.IsUnchanged {
		e.key("isUnchanged")
		e.buf = append(e.buf, "true"...)
	}
	e.close('}')
}

// appendString appends s as a JSON string escaped the way Newtonsoft.Json's default
// StringEscapeHandling does: the quote and the backslash, control characters (\b \t \n \f \r
// short, the others as \u00xx with lowercase hex), and U+0085, U+2028 and U+2029 as \u
// escapes. Everything else, HTML characters, apostrophes and non-ASCII included, is written as
// is. Invalid UTF-8 is written as U+FFFD, which is what a .NET string read from such bytes
// would hold.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				b = append(b, s[start:i]...)
				b = append(b, "\uFFFD"...)
			case r == '\u0085' || r == '\u2028' || r == '\u2029':
				b = append(b, s[start:i]...)
				b = append(b, '\\', 'u', hex[r>>12&0xF], hex[r>>8&0xF], hex[r>>4&0xF], hex[r&0xF])
			default:
				i += size
				continue
			}
			i += size
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
