package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ImageBuilder reads its manifest with Newtonsoft.Json's StringEnumConverter, which takes an
// enum as its name or as its number; its own test fixtures write numbers ("DocType": 0). The
// numbers are the C# declaration order of each enum.
var (
	architectureValues = []string{"arm", "arm64", "amd64"}                            // Architecture: ARM, ARM64, AMD64
	osValues           = []string{"linux", "windows"}                                 // OS: Linux, Windows
	docTypeValues      = []string{"Documented", "Undocumented", "PlatformDocumented"} // TagDocumentationType
	legTypeValues      = []string{"Integral", "Supplemental"}                         // CustomBuildLegDependencyType
)

// enumValue decodes a string enum field written as its name (kept as written) or as its
// ImageBuilder number (mapped to the name).
type enumValue struct {
	value  string
	values []string
}

func (e *enumValue) UnmarshalJSON(data []byte) error {
	switch {
	case string(data) == "null":
		return nil
	case len(data) > 0 && data[0] == '"':
		return json.Unmarshal(data, &e.value)
	}
	n, err := strconv.Atoi(string(data))
	if err != nil || n < 0 || n >= len(e.values) {
		names := make([]string, len(e.values))
		for i, v := range e.values {
			names[i] = fmt.Sprintf("%s (%d)", v, i)
		}
		return &located{capAt: cap(data), offset: 1, err: fmt.Errorf("%s is not one of %s", data, strings.Join(names, ", "))}
	}
	e.value = e.values[n]
	return nil
}

// UnmarshalJSON decodes a platform, accepting ImageBuilder's enum numbers for architecture
// and os.
func (p *PlatformModel) UnmarshalJSON(data []byte) error {
	type plain PlatformModel
	v := struct {
		*plain
		Architecture enumValue `json:"architecture"`
		OS           enumValue `json:"os"`
	}{plain: (*plain)(p), Architecture: enumValue{values: architectureValues}, OS: enumValue{values: osValues}}
	if err := json.Unmarshal(data, &v); err != nil {
		return locate(data, err)
	}
	p.Architecture, p.OS = v.Architecture.value, v.OS.value
	return nil
}

// UnmarshalJSON decodes a tag, accepting ImageBuilder's enum numbers for docType.
func (t *TagModel) UnmarshalJSON(data []byte) error {
	type plain TagModel
	v := struct {
		*plain
		DocType enumValue `json:"docType"`
	}{plain: (*plain)(t), DocType: enumValue{values: docTypeValues}}
	if err := json.Unmarshal(data, &v); err != nil {
		return locate(data, err)
	}
	t.DocType = v.DocType.value
	return nil
}

// UnmarshalJSON decodes a custom build leg group, accepting ImageBuilder's enum numbers for
// type.
func (g *CustomBuildLegGroupModel) UnmarshalJSON(data []byte) error {
	type plain CustomBuildLegGroupModel
	v := struct {
		*plain
		Type enumValue `json:"type"`
	}{plain: (*plain)(g), Type: enumValue{values: legTypeValues}}
	if err := json.Unmarshal(data, &v); err != nil {
		return locate(data, err)
	}
	g.Type = v.Type.value
	return nil
}

// located is an error at a byte of the manifest decoded by a custom decoder (offset is
// counted as encoding/json counts it: 1 for the first byte of data). encoding/json
// hands a decoder a sub-slice of the document it decodes and reports offsets relative to
// what it was given, so the position is kept as the sub-slice's capacity (the bytes from its
// start to the end of the document) and an offset in it; readModel turns that into a line,
// a column and a JSON path.
type located struct {
	capAt  int
	offset int64
	err    error
}

func (e *located) Error() string { return e.err.Error() }
func (e *located) Unwrap() error { return e.err }

// locate gives err, returned while decoding data, a position: errors already located keep
// theirs; encoding/json's errors are placed at their offset in data.
func locate(data []byte, err error) error {
	var l *located
	if errors.As(err, &l) {
		return err
	}
	var typ *json.UnmarshalTypeError
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &typ):
		return &located{capAt: cap(data), offset: typ.Offset, err: fmt.Errorf("cannot use JSON %s as %s", typ.Value, typ.Type)}
	case errors.As(err, &syn):
		return &located{capAt: cap(data), offset: syn.Offset, err: err}
	}
	return &located{capAt: cap(data), offset: 1, err: err}
}
