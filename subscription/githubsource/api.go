package githubsource

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"strings"

	"github.com/baseflow/baseflow/internal/githubrest"
)

// treeResponse is the answer of GET /repos/{owner}/{repo}/git/trees/{tree_sha}.
type treeResponse struct {
	SHA       string `json:"sha"`
	Tree      []treeItem
	Truncated bool `json:"truncated"`
}

// treeItem is one entry of a tree answer. Path is the name in a plain listing and the path
// relative to the listed tree in a recursive one.
type treeItem struct {
	Path string `json:"path"`
	Mode string `json:"mode"`
	Type string `json:"type"` // blob, tree or commit (a submodule)
	SHA  string `json:"sha"`
	Size *int64 `json:"size"` // blobs only
}

// blobResponse is the answer of GET /repos/{owner}/{repo}/git/blobs/{file_sha}.
type blobResponse struct {
	SHA      string `json:"sha"`
	Size     *int64 `json:"size"`
	Content  string `json:"content"`
	Encoding string `json:"encoding"`
}

// entry is a file, directory, symbolic link or submodule of a repository tree.
type entry struct {
	name string // base name
	mode string // git mode: 100644, 100755, 040000, 120000 or 160000
	typ  string
	sha  string
	size int64 // -1 when not known
}

// rootEntry stands for the repository's top directory.
var rootEntry = entry{name: ".", mode: "040000", typ: "tree", size: -1}

func (e entry) isDir() bool     { return e.typ == "tree" || e.typ == "commit" }
func (e entry) isSymlink() bool { return e.typ == "blob" && e.mode == "120000" }
func (e entry) isRegular() bool { return e.typ == "blob" && !e.isSymlink() }

func newEntry(name string, it treeItem) entry {
	e := entry{name: name, mode: it.Mode, typ: it.Type, sha: it.SHA, size: -1}
	if it.Size != nil {
		e.size = *it.Size
	}
	return e
}

// repoRef names a repository at a branch.
type repoRef struct {
	owner, repo, branch string
}

func (r repoRef) apiPath() string { return githubrest.RepoPath(r.owner, r.repo) }

// treePath is the API path of the trees request for dir ("." for the top directory) at the
// branch: "<branch>:<dir>" escaped as one path segment, or "<branch>" for the top.
func (r repoRef) treePath(dir string) string {
	ref := r.branch
	if dir != "." {
		ref += ":" + dir
	}
	return r.apiPath() + "/git/trees/" + url.PathEscape(ref)
}

// fetchTree gets one tree by its API path.
func (s *Source) fetchTree(ctx context.Context, apiPath string) (*treeResponse, error) {
	var t treeResponse
	if err := s.get(ctx, apiPath, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// fetchBlob gets a blob and decodes its content.
func (s *Source) fetchBlob(ctx context.Context, ref repoRef, sha string) ([]byte, error) {
	var b blobResponse
	if err := s.get(ctx, ref.apiPath()+"/git/blobs/"+url.PathEscape(sha), &b); err != nil {
		return nil, err
	}
	var data []byte
	switch strings.ToLower(b.Encoding) {
	case "base64":
		// GitHub wraps the base64 text in lines; the decoder skips line breaks.
		var err error
		if data, err = base64.StdEncoding.DecodeString(b.Content); err != nil {
			return nil, fmt.Errorf("blob %s: %w", sha, err)
		}
	case "utf-8", "utf8", "":
		data = []byte(b.Content)
	default:
		return nil, fmt.Errorf("blob %s: unknown encoding %q", sha, b.Encoding)
	}
	if b.Size != nil && int64(len(data)) != *b.Size {
		return nil, fmt.Errorf("blob %s: %d bytes decoded, size is %d", sha, len(data), *b.Size)
	}
	return data, nil
}

// whyNotFound tells a missing repository from a missing branch after a 404 on the branch's top
// tree, with one more request.
func (s *Source) whyNotFound(ctx context.Context, ref repoRef, cause error) error {
	err := s.get(ctx, ref.apiPath(), nil)
	switch {
	case err == nil:
		return fmt.Errorf("%w: %w", ErrBranchNotFound, cause)
	case isNotFound(err):
		return fmt.Errorf("%w: %w", ErrRepositoryNotFound, cause)
	default:
		return cause
	}
}

func isNotFound(err error) bool {
	httpErr, ok := errors.AsType[*HTTPError](err)
	return ok && httpErr.StatusCode == 404
}

// dirOf splits a cleaned path into its directory ("." for the top) and base name.
func dirOf(name string) (dir, base string) {
	dir, base = path.Split(name)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		dir = "."
	}
	return dir, base
}

// findEntry returns the entry named name; with fold, when no name matches exactly, the first
// whose name matches ignoring case (as ImageBuilder picks the image-info file).
func findEntry(entries []entry, name string, fold bool) (entry, bool) {
	for _, e := range entries {
		if e.name == name {
			return e, true
		}
	}
	if fold {
		for _, e := range entries {
			if strings.EqualFold(e.name, name) {
				return e, true
			}
		}
	}
	return entry{}, false
}

// fileMode is the fs.FileMode an entry is shown with.
func (e entry) fileMode() fs.FileMode {
	switch {
	case e.isDir():
		return fs.ModeDir | 0o755
	case e.isSymlink():
		return fs.ModeSymlink | 0o777
	case e.mode == "100755":
		return 0o755
	default:
		return 0o644
	}
}
