package githubtest

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/baseflow/baseflow/internal/fakeserver"
)

// File is a file of a fake repository.
type File struct {
	// Content is the file's content, the target of a symbolic link, or the commit SHA of a
	// submodule.
	Content string
	// Mode is the git mode: "100644" (the default), "100755", "120000" (a symbolic link) or
	// "160000" (a submodule).
	Mode string
}

// SetBranch sets the files of a branch (slash-separated paths), creating the repository when
// needed.
func (s *Server) SetBranch(owner, repo, branch string, files map[string]File) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := owner + "/" + repo
	r := s.repos[key]
	if r == nil {
		r = &repository{objects: make(map[string]object), branches: make(map[string]string)}
		s.repos[key] = r
	}
	r.branches[branch] = r.addTree(files)
}

// SetTruncated makes recursive tree listings answer "truncated": true with part of the
// entries, as GitHub does for very large trees.
func (s *Server) SetTruncated(truncated bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.truncated = truncated
}

func (s *Server) getRepo(w http.ResponseWriter, r *http.Request, owner, name string) {
	if r.URL.RawQuery != "" {
		s.base.Violate(w, r, http.StatusBadRequest, "unexpected query")
		return
	}
	s.mu.Lock()
	repo := s.repos[owner+"/"+name]
	s.mu.Unlock()
	if repo == nil {
		notFound(w)
		return
	}
	fakeserver.WriteJSON(w, http.StatusOK, map[string]any{
		"name": name, "full_name": owner + "/" + name, "private": false,
		"owner": map[string]string{"login": owner},
	})
}

func (s *Server) getTree(w http.ResponseWriter, r *http.Request, owner, name, ref string) {
	query := r.URL.Query()
	for k := range query {
		if k != "recursive" {
			s.base.Violate(w, r, http.StatusBadRequest, "unexpected query parameter %q", k)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.repos[owner+"/"+name]
	if repo == nil {
		notFound(w)
		return
	}
	sha, ok := repo.resolveTree(ref)
	if !ok {
		notFound(w)
		return
	}
	s.writeTree(w, repo, sha, query.Has("recursive"))
}

func (s *Server) getBlob(w http.ResponseWriter, r *http.Request, owner, name, sha string) {
	if r.URL.RawQuery != "" {
		s.base.Violate(w, r, http.StatusBadRequest, "unexpected query")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.repos[owner+"/"+name]
	if repo == nil {
		notFound(w)
		return
	}
	obj, ok := repo.objects[sha]
	if !ok || obj.typ != "blob" {
		notFound(w)
		return
	}
	fakeserver.WriteJSON(w, http.StatusOK, map[string]any{
		"sha": sha, "node_id": "B_" + sha, "size": len(obj.data),
		"url":      s.urlFor("/repos/%s/%s/git/blobs/%s", owner, name, sha),
		"content":  wrapBase64(obj.data),
		"encoding": "base64",
	})
}

// writeTree answers a trees request. Called with s.mu held.
func (s *Server) writeTree(w http.ResponseWriter, repo *repository, sha string, recursive bool) {
	type item struct {
		Path string `json:"path"`
		Mode string `json:"mode"`
		Type string `json:"type"`
		SHA  string `json:"sha"`
		Size *int   `json:"size,omitempty"`
	}
	var items []item
	var walk func(prefix, sha string)
	walk = func(prefix, sha string) {
		for _, e := range repo.objects[sha].entries {
			it := item{Path: prefix + e.name, Mode: e.mode, Type: e.typ, SHA: e.sha}
			if e.typ == "blob" {
				n := len(repo.objects[e.sha].data)
				it.Size = &n
			}
			items = append(items, it)
			if recursive && e.typ == "tree" {
				walk(prefix+e.name+"/", e.sha)
			}
		}
	}
	walk("", sha)
	truncated := recursive && s.truncated
	if truncated {
		items = items[:len(items)/2]
	}
	fakeserver.WriteJSON(w, http.StatusOK, map[string]any{"sha": sha, "tree": items, "truncated": truncated})
}

// wrapBase64 encodes data as GitHub's blobs API does: base64 in lines of 60 characters, each
// ending with a newline.
func wrapBase64(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 60 {
		b.WriteString(enc[:60])
		b.WriteByte('\n')
		enc = enc[60:]
	}
	b.WriteString(enc)
	b.WriteByte('\n')
	return b.String()
}

// repository holds git objects by SHA and branch heads (root tree SHAs).
type repository struct {
	objects  map[string]object
	branches map[string]string
}

type object struct {
	typ     string // blob or tree
	data    []byte
	entries []treeEntry // trees, in git order
}

type treeEntry struct {
	name, mode, typ, sha string
}

// resolveTree finds the tree a trees request names: "<branch>", "<branch>:<dir>" or a tree
// SHA. Directory paths do not follow symbolic links, as in git.
func (r *repository) resolveTree(ref string) (string, bool) {
	branch, dir, hasDir := strings.Cut(ref, ":")
	sha, ok := r.branches[branch]
	if !ok {
		if obj, isObj := r.objects[ref]; isObj && !hasDir && obj.typ == "tree" {
			return ref, true
		}
		return "", false
	}
	if !hasDir || dir == "" {
		return sha, true
	}
	for name := range strings.SplitSeq(strings.Trim(dir, "/"), "/") {
		found := false
		for _, e := range r.objects[sha].entries {
			if e.name == name && e.typ == "tree" {
				sha, found = e.sha, true
				break
			}
		}
		if !found {
			return "", false
		}
	}
	return sha, true
}

// addTree stores the objects of a set of files and returns the root tree's SHA.
func (r *repository) addTree(files map[string]File) string {
	type dir struct {
		files map[string]File
		dirs  map[string]*dir
	}
	newDir := func() *dir { return &dir{files: map[string]File{}, dirs: map[string]*dir{}} }
	root := newDir()
	for p, f := range files {
		parts := strings.Split(strings.Trim(p, "/"), "/")
		d := root
		for _, part := range parts[:len(parts)-1] {
			if d.dirs[part] == nil {
				d.dirs[part] = newDir()
			}
			d = d.dirs[part]
		}
		d.files[parts[len(parts)-1]] = f
	}
	var store func(d *dir) string
	store = func(d *dir) string {
		var entries []treeEntry
		for name, f := range d.files {
			mode := f.Mode
			if mode == "" {
				mode = "100644"
			}
			if mode == "160000" {
				entries = append(entries, treeEntry{name: name, mode: mode, typ: "commit", sha: f.Content})
				continue
			}
			entries = append(entries, treeEntry{name: name, mode: mode, typ: "blob", sha: r.store("blob", []byte(f.Content), nil)})
		}
		for name, sub := range d.dirs {
			entries = append(entries, treeEntry{name: name, mode: "040000", typ: "tree", sha: store(sub)})
		}
		// Git orders tree entries by name, a directory's name compared as if it ended in "/".
		key := func(e treeEntry) string {
			if e.typ == "tree" {
				return e.name + "/"
			}
			return e.name
		}
		sort.Slice(entries, func(i, j int) bool { return key(entries[i]) < key(entries[j]) })
		var body []byte
		for _, e := range entries {
			raw, _ := hex.DecodeString(e.sha)
			body = append(body, strings.TrimPrefix(e.mode, "0")+" "+e.name+"\x00"...)
			body = append(body, raw...)
		}
		return r.store("tree", body, entries)
	}
	return store(root)
}

// store adds a git object and returns its SHA.
func (r *repository) store(typ string, data []byte, entries []treeEntry) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", typ, len(data))
	h.Write(data)
	sha := hex.EncodeToString(h.Sum(nil))
	r.objects[sha] = object{typ: typ, data: data, entries: entries}
	return sha
}
