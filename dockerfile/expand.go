package dockerfile

import (
	"fmt"
	"math"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// expansionFactor bounds the bytes all expansions of one file may produce,
// as a multiple of the input size limit. ARG defaults that reference each
// other (ARG B=$A$A, ARG C=$B$B, …) or ${X//?/$Y} replacements would
// otherwise grow exponentially; real files stay far below the input size.
const expansionFactor = 4

// argEnv is the ordered set of arguments FROM lines are expanded with. It
// implements shell.EnvGetter.
type argEnv struct {
	keys []string
	vals map[string]string
	// unset records, for an argument whose default was built from unset
	// variables (ARG FULL=$REPO:8.0 with REPO unset), those variables.
	unset map[string][]string
}

func (e *argEnv) Get(key string) (string, bool) {
	v, ok := e.vals[key]
	return v, ok
}

func (e *argEnv) Keys() []string { return e.keys }

func (e *argEnv) set(key, value string, unset []string) {
	if _, ok := e.vals[key]; !ok {
		e.keys = append(e.keys, key)
	}
	e.vals[key] = value
	if len(unset) > 0 {
		e.unset[key] = unset
	} else {
		delete(e.unset, key)
	}
}

// unsetRef is a variable an expansion needed but could not resolve. Via is
// the argument named in the expanded word whose default used the variable,
// or empty when the word names the variable itself.
type unsetRef struct {
	Name string
	Via  string
}

func (u unsetRef) String() string {
	if u.Via != "" {
		return fmt.Sprintf("variable %s is not set (used by ARG %s)", u.Name, u.Via)
	}
	return fmt.Sprintf("variable %s is not set", u.Name)
}

// expander expands words the way docker build expands FROM lines.
type expander struct {
	lex    *shell.Lex
	escape rune
	env    *argEnv
	// budget is what is left of total, the bytes all expansions of one file
	// may produce (intermediate results and pattern matching included).
	budget, total int64
}

// newExpander seeds the automatic platform arguments, each replaced by a
// build argument of the same name, as docker build does before it reads
// the meta arguments. target is the TARGETSTAGE value.
func newExpander(escape rune, opts Options, target string) *expander {
	tp := withDefaults(opts.Platform)
	bp := tp
	if opts.BuildPlatform != (Platform{}) {
		bp = withDefaults(opts.BuildPlatform)
	}
	if target == "" {
		target = "default"
	}
	env := &argEnv{vals: map[string]string{}, unset: map[string][]string{}}
	for _, kv := range [...][2]string{
		{"BUILDPLATFORM", bp.String()},
		{"BUILDOS", bp.OS},
		{"BUILDOSVERSION", ""},
		{"BUILDARCH", bp.Architecture},
		{"BUILDVARIANT", bp.Variant},
		{"TARGETPLATFORM", tp.String()},
		{"TARGETOS", tp.OS},
		{"TARGETOSVERSION", ""},
		{"TARGETARCH", tp.Architecture},
		{"TARGETVARIANT", tp.Variant},
		{"TARGETSTAGE", target},
	} {
		v := kv[1]
		if o, ok := opts.BuildArgs[kv[0]]; ok {
			v = o
		}
		env.set(kv[0], v, nil)
	}
	total := opts.maxSize()
	if total <= math.MaxInt64/expansionFactor {
		total *= expansionFactor
	}
	return &expander{lex: shell.NewLex(escape), escape: escape, env: env, budget: total, total: total}
}

// declare adds the ARGs declared before the first FROM, in order: a build
// argument replaces a declared default; otherwise the default is expanded
// with the arguments collected so far; an ARG with neither stays unset.
func (x *expander) declare(arg *instructions.ArgCommand, buildArgs map[string]string) error {
	for _, kv := range arg.Args {
		if v, ok := buildArgs[kv.Key]; ok {
			x.env.set(kv.Key, v, nil)
			continue
		}
		if kv.Value == nil {
			continue
		}
		v, unset, err := x.expand(*kv.Value)
		if err != nil {
			return fmt.Errorf("ARG %s: %w", kv.Key, err)
		}
		names := make([]string, 0, len(unset))
		for _, u := range unset {
			names = append(names, u.Name)
		}
		x.env.set(kv.Key, v, names)
	}
	return nil
}

// expand expands word with the arguments collected so far and returns the
// variables it needed but could not resolve, directly or through an
// argument's default, in order. It refuses, before expanding, a word whose
// expansion could exceed what is left of the file's expansion budget.
func (x *expander) expand(word string) (string, []unsetRef, error) {
	var scan wordScan
	cost := int64(len(word)) // without '$', quotes and escapes only shrink it
	if strings.IndexByte(word, '$') >= 0 {
		scan = scanWord(word, x.escape, x.env, x.budget)
		cost = scan.Cost
	}
	if cost > x.budget {
		return "", nil, fmt.Errorf("%w: the file's expansions exceed %d bytes", ErrExpansionTooLarge, x.total)
	}
	x.budget -= cost

	res, err := x.lex.ProcessWordWithMatches(word, x.env)
	if err != nil {
		return "", nil, err
	}
	if len(res.Unmatched) == 0 && !x.anyUnset(res.Matched) {
		return res.Result, nil, nil
	}
	// Unmatched also lists variables that had a fallback (${X:-d}) or sat
	// in a default that was not taken; keep only those the value needed,
	// bounded by what the lexer itself found.
	var out []unsetRef
	seen := map[string]bool{}
	add := func(u unsetRef) {
		if !seen[u.Name] {
			seen[u.Name] = true
			out = append(out, u)
		}
	}
	for _, name := range scan.Needed {
		if _, ok := res.Unmatched[name]; ok {
			add(unsetRef{Name: name})
			continue
		}
		if _, ok := res.Matched[name]; !ok {
			continue
		}
		for _, u := range x.env.unset[name] {
			add(unsetRef{Name: u, Via: name})
		}
	}
	return res.Result, out, nil
}

func (x *expander) anyUnset(matched map[string]struct{}) bool {
	for k := range matched {
		if len(x.env.unset[k]) > 0 {
			return true
		}
	}
	return false
}
