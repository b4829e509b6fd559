package githubsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// treeWalkConcurrency bounds the requests made at once when a truncated listing is replaced by
// one request per directory.
const treeWalkConcurrency = 8

// loadTree lists the whole repository at the branch.
func (s *Source) loadTree(ctx context.Context, ref repoRef) (*treeFS, error) {
	t, err := s.fetchTree(ctx, ref.treePath(".")+"?recursive=1")
	if err != nil {
		if isNotFound(err) {
			err = s.whyNotFound(ctx, ref, err)
		}
		return nil, err
	}
	dirs := map[string][]entry{".": nil}
	if t.Truncated {
		s.log.Debug("github tree listing truncated, listing each directory", "owner", ref.owner, "repo", ref.repo, "branch", ref.branch)
		if err := s.walkTree(ctx, ref, dirs); err != nil {
			return nil, err
		}
	} else {
		for _, it := range t.Tree {
			dir, name := dirOf(it.Path)
			dirs[dir] = append(dirs[dir], newEntry(name, it))
			if it.Type == "tree" || it.Type == "commit" {
				if _, ok := dirs[it.Path]; !ok {
					dirs[it.Path] = nil
				}
			}
		}
	}
	for _, entries := range dirs {
		slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	}
	return &treeFS{src: s, ref: ref, dirs: dirs}, nil
}

// walkTree lists the repository one directory per request, a level at a time, for trees too
// large for one recursive listing.
func (s *Source) walkTree(ctx context.Context, ref repoRef, dirs map[string][]entry) error {
	type pending struct{ dir, apiPath string }
	level := []pending{{dir: ".", apiPath: ref.treePath(".")}}
	for len(level) > 0 {
		listed := make([][]entry, len(level))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(treeWalkConcurrency)
		for i, p := range level {
			g.Go(func() error {
				t, err := s.fetchTree(gctx, p.apiPath)
				if err != nil {
					return err
				}
				if t.Truncated {
					return fmt.Errorf("directory %s: listing truncated by GitHub", p.dir)
				}
				for _, it := range t.Tree {
					listed[i] = append(listed[i], newEntry(it.Path, it))
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		var next []pending
		for i, p := range level {
			dirs[p.dir] = listed[i]
			for _, e := range listed[i] {
				sub := path.Join(p.dir, e.name)
				switch e.typ {
				case "tree":
					next = append(next, pending{dir: sub, apiPath: ref.apiPath() + "/git/trees/" + url.PathEscape(e.sha)})
				case "commit":
					dirs[sub] = nil
				}
			}
		}
		level = next
	}
	return nil
}

// treeFS is a repository tree as an fs.FS. dirs maps every directory's path ("." for the top)
// to its entries sorted by name; it does not change after loadTree.
type treeFS struct {
	src  *Source
	ref  repoRef
	dirs map[string][]entry
}

var (
	_ fs.StatFS     = (*treeFS)(nil)
	_ fs.ReadFileFS = (*treeFS)(nil)
	_ fs.ReadDirFS  = (*treeFS)(nil)
	_ fs.ReadLinkFS = (*treeFS)(nil)
)

func (t *treeFS) resolver() resolver {
	return resolver{
		lookup: func(dir string) ([]entry, error) {
			if t.src.isClosed() {
				return nil, ErrClosed
			}
			entries, ok := t.dirs[dir]
			if !ok {
				return nil, fs.ErrNotExist
			}
			return entries, nil
		},
		readLink: func(e entry) (string, error) {
			data, err := t.blob(e)
			return string(data), err
		},
	}
}

// resolve finds name for op, with errors as *fs.PathError.
func (t *treeFS) resolve(op, name string, follow bool) (entry, string, error) {
	if !fs.ValidPath(name) {
		return entry{}, "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	e, resolved, err := t.resolver().resolve(op, name, follow, false)
	if err != nil {
		if _, ok := errors.AsType[*fs.PathError](err); !ok {
			err = &fs.PathError{Op: op, Path: name, Err: err}
		}
		return entry{}, "", err
	}
	return e, resolved, nil
}

// blob fetches a blob for the file system, which has no context of its own: the request lives
// until Close.
func (t *treeFS) blob(e entry) ([]byte, error) {
	return t.src.blob(t.src.ctx, t.ref, e)
}

func (t *treeFS) info(name string, e entry) fileInfo {
	return fileInfo{name: path.Base(name), entry: e}
}

// Open opens a file or directory, following symbolic links inside the repository. A file's
// content is fetched on its first Open.
func (t *treeFS) Open(name string) (fs.File, error) {
	e, resolved, err := t.resolve("open", name, true)
	if err != nil {
		return nil, err
	}
	if e.isDir() {
		return &dirFile{name: name, info: t.info(name, e), entries: t.dirs[resolved]}, nil
	}
	data, err := t.blob(e)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &blobFile{info: t.info(name, e), Reader: bytes.NewReader(data)}, nil
}

// ReadFile returns a file's content, following symbolic links inside the repository.
func (t *treeFS) ReadFile(name string) ([]byte, error) {
	e, _, err := t.resolve("readfile", name, true)
	if err != nil {
		return nil, err
	}
	if e.isDir() {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: errIsDirectory}
	}
	data, err := t.blob(e)
	if err != nil {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: err}
	}
	return bytes.Clone(data), nil
}

// ReadDir lists a directory sorted by name, following symbolic links inside the repository.
func (t *treeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	e, resolved, err := t.resolve("readdir", name, true)
	if err != nil {
		return nil, err
	}
	if !e.isDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errNotDirectory}
	}
	return dirEntries(t.dirs[resolved]), nil
}

// Stat describes a file, following symbolic links inside the repository.
func (t *treeFS) Stat(name string) (fs.FileInfo, error) {
	e, _, err := t.resolve("stat", name, true)
	if err != nil {
		return nil, err
	}
	return t.info(name, e), nil
}

// Lstat describes a file without following a symbolic link in its last element.
func (t *treeFS) Lstat(name string) (fs.FileInfo, error) {
	e, _, err := t.resolve("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return t.info(name, e), nil
}

// ReadLink returns a symbolic link's target as stored in the repository, wherever it points.
func (t *treeFS) ReadLink(name string) (string, error) {
	e, _, err := t.resolve("readlink", name, false)
	if err != nil {
		return "", err
	}
	if !e.isSymlink() {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: errNotSymlink}
	}
	data, err := t.blob(e)
	if err != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
	}
	return string(data), nil
}

var (
	errNotDirectory = errors.New("not a directory")
	errNotSymlink   = errors.New("not a symbolic link")
)

func dirEntries(entries []entry) []fs.DirEntry {
	out := make([]fs.DirEntry, len(entries))
	for i, e := range entries {
		out[i] = fs.FileInfoToDirEntry(fileInfo{name: e.name, entry: e})
	}
	return out
}

// fileInfo describes an entry. Git stores no modification times; ModTime is the zero time.
type fileInfo struct {
	name  string
	entry entry
}

func (fi fileInfo) Name() string       { return fi.name }
func (fi fileInfo) Size() int64        { return max(fi.entry.size, 0) }
func (fi fileInfo) Mode() fs.FileMode  { return fi.entry.fileMode() }
func (fi fileInfo) ModTime() time.Time { return time.Time{} }
func (fi fileInfo) IsDir() bool        { return fi.entry.isDir() }
func (fi fileInfo) Sys() any           { return nil }

// blobFile is an open file.
type blobFile struct {
	info fileInfo
	*bytes.Reader
}

func (f *blobFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *blobFile) Close() error               { return nil }

// dirFile is an open directory.
type dirFile struct {
	name    string
	info    fileInfo
	entries []entry
	offset  int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dirFile) Close() error               { return nil }

func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errIsDirectory}
}

// ReadDir returns the next n entries (all remaining when n <= 0), as fs.ReadDirFile specifies.
func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.offset:]
	if n > 0 {
		if len(rest) == 0 {
			return nil, io.EOF
		}
		rest = rest[:min(n, len(rest))]
	}
	d.offset += len(rest)
	return dirEntries(rest), nil
}
