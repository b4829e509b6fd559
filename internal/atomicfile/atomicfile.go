// Package atomicfile writes files so that a reader sees either the old content or the new
// content, never a partial file: the data goes to a temporary file in the same directory, is
// synced to disk, and is renamed over the destination.
//
// A destination that is a symbolic link is written through: the file the link leads to
// (following every link in turn) is replaced, and the link stays a link, as a plain
// os.WriteFile would do.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFile writes data to path (through a symbolic link, see the package doc) atomically with
// permissions perm (0o644 when zero). When the file already exists its permissions are kept.
// On any error the destination is untouched and the temporary file is removed.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Write calls fill with a writer on a temporary file next to path, then syncs it and renames it
// over path. If fill returns an error, path is untouched.
func Write(path string, perm os.FileMode, fill func(io.Writer) error) (err error) {
	if perm == 0 {
		perm = 0o644
	}
	name := path // as the caller knows it, for errors
	if path, err = followLinks(path); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if st, statErr := os.Stat(path); statErr == nil {
		if !st.Mode().IsRegular() {
			return fmt.Errorf("write %s: not a regular file", name)
		}
		perm = st.Mode().Perm()
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = fill(tmp); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err = tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	// Sync the directory so the rename itself survives a crash; not every filesystem
	// supports it, so a failure here is not an error for the caller.
	if d, dErr := os.Open(dir); dErr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// maxLinks bounds how many symbolic links followLinks follows, as the kernel's ELOOP does.
const maxLinks = 40

// followLinks returns the file path leads to when it is a symbolic link (or a chain of them),
// and path itself otherwise. The last link may dangle: its target is the file to create.
func followLinks(path string) (string, error) {
	for range maxLinks {
		st, err := os.Lstat(path)
		if err != nil || st.Mode()&os.ModeSymlink == 0 {
			return path, nil
		}
		target, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return "", fmt.Errorf("more than %d symbolic links", maxLinks)
}
