package imageinfo

import (
	"unicode/utf16"
	"unicode/utf8"
)

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
