package manifest

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// isNameRune reports whether r may appear in a variable name: word characters (Unicode, as in
// .NET's \w), ':', '-', '.', '|' and space, as ImageBuilder's VariableHelper pattern
// \$\((?<variable>[\w:\-.| ]+)\) allows.
func isNameRune(r rune) bool {
	switch r {
	case ':', '-', '.', '|', ' ', '_':
		return true
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Pc, r)
}

// nextReference finds the first $(name) in s at or after from, returning its bounds and the
// name; ok is false when there is none.
func nextReference(s string, from int) (start, end int, name string, ok bool) {
	for {
		i := strings.Index(s[from:], "$(")
		if i < 0 {
			return 0, 0, "", false
		}
		start = from + i
		j := start + 2
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if !isNameRune(r) {
				break
			}
			j += size
		}
		if j > start+2 && j < len(s) && s[j] == ')' {
			return start, j + 1, s[start+2 : j], true
		}
		from = start + 1
	}
}

// VariableError reports a variable reference that cannot be resolved.
type VariableError struct {
	Name   string // the variable referred to, without $( )
	Where  string // the field being substituted, e.g. `variables."x"` or `repos[0](r).images[1].productVersion`
	Reason string
}

func (e *VariableError) Error() string {
	return fmt.Sprintf("$(%s): %s", e.Name, e.Reason)
}

// variables resolves $(name) references for one manifest.
type variables struct {
	values   map[string]string
	declared map[string]bool   // every manifest variable name, resolved or not yet
	repos    map[string]string // repo id -> qualified name, for $(Repo:<id>)
}

// resolveVariables resolves the manifest's variables in declaration order, each overridden by
// the caller's value when given, then adds caller-only variables (sorted by name). A value may
// refer to earlier variables only.
func resolveVariables(decl Ordered[string], overrides map[string]string, repos map[string]string) (*variables, Ordered[string], error) {
	v := &variables{values: map[string]string{}, declared: map[string]bool{}, repos: repos}
	for _, e := range decl {
		v.declared[e.Key] = true
	}
	resolved := make(Ordered[string], 0, len(decl)+len(overrides))
	add := func(name, raw string) error {
		val, err := v.substitute(raw, fmt.Sprintf("variables.%q", name))
		if err != nil {
			return err
		}
		v.values[name] = val
		resolved = append(resolved, Entry[string]{name, val})
		return nil
	}
	for _, e := range decl {
		raw := e.Value
		if o, ok := overrides[e.Key]; ok {
			raw = o
		}
		if err := add(e.Key, raw); err != nil {
			return nil, nil, err
		}
	}
	extra := make([]string, 0, len(overrides))
	for name := range overrides {
		if !v.declared[name] {
			extra = append(extra, name)
		}
	}
	slices.Sort(extra)
	for _, name := range extra {
		v.declared[name] = true
		if err := add(name, overrides[name]); err != nil {
			return nil, nil, err
		}
	}
	return v, resolved, nil
}

// substitute replaces every $(name) in s in one pass; replaced text is not scanned again.
func (v *variables) substitute(s, where string) (string, error) {
	if !strings.Contains(s, "$(") {
		return s, nil
	}
	var b strings.Builder
	last := 0
	for {
		start, end, name, ok := nextReference(s, last)
		if !ok {
			break
		}
		val, err := v.lookup(name, where)
		if err != nil {
			return "", err
		}
		b.WriteString(s[last:start])
		b.WriteString(val)
		last = end
	}
	if last == 0 {
		return s, nil
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

func (v *variables) lookup(name, where string) (string, error) {
	if val, ok := v.values[name]; ok {
		return val, nil
	}
	if kind, id, ok := strings.Cut(name, ":"); ok {
		if kind == "Repo" {
			if q, ok := v.repos[id]; ok {
				return q, nil
			}
			return "", &VariableError{Name: name, Where: where, Reason: fmt.Sprintf("no repo with id %q in the manifest", id)}
		}
		return "", &VariableError{Name: name, Where: where, Reason: fmt.Sprintf("built-in variable type %q has no value here", kind)}
	}
	if v.declared[name] {
		return "", &VariableError{Name: name, Where: where, Reason: "refers to a variable declared later; a variable may only use variables declared before it"}
	}
	return "", &VariableError{Name: name, Where: where, Reason: "no value was found for the variable"}
}
