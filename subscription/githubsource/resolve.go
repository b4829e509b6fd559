package githubsource

import (
	"io/fs"
	"path"
	"strings"
)

// maxSymlinkHops bounds the symbolic links followed for one path, as operating systems do.
const maxSymlinkHops = 40

// resolver walks paths in a repository tree, following symbolic links inside it only.
type resolver struct {
	// lookup lists a directory by its resolved path ("." for the top).
	lookup func(dir string) ([]entry, error)
	// readLink returns a symbolic link's target.
	readLink func(e entry) (string, error)
}

// resolve returns the entry at name (a valid fs path) and its path with symbolic links
// resolved. Links in directory components are always followed, a link in the last component
// only when followLast. With foldLast, the last component matches a name differing in case
// when none matches exactly. A link that leads outside the repository, too many links, and a
// missing entry give an *fs.PathError with op; errors of lookup and readLink are returned as
// they are.
func (r resolver) resolve(op, name string, followLast, foldLast bool) (entry, string, error) {
	fail := func(err error) (entry, string, error) {
		return entry{}, "", &fs.PathError{Op: op, Path: name, Err: err}
	}
	parts := splitPath(name)
	cur, e := ".", rootEntry
	hops := 0
	for len(parts) > 0 {
		part := parts[0]
		parts = parts[1:]
		last := len(parts) == 0
		entries, err := r.lookup(cur)
		if err != nil {
			return entry{}, "", err
		}
		next, ok := findEntry(entries, part, foldLast && last)
		if !ok {
			return fail(fs.ErrNotExist)
		}
		if next.isSymlink() && (!last || followLast) {
			if hops++; hops > maxSymlinkHops {
				return fail(errTooManySymlinks)
			}
			target, err := r.readLink(next)
			if err != nil {
				return entry{}, "", err
			}
			if path.IsAbs(target) {
				return fail(errSymlinkEscapes)
			}
			resolved := path.Join(cur, target)
			if resolved == ".." || strings.HasPrefix(resolved, "../") {
				return fail(errSymlinkEscapes)
			}
			// Start again from the top with the target in front of what is left.
			parts = append(splitPath(resolved), parts...)
			cur, e = ".", rootEntry
			continue
		}
		if !last && !next.isDir() {
			return fail(fs.ErrNotExist)
		}
		cur, e = path.Join(cur, next.name), next
	}
	return e, cur, nil
}

// splitPath splits a clean slash-separated path into its elements; "." has none.
func splitPath(p string) []string {
	if p == "." || p == "" {
		return nil
	}
	return strings.Split(p, "/")
}
