package dockerfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// File is what [Parse] extracts from one Dockerfile.
type File struct {
	Name   string     // the name given to Parse, used in errors
	Stages []Stage    // one per FROM, in order; never empty after Parse
	Uses   []ImageUse // images named by COPY --from and RUN --mount from=, in order
}

// Stage is one FROM instruction and the build stage it starts.
type Stage struct {
	Index int // position among the stages, from 0

	// Name is the AS name lower-cased, as docker build keys stages; empty
	// when the stage has no AS name. WrittenName is the same name as written.
	Name        string
	WrittenName string

	BaseName string // the base as written, e.g. $REPO:8.0
	Base     string // the base after ARG expansion
	Platform string // the expanded --platform value; empty when none is given

	Line   int    // 1-based line of the FROM instruction
	Source string // the FROM instruction as written

	// StageRef is the index of the earlier stage Base names (compared
	// case-insensitively), or -1 when Base is an image or scratch.
	StageRef int

	// Scratch reports a FROM scratch: a stage with no base image.
	Scratch bool
}

// IsImage reports whether the stage's base is an image: neither an earlier
// stage nor scratch.
func (s Stage) IsImage() bool { return s.StageRef < 0 && !s.Scratch }

// ImageUse is an image named by an instruction inside a stage rather than by
// a FROM: COPY --from=<image> or RUN --mount=...,from=<image>.
type ImageUse struct {
	Image string // as written; docker build refuses variables there
	Stage int    // index of the stage holding the instruction
	Line  int    // 1-based line of the instruction
	Mount bool   // true for RUN --mount from=, false for COPY --from
}

// Parse reads one Dockerfile from r and returns its stages, expanded with
// opts, and the images its COPY and RUN instructions name. name identifies
// the file in errors. Errors are of type *[Error].
func Parse(r io.Reader, name string, opts Options) (*File, error) {
	fail := func(line int, err error) (*File, error) {
		return nil, &Error{File: name, Line: line, Err: err}
	}

	limit := opts.maxSize()
	n := limit
	if n < math.MaxInt64 {
		n++
	}
	data, err := io.ReadAll(io.LimitReader(r, n))
	if err != nil {
		return fail(0, fmt.Errorf("read: %w", err))
	}
	if int64(len(data)) > limit {
		return fail(0, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit))
	}
	// buildkit's lexer reports invalid text on standard error; refuse it here.
	if line, bad := firstBadLine(data); bad {
		return fail(line, errors.New("not UTF-8 text: invalid UTF-8 or NUL byte"))
	}

	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return fail(errorLine(err), err)
	}

	// A non-nil linter is required: a "# check=" comment above a later
	// instruction makes a nil one panic. Its warnings are not reported.
	lint := linter.New(&linter.Config{})
	type rawStage struct {
		stage *instructions.Stage
		node  *parser.Node
	}
	var stages []rawStage
	type metaArg struct {
		arg  *instructions.ArgCommand
		line int
	}
	var metaArgs []metaArg
	for _, node := range res.AST.Children {
		v, err := instructions.ParseInstructionWithLinter(node, lint)
		if err != nil {
			return fail(node.StartLine, err)
		}
		switch c := v.(type) {
		case *instructions.Stage:
			stages = append(stages, rawStage{stage: c, node: node})
		case *instructions.ArgCommand:
			if len(stages) == 0 {
				metaArgs = append(metaArgs, metaArg{arg: c, line: node.StartLine})
				continue
			}
			stages[len(stages)-1].stage.AddCommand(c)
		case instructions.Command:
			if len(stages) == 0 {
				return fail(node.StartLine, fmt.Errorf("%s before the first FROM", strings.ToUpper(node.Value)))
			}
			stages[len(stages)-1].stage.AddCommand(c)
		default:
			return fail(node.StartLine, fmt.Errorf("%s: unexpected instruction type %T", node.Value, v))
		}
	}
	if len(stages) == 0 {
		return fail(0, errors.New("no FROM instruction"))
	}

	x := newExpander(res.EscapeToken, opts, stages[len(stages)-1].stage.Name)
	for _, m := range metaArgs {
		if err := x.declare(m.arg, opts.BuildArgs); err != nil {
			return fail(m.line, err)
		}
	}

	f := &File{Name: name, Stages: make([]Stage, len(stages))}
	earlier := make(map[string]int, len(stages)) // lower-cased AS name → index
	for i, rs := range stages {
		st := rs.stage
		line := rs.node.StartLine
		s := Stage{
			Index:       i,
			Name:        st.Name,
			WrittenName: writtenName(rs.node, st.Name),
			BaseName:    st.BaseName,
			Line:        line,
			Source:      st.SourceCode,
			StageRef:    -1,
		}
		base, unset, err := x.expand(st.BaseName)
		switch {
		case err != nil:
			return fail(line, fmt.Errorf("FROM %s: %w", st.BaseName, err))
		case len(unset) > 0:
			return nil, &Error{File: name, Line: line, Variable: unset[0].Name,
				Err: fmt.Errorf("FROM %s: %s", st.BaseName, unset[0])}
		case base == "":
			return fail(line, fmt.Errorf("FROM %s: base image is empty", st.BaseName))
		}
		s.Base = base
		if st.Platform != "" {
			p, unset, err := x.expand(st.Platform)
			switch {
			case err != nil:
				return fail(line, fmt.Errorf("FROM --platform=%s: %w", st.Platform, err))
			case len(unset) > 0:
				return nil, &Error{File: name, Line: line, Variable: unset[0].Name,
					Err: fmt.Errorf("FROM --platform=%s: %s", st.Platform, unset[0])}
			case p == "":
				return fail(line, fmt.Errorf("FROM --platform=%s: platform is empty", st.Platform))
			}
			s.Platform = p
		}
		if j, ok := earlier[strings.ToLower(base)]; ok {
			s.StageRef = j
		} else if strings.EqualFold(base, "scratch") {
			s.Scratch = true
		}
		if s.IsImage() {
			if err := checkReference(st.BaseName, base); err != nil {
				return fail(line, err)
			}
		}
		if st.Name != "" {
			earlier[st.Name] = i
		}
		f.Stages[i] = s
	}

	// COPY --from and RUN --mount from= may name any stage of the file,
	// earlier or later, as docker build resolves them after reading all FROMs.
	all := earlier
	noEnv := shell.EnvsFromSlice(nil)
	for i, rs := range stages {
		for _, cmd := range rs.stage.Commands {
			switch c := cmd.(type) {
			case *instructions.CopyCommand:
				if c.From == "" {
					continue
				}
				line := firstLine(c.Location())
				// docker build rejects any --from value its lexer would
				// change: variables, quotes, escapes.
				if lit, err := x.lex.ProcessWordWithMatches(c.From, noEnv); err != nil || lit.Result != c.From {
					return fail(line, fmt.Errorf("COPY --from=%s: variable expansion is not supported in --from", c.From))
				}
				if k, err := strconv.Atoi(c.From); err == nil {
					if k < 0 || k >= len(stages) {
						return fail(line, fmt.Errorf("COPY --from=%s: no stage with index %d", c.From, k))
					}
					continue
				}
				if isStageOrScratch(c.From, all) {
					continue
				}
				f.Uses = append(f.Uses, ImageUse{Image: c.From, Stage: i, Line: line})
			case *instructions.RunCommand:
				for _, m := range instructions.GetMounts(c) {
					if m.From == "" || isStageOrScratch(m.From, all) {
						continue
					}
					f.Uses = append(f.Uses, ImageUse{Image: m.From, Stage: i, Line: firstLine(c.Location()), Mount: true})
				}
			}
		}
	}
	return f, nil
}

// Final returns the base image of the final stage, followed through stage
// references: in FROM a AS b … FROM b, the final base is a. scratch reports
// a final stage built on scratch, with image empty.
func (f *File) Final() (image string, scratch bool) {
	if f == nil || len(f.Stages) == 0 {
		return "", false
	}
	return f.StageBase(len(f.Stages) - 1)
}

// StageBase returns the base image of stage i followed through stage
// references, like [File.Final] for any stage. An index out of range gives
// ("", false).
func (f *File) StageBase(i int) (image string, scratch bool) {
	if f == nil || i < 0 || i >= len(f.Stages) {
		return "", false
	}
	s := f.Stages[i]
	// Parse only records references to earlier stages, so this terminates;
	// the bound also guards a hand-built File.
	for s.StageRef >= 0 && s.StageRef < s.Index && s.StageRef < len(f.Stages) {
		s = f.Stages[s.StageRef]
	}
	if s.Scratch {
		return "", true
	}
	if s.StageRef >= 0 {
		return "", false
	}
	return s.Base, false
}

// BaseImages returns the expanded bases of the stages whose base is an
// image, in FROM order, without stage references or scratch. A base used by
// several stages appears once per stage.
func (f *File) BaseImages() []string {
	if f == nil {
		return nil
	}
	var out []string
	for _, s := range f.Stages {
		if s.IsImage() {
			out = append(out, s.Base)
		}
	}
	return out
}

// checkReference refuses an expanded base that is not an image reference, as docker build
// does ("failed to parse stage name"), so that a FROM like ${BASE}:18-alpine with an empty
// BASE fails where the Dockerfile is read, with its line, instead of becoming a base named
// ":18-alpine".
func checkReference(written, base string) error {
	if _, err := reference.ParseNormalizedNamed(base); err != nil {
		msg := fmt.Sprintf("FROM %s: %q is not an image reference (%v)", written, base, err)
		if written != base && strings.Contains(written, "$") && !strings.Contains(base, "$") {
			msg += "; is a variable in it empty or unset?"
		}
		return errors.New(msg)
	}
	return nil
}

// isStageOrScratch reports whether a COPY --from or RUN --mount from= value
// names a stage of the file (case-insensitively) or scratch.
func isStageOrScratch(from string, stages map[string]int) bool {
	if _, ok := stages[strings.ToLower(from)]; ok {
		return true
	}
	return strings.EqualFold(from, "scratch")
}

// writtenName returns the AS name of a FROM node as written: the AST keeps
// the arguments' case, the parsed stage only the lower-cased name.
func writtenName(n *parser.Node, name string) string {
	if name == "" {
		return ""
	}
	if a := n.Next; a != nil && a.Next != nil && a.Next.Next != nil && strings.EqualFold(a.Next.Next.Value, name) {
		return a.Next.Next.Value
	}
	return name
}

// firstBadLine returns the 1-based line of the first invalid UTF-8 sequence
// or NUL byte in data, and whether there is one.
func firstBadLine(data []byte) (int, bool) {
	bad := bytes.IndexByte(data, 0)
	if !utf8.Valid(data) {
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				if bad < 0 || i < bad {
					bad = i
				}
				break
			}
			i += size
		}
	}
	if bad < 0 {
		return 0, false
	}
	return bytes.Count(data[:bad], []byte{'\n'}) + 1, true
}

// errorLine returns the line buildkit attached to err, or 0.
func errorLine(err error) int {
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 {
		return firstLine(le.Locations[0])
	}
	return 0
}

func firstLine(r []parser.Range) int {
	if len(r) == 0 {
		return 0
	}
	return r[0].Start.Line
}
