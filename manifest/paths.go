package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// ErrPathEscapes reports a path that would leave the manifest's directory.
var ErrPathEscapes = errors.New("path leaves the manifest directory")

func dirOf(name string) string { return path.Dir(name) }

// resolveRelative joins a manifest-relative path to dir. Absolute paths, drive letters and ".."
// segments are refused: manifest paths name files at or below the manifest.
func resolveRelative(dir, p string) (string, error) {
	p = strings.ReplaceAll(p, `\`, "/")
	if p == "" {
		return "", errors.New("empty path")
	}
	if strings.HasPrefix(p, "/") || (len(p) >= 2 && p[1] == ':') {
		return "", fmt.Errorf("%q is absolute: %w", p, ErrPathEscapes)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return "", fmt.Errorf("%q has a '..' segment: %w", p, ErrPathEscapes)
		}
	}
	return path.Join(dir, p), nil
}

// resolveDockerfile finds the Dockerfile a platform names (ImageBuilder 3.4): the file itself
// when it is one, else "<dir>/Dockerfile". It returns the path relative to the manifest
// directory (as image-info records it) and the path in fsys.
func resolveDockerfile(fsys fs.FS, links *linkResolver, dir, dockerfile string) (rel, file string, err error) {
	joined, err := resolveRelative(dir, dockerfile)
	if err != nil {
		return "", "", err
	}
	file, info, err := links.stat(fsys, joined)
	switch {
	case err == nil && info.Mode().IsRegular():
	case err == nil && info.IsDir(), errors.Is(err, fs.ErrNotExist):
		joined = path.Join(joined, "Dockerfile")
		file, info, err = links.stat(fsys, joined)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return "", "", fmt.Errorf("no such file or directory with a Dockerfile: %w", fs.ErrNotExist)
			}
			return "", "", err
		}
		if !info.Mode().IsRegular() {
			return "", "", fmt.Errorf("%s is not a regular file", joined)
		}
	case err != nil:
		return "", "", err
	default:
		return "", "", fmt.Errorf("%s is not a regular file or a directory", joined)
	}
	return relativeTo(dir, joined), file, nil
}

func relativeTo(dir, p string) string {
	if dir == "." {
		return p
	}
	return strings.TrimPrefix(p, dir+"/")
}

// linkResolver resolves symlinks along paths in fsys when fsys can read links, refusing a link
// whose target leaves root. Without fs.ReadLinkFS paths are returned as they are: such
// filesystems either have no links or resolve them themselves (os.Root refuses escaping links
// on open). Directories already known to be real are remembered, so the platforms of a
// manifest, which share most of their path, cost about one Lstat per directory.
type linkResolver struct {
	fsys fs.ReadLinkFS
	root string
	real map[string]bool // paths known to exist and not to be links
}

func newLinkResolver(fsys fs.FS, root string) *linkResolver {
	rl, _ := fsys.(fs.ReadLinkFS)
	return &linkResolver{fsys: rl, root: root, real: map[string]bool{}}
}

// stat resolves p and returns the resolved path with its file info, as fs.Stat would.
func (r *linkResolver) stat(fsys fs.FS, p string) (string, fs.FileInfo, error) {
	resolved, info, err := r.resolve(p)
	if err != nil {
		return "", nil, err
	}
	if info == nil {
		info, err = fs.Stat(fsys, resolved)
	}
	return resolved, info, err
}

// resolve returns p with its links followed and, when it was read on the way, the Lstat
// information of the final path (which is then not a link).
func (r *linkResolver) resolve(p string) (string, fs.FileInfo, error) {
	if r.fsys == nil {
		return p, nil, nil
	}
	rest := strings.Split(relativeTo(r.root, p), "/")
	cur := r.root
	var info fs.FileInfo
	for hops := 0; len(rest) > 0; {
		next := path.Join(cur, rest[0])
		rest = rest[1:]
		if len(rest) > 0 && r.real[next] {
			cur = next
			continue
		}
		var err error
		info, err = r.fsys.Lstat(next)
		if err != nil {
			// A missing component is reported by the caller's Stat.
			return path.Join(append([]string{next}, rest...)...), nil, nil
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			if info.IsDir() {
				r.real[next] = true
			}
			cur = next
			continue
		}
		info = nil
		if hops++; hops > 40 {
			return "", nil, fmt.Errorf("%s: too many levels of symbolic links", next)
		}
		target, err := r.fsys.ReadLink(next)
		if err != nil {
			return "", nil, err
		}
		target = strings.ReplaceAll(target, `\`, "/")
		if strings.HasPrefix(target, "/") {
			return "", nil, fmt.Errorf("%s is a symbolic link to an absolute path: %w", relativeTo(r.root, next), ErrPathEscapes)
		}
		resolved := path.Join(path.Dir(next), target)
		if !within(r.root, resolved) {
			return "", nil, fmt.Errorf("%s is a symbolic link to %s: %w", relativeTo(r.root, next), target, ErrPathEscapes)
		}
		rest = append(strings.Split(relativeTo(r.root, resolved), "/"), rest...)
		cur = r.root
	}
	return cur, info, nil
}

func within(root, p string) bool {
	if root == "." {
		return p != ".." && !strings.HasPrefix(p, "../")
	}
	return p == root || strings.HasPrefix(p, root+"/")
}
