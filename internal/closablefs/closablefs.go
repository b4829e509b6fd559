// Package closablefs wraps a file system so that it fails with a chosen error once its owner
// is closed, keeping the optional interfaces (fs.StatFS, fs.ReadFileFS, fs.ReadDirFS,
// fs.ReadLinkFS) of the file system it wraps.
package closablefs

import "io/fs"

// FS is a file system that answers every call with a *fs.PathError wrapping Err once Closed
// reports true, and otherwise passes the call to Base.
type FS struct {
	Base fs.FS
	// Closed reports whether the owner of Base is closed; it must be safe for concurrent use.
	Closed func() bool
	// Err is the error returned after close, e.g. subscription.ErrSourceClosed.
	Err error
}

var (
	_ fs.StatFS     = FS{}
	_ fs.ReadFileFS = FS{}
	_ fs.ReadDirFS  = FS{}
	_ fs.ReadLinkFS = FS{}
)

func (f FS) check(op, name string) error {
	if f.Closed() {
		return &fs.PathError{Op: op, Path: name, Err: f.Err}
	}
	return nil
}

// Open implements fs.FS.
func (f FS) Open(name string) (fs.File, error) {
	if err := f.check("open", name); err != nil {
		return nil, err
	}
	return f.Base.Open(name)
}

// Stat implements fs.StatFS.
func (f FS) Stat(name string) (fs.FileInfo, error) {
	if err := f.check("stat", name); err != nil {
		return nil, err
	}
	return fs.Stat(f.Base, name)
}

// ReadFile implements fs.ReadFileFS.
func (f FS) ReadFile(name string) ([]byte, error) {
	if err := f.check("read", name); err != nil {
		return nil, err
	}
	return fs.ReadFile(f.Base, name)
}

// ReadDir implements fs.ReadDirFS.
func (f FS) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := f.check("readdir", name); err != nil {
		return nil, err
	}
	return fs.ReadDir(f.Base, name)
}

// ReadLink implements fs.ReadLinkFS.
func (f FS) ReadLink(name string) (string, error) {
	if err := f.check("readlink", name); err != nil {
		return "", err
	}
	return fs.ReadLink(f.Base, name)
}

// Lstat implements fs.ReadLinkFS.
func (f FS) Lstat(name string) (fs.FileInfo, error) {
	if err := f.check("lstat", name); err != nil {
		return nil, err
	}
	return fs.Lstat(f.Base, name)
}
