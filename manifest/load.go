package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/baseflow/baseflow/internal/jsonerr"
)

// DefaultMaxFileSize is the largest manifest or include file Load reads unless
// Options.MaxFileSize says otherwise. The dotnet-docker manifest is about 0.5 MB.
const DefaultMaxFileSize = 16 << 20

// Options adjust how a manifest is loaded. The zero value loads the manifest as written.
type Options struct {
	// Variables override manifest variables of the same name and add new ones, as
	// ImageBuilder's --var and a subscription's manifest.variables do.
	Variables map[string]string
	// RegistryOverride replaces the manifest's registry in qualified repo names and so in
	// $(Repo:<id>) values.
	RegistryOverride string
	// MaxFileSize caps the size of the manifest and each include; 0 means DefaultMaxFileSize.
	MaxFileSize int64
}

// Error is a problem with a manifest, located by file and, when it concerns one element, by
// its JSON path (e.g. `repos[1](dotnet/runtime).images[0].platforms[2]`).
type Error struct {
	File string
	Path string
	Err  error
}

func (e *Error) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("manifest %s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("manifest %s: %s: %v", e.File, e.Path, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Load reads the manifest at name in fsys, merges its includes, resolves variables and
// Dockerfile paths, and validates the result. name and the manifest's relative paths use
// forward slashes and are resolved within fsys.
func Load(fsys fs.FS, name string, opts Options) (*Manifest, error) {
	name = path.Clean(strings.ReplaceAll(name, `\`, "/"))
	model, err := readModel(fsys, name, opts)
	if err != nil {
		return nil, err
	}
	dir := path.Dir(name)
	for i, inc := range model.Includes {
		where := fmt.Sprintf("includes[%d]", i)
		incPath, err := resolveRelative(dir, inc)
		if err != nil {
			return nil, &Error{File: name, Path: where, Err: err}
		}
		included, err := readModel(fsys, incPath, opts)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, &Error{File: name, Path: where, Err: fmt.Errorf("include %q not found", inc)}
			}
			return nil, err
		}
		// Includes are not recursive: an included file's own includes are ignored.
		for _, e := range included.Variables {
			if _, dup := model.Variables.Get(e.Key); dup {
				return nil, &Error{File: incPath, Path: "variables", Err: fmt.Errorf("variable %q is already defined", e.Key)}
			}
			model.Variables = append(model.Variables, e)
		}
		model.Repos = append(model.Repos, included.Repos...)
	}
	model.Repos = consolidateRepos(model.Repos)
	return resolve(fsys, name, model, opts)
}

func readModel(fsys fs.FS, name string, opts Options) (*Model, error) {
	limit := opts.MaxFileSize
	if limit <= 0 {
		limit = DefaultMaxFileSize
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, &Error{File: name, Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &Error{File: name, Err: err}
	}
	if int64(len(data)) > limit {
		return nil, &Error{File: name, Err: fmt.Errorf("file is larger than the %d byte limit", limit)}
	}
	// A UTF-8 byte order mark is skipped, as ImageBuilder's File.ReadAllText does; positions
	// in errors count from after it, as editors show them.
	data = jsonerr.TrimBOM(data)
	// The document is decoded from the one slice with json.Unmarshal, so that the custom
	// decoders (Ordered maps, enums) are handed sub-slices of it and their errors can be placed.
	var m Model
	if err := json.Unmarshal(data, &m); err != nil {
		var l *located
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &l):
			offset := int64(cap(data)-l.capAt) + l.offset
			line, col := jsonerr.Position(data, offset)
			return nil, &Error{File: name, Err: fmt.Errorf("line %d, column %d: %s: %w", line, col, jsonerr.PathAt(data, offset), l.err)}
		case errors.As(err, &syn) && strings.HasSuffix(syn.Error(), "after top-level value"):
			line, col := jsonerr.Position(data, syn.Offset)
			return nil, &Error{File: name, Err: fmt.Errorf("line %d, column %d: unexpected data after the manifest object", line, col)}
		}
		return nil, &Error{File: name, Err: stripFile(jsonerr.Wrap(name, data, err))}
	}
	return &m, nil
}

// stripFile rewrites a jsonerr.Error so that Error does not repeat the file name.
func stripFile(err error) error {
	var je *jsonerr.Error
	if !errors.As(err, &je) {
		return err
	}
	msg := je.Err.Error()
	if je.Field != "" {
		msg = "field " + je.Field + ": " + msg
	}
	if je.Line > 0 {
		return fmt.Errorf("line %d, column %d: %s", je.Line, je.Column, msg)
	}
	return errors.New(msg)
}

// consolidateRepos merges repos of the same name (ImageBuilder 3.2): images and readmes are
// concatenated, id and mcrTagsMetadataTemplate take the first non-empty value. The name is the
// only other property, so no two values can conflict.
func consolidateRepos(repos []RepoModel) []RepoModel {
	out := make([]RepoModel, 0, len(repos))
	index := map[string]int{}
	for _, r := range repos {
		i, ok := index[r.Name]
		if !ok {
			index[r.Name] = len(out)
			out = append(out, r)
			continue
		}
		t := &out[i]
		t.Images = append(t.Images, r.Images...)
		t.Readmes = append(t.Readmes, r.Readmes...)
		for _, f := range []struct {
			name     string
			dst, src *string
		}{{"id", &t.ID, &r.ID}, {"mcrTagsMetadataTemplate", &t.McrTagsMetadataTemplate, &r.McrTagsMetadataTemplate}} {
			if *f.dst == "" {
				*f.dst = *f.src
			}
		}
	}
	return out
}
