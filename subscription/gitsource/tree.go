package gitsource

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

var (
	errIsDirectory     = errors.New("is a directory")
	errNotFile         = errors.New("not a regular file")
	errSymlinkEscapes  = errors.New("symbolic link points outside the repository")
	errTooManySymlinks = errors.New("too many levels of symbolic links")
)

// tree is the file system of one commit, read from the repository's objects: no file is
// written out. It implements fs.StatFS, fs.ReadFileFS, fs.ReadDirFS and fs.ReadLinkFS.
type tree struct {
	r      *repository
	commit string
}

var (
	_ fs.StatFS     = tree{}
	_ fs.ReadFileFS = tree{}
	_ fs.ReadDirFS  = tree{}
	_ fs.ReadLinkFS = tree{}
)

// objectName is the cat-file name of a path of the tree.
func (t tree) objectName(name string) string {
	if name == "." {
		return t.commit + "^{tree}"
	}
	return t.commit + ":" + name
}

// get reads the object at name, following symbolic links inside the repository.
func (t tree) get(op, name string) (object, error) {
	if !fs.ValidPath(name) || strings.ContainsAny(name, "\n\r") {
		return object{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	obj, err := t.r.read(context.Background(), t.objectName(name), t.r.s.opts.maxFileSize)
	if err != nil {
		return object{}, &fs.PathError{Op: op, Path: name, Err: err}
	}
	if obj.err != nil {
		return object{}, &fs.PathError{Op: op, Path: name, Err: obj.err}
	}
	switch obj.kind {
	case "blob", "tree":
	default:
		return object{}, &fs.PathError{Op: op, Path: name, Err: errNotFile}
	}
	if obj.data == nil && obj.size > 0 {
		return object{}, &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("%d bytes is larger than the %d byte limit", obj.size, t.r.s.opts.maxFileSize)}
	}
	return obj, nil
}

// Open opens name, following symbolic links inside the repository.
func (t tree) Open(name string) (fs.File, error) {
	obj, err := t.get("open", name)
	if err != nil {
		return nil, err
	}
	info := t.objectInfo(name, obj)
	if obj.kind == "tree" {
		entries, err := parseTree(obj)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		for i := range entries {
			entries[i].r = t.r
		}
		return &dirFile{info: info, entries: entries}, nil
	}
	return &blobFile{info: info, Reader: bytes.NewReader(obj.data)}, nil
}

// ReadFile returns the content of name, following symbolic links inside the repository.
func (t tree) ReadFile(name string) ([]byte, error) {
	obj, err := t.get("read", name)
	if err != nil {
		return nil, err
	}
	if obj.kind == "tree" {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errIsDirectory}
	}
	return obj.data, nil
}

// Stat describes name, following symbolic links inside the repository.
func (t tree) Stat(name string) (fs.FileInfo, error) {
	obj, err := t.get("stat", name)
	if err != nil {
		return nil, err
	}
	return t.objectInfo(name, obj), nil
}

// ReadDir lists the directory name, sorted by file name.
func (t tree) ReadDir(name string) ([]fs.DirEntry, error) {
	obj, err := t.get("readdir", name)
	if err != nil {
		return nil, err
	}
	if obj.kind != "tree" {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	entries, err := parseTree(obj)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	out := make([]fs.DirEntry, len(entries))
	for i := range entries {
		entries[i].r = t.r
		out[i] = &entries[i]
	}
	return out, nil
}

// Lstat describes name without following a symbolic link in its last element.
func (t tree) Lstat(name string) (fs.FileInfo, error) {
	e, err := t.entry("lstat", name)
	if err != nil {
		return nil, err
	}
	if e.mode.IsRegular() || e.mode.Type() == fs.ModeSymlink {
		obj, err := t.r.read(context.Background(), e.oid, 0)
		if err != nil {
			return nil, &fs.PathError{Op: "lstat", Path: name, Err: err}
		}
		e.size = obj.size
	}
	return e, nil
}

// ReadLink returns the target of the symbolic link name, as written.
func (t tree) ReadLink(name string) (string, error) {
	e, err := t.entry("readlink", name)
	if err != nil {
		return "", err
	}
	if e.mode.Type() != fs.ModeSymlink {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: errors.New("not a symbolic link")}
	}
	obj, err := t.r.read(context.Background(), e.oid, 4096)
	if err != nil || obj.data == nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: cmpErr(err, fs.ErrInvalid)}
	}
	return string(obj.data), nil
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// entry returns the directory entry of name in its parent directory.
func (t tree) entry(op, name string) (*treeEntry, error) {
	if name == "." || !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	dir, base := path.Split(name)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		dir = "."
	}
	obj, err := t.get(op, dir)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: errors.Unwrap(err)}
	}
	if obj.kind != "tree" {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	entries, err := parseTree(obj)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	i := slices.IndexFunc(entries, func(e treeEntry) bool { return e.name == base })
	if i < 0 {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return &entries[i], nil
}

// objectInfo describes the object name leads to. A file's mode bits are in its directory
// entry: a regular file reports its own (0644 or 0755); a file reached through a symbolic
// link reports 0644, since git does not say which entry the link resolved to.
func (t tree) objectInfo(name string, obj object) *treeEntry {
	e := &treeEntry{name: path.Base(name), oid: obj.oid, size: obj.size, mode: 0o644}
	if obj.kind == "tree" {
		// A directory's size is system-dependent (fs.FileInfo); 0 here, as in listings.
		e.mode, e.size = fs.ModeDir|0o755, 0
		return e
	}
	if name != "." {
		if own, err := t.entry("stat", name); err == nil && own.mode.IsRegular() {
			e.mode = own.mode
		}
	}
	return e
}

// treeEntry is an entry of a git tree; it is both a fs.DirEntry and a fs.FileInfo.
type treeEntry struct {
	name string
	oid  string
	mode fs.FileMode
	size int64 // known for files opened or stat'ed; a listing's entries learn it in Info
	// r is set on the entries of a directory listing, whose sizes Info reads (as os.DirEntry
	// does, lazily: a listing alone costs no object reads).
	r *repository
}

func (e *treeEntry) Name() string      { return e.name }
func (e *treeEntry) IsDir() bool       { return e.mode.IsDir() }
func (e *treeEntry) Type() fs.FileMode { return e.mode.Type() }

// Info describes the entry without following a symbolic link, as Lstat does.
func (e *treeEntry) Info() (fs.FileInfo, error) {
	if e.r == nil || !(e.mode.IsRegular() || e.mode.Type() == fs.ModeSymlink) {
		return e, nil
	}
	obj, err := e.r.read(context.Background(), e.oid, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: e.name, Err: err}
	}
	info := *e
	info.r, info.size = nil, obj.size
	return &info, nil
}

func (e *treeEntry) Size() int64        { return e.size }
func (e *treeEntry) Mode() fs.FileMode  { return e.mode }
func (e *treeEntry) ModTime() time.Time { return time.Time{} }
func (e *treeEntry) Sys() any           { return nil }
func (e *treeEntry) String() string     { return fs.FormatDirEntry(e) }

// parseTree reads a git tree object: entries of "<octal mode> <name>\0<binary object id>".
// The id is as long as the tree's own (obj.oid, in hex): 20 bytes for SHA-1, 32 for SHA-256.
func parseTree(obj object) ([]treeEntry, error) {
	data, idLen := obj.data, len(obj.oid)/2
	var out []treeEntry
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		nul := bytes.IndexByte(data, 0)
		if sp < 0 || nul < sp || len(data) < nul+1+idLen {
			return nil, errors.New("malformed git tree")
		}
		mode, err := strconv.ParseUint(string(data[:sp]), 8, 32)
		if err != nil {
			return nil, errors.New("malformed git tree")
		}
		e := treeEntry{name: string(data[sp+1 : nul]), oid: hex.EncodeToString(data[nul+1 : nul+1+idLen])}
		switch mode & 0o170000 {
		case 0o040000:
			e.mode = fs.ModeDir | 0o755
		case 0o120000:
			e.mode = fs.ModeSymlink | 0o777
		case 0o160000: // a submodule: a commit of another repository, not readable here
			e.mode = fs.ModeIrregular
		default:
			e.mode = fs.FileMode(mode & 0o777)
		}
		out = append(out, e)
		data = data[nul+1+idLen:]
	}
	slices.SortFunc(out, func(a, b treeEntry) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// blobFile is an open file of a tree.
type blobFile struct {
	info *treeEntry
	*bytes.Reader
}

func (f *blobFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *blobFile) Close() error               { return nil }

// dirFile is an open directory of a tree.
type dirFile struct {
	info    *treeEntry
	entries []treeEntry
	offset  int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dirFile) Close() error               { return nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: errIsDirectory}
}

// ReadDir implements fs.ReadDirFile.
func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.offset:]
	if n > 0 && len(rest) == 0 {
		return nil, io.EOF
	}
	if n > 0 && n < len(rest) {
		rest = rest[:n]
	}
	d.offset += len(rest)
	out := make([]fs.DirEntry, len(rest))
	for i := range rest {
		out[i] = &rest[i]
	}
	return out, nil
}
