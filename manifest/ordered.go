package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Entry is one key and value of an Ordered map.
type Entry[V any] struct {
	Key   string
	Value V
}

// Ordered is a JSON object decoded with its key order kept. Manifest variables are resolved in
// declaration order and tags are listed in manifest order, so a Go map would lose meaning.
// A key that appears twice in one object is an error.
type Ordered[V any] []Entry[V]

// Get returns the value of key and whether it is present.
func (o Ordered[V]) Get(key string) (V, bool) {
	for _, e := range o {
		if e.Key == key {
			return e.Value, true
		}
	}
	var zero V
	return zero, false
}

// Keys returns the keys in order.
func (o Ordered[V]) Keys() []string {
	keys := make([]string, len(o))
	for i, e := range o {
		keys[i] = e.Key
	}
	return keys
}

// UnmarshalJSON decodes an object, keeping key order. For string values, JSON numbers and
// booleans are accepted and kept as their literal text (manifests write "libicu|noble": 74).
func (o *Ordered[V]) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		*o = nil
		return nil
	}
	if len(data) == 0 || data[0] != '{' {
		return &located{capAt: cap(data), offset: 1, err: fmt.Errorf("expected a JSON object, got %s", describeJSON(data))}
	}
	// encoding/json has validated data before calling us, so a light scan that splits the
	// members is enough; it is several times faster than json.Decoder.Token.
	out := Ordered[V]{}
	seen := map[string]bool{}
	i := skipSpace(data, 1)
	for i < len(data) && data[i] != '}' {
		end := scanString(data, i)
		key, err := unquote(data[i:end])
		if err != nil {
			return err
		}
		if seen[key] {
			return &located{capAt: cap(data[i:]), offset: 1, err: fmt.Errorf("key %q appears twice", key)}
		}
		seen[key] = true
		i = skipSpace(data, end)
		i = skipSpace(data, i+1) // ':'
		valueEnd := scanValue(data, i)
		var v V
		if err := decodeValue(data[i:valueEnd], &v); err != nil {
			return locate(data[i:valueEnd], err)
		}
		out = append(out, Entry[V]{Key: key, Value: v})
		i = skipSpace(data, valueEnd)
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	*o = out
	return nil
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// scanString returns the index just past the JSON string starting at data[i].
func scanString(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(data)
}

// scanValue returns the index just past the JSON value starting at data[i].
func scanValue(data []byte, i int) int {
	if i >= len(data) {
		return i
	}
	switch data[i] {
	case '"':
		return scanString(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				j = scanString(data, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(data)
	}
	j := i
	for j < len(data) && data[j] != ',' && data[j] != '}' && data[j] != ']' && data[j] != ' ' && data[j] != '\t' && data[j] != '\n' && data[j] != '\r' {
		j++
	}
	return j
}

func unquote(quoted []byte) (string, error) {
	if len(quoted) >= 2 && bytes.IndexByte(quoted, '\\') < 0 {
		return string(quoted[1 : len(quoted)-1]), nil
	}
	var s string
	err := json.Unmarshal(quoted, &s)
	return s, err
}

// MarshalJSON encodes the object with its keys in order.
func (o Ordered[V]) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := json.Marshal(e.Key)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		v, err := json.Marshal(e.Value)
		if err != nil {
			return nil, err
		}
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func decodeValue[V any](raw []byte, v *V) error {
	switch p := any(v).(type) {
	case *string:
		if len(raw) > 0 && raw[0] != '"' && raw[0] != '{' && raw[0] != '[' && string(raw) != "null" {
			*p = string(raw) // number or boolean literal, kept as written
			return nil
		}
		if len(raw) >= 2 && raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0 {
			*p = string(raw[1 : len(raw)-1])
			return nil
		}
	case *TagModel:
		if string(raw) == "{}" {
			return nil // the common case: a tag with no settings
		}
	}
	return json.Unmarshal(raw, v)
}

func describeJSON(data []byte) string {
	if len(data) == 0 {
		return "nothing"
	}
	switch data[0] {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}
