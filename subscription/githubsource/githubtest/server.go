// Package githubtest is an in-process fake of the part of the GitHub REST API that
// githubsource uses: repositories, git trees (by branch, "<branch>:<directory>", or SHA, with
// recursive listings) and git blobs (base64 content wrapped in 60-character lines, as GitHub
// sends it). Object SHAs are real git object names.
//
// The server checks what a client sends: GET only, the documented Accept and
// X-GitHub-Api-Version headers, the expected Authorization (or none), and escaped refs. A request
// that does not follow the API is answered 400/401/404 and recorded in Errors, so a test can
// assert there were none.
package githubtest

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
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

// Server is a fake GitHub API. Create it with NewServer and Close it after use.
type Server struct {
	// URL is the API base URL to give the client (the server's URL plus the path prefix).
	URL string

	srv    *httptest.Server
	prefix string
	token  string

	mu        sync.Mutex             // guards repos, failures, truncated
	repos     map[string]*repository // by "owner/repo"
	failures  []failure
	truncated bool

	logMu    sync.Mutex // guards requests, errors
	requests []string
	errors   []string
}

// Option configures a Server.
type Option func(*Server)

// WithPathPrefix serves the API under a path prefix, as GitHub Enterprise Server does under
// "/api/v3".
func WithPathPrefix(prefix string) Option {
	return func(s *Server) { s.prefix = strings.TrimSuffix(prefix, "/") }
}

// WithToken makes the server require "Authorization: Bearer <token>". Without it, the server
// requires requests to carry no Authorization header.
func WithToken(token string) Option {
	return func(s *Server) { s.token = token }
}

// NewServer starts a server on the loopback interface.
func NewServer(opts ...Option) *Server {
	s := &Server{repos: make(map[string]*repository)}
	for _, opt := range opts {
		opt(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + s.prefix
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

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

// FailNext makes the next n requests answer status, with header, whatever they ask for.
func (s *Server) FailNext(n, status int, header http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures = append(s.failures, failure{status: status, header: header})
	}
}

// SetTruncated makes recursive tree listings answer "truncated": true with part of the
// entries, as GitHub does for very large trees.
func (s *Server) SetTruncated(truncated bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.truncated = truncated
}

// Requests returns the requests received, as "GET <escaped path>[?query]" without the prefix.
func (s *Server) Requests() []string {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return slices.Clone(s.requests)
}

// ResetRequests forgets the requests received so far.
func (s *Server) ResetRequests() {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.requests = nil
}

// Errors returns a description of every request that did not follow the API.
func (s *Server) Errors() []string {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return slices.Clone(s.errors)
}

type failure struct {
	status int
	header http.Header
}

// reject answers a request that does not follow the API and records it.
func (s *Server) reject(w http.ResponseWriter, r *http.Request, status int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.logMu.Lock()
	s.errors = append(s.errors, r.Method+" "+r.URL.RequestURI()+": "+msg)
	s.logMu.Unlock()
	writeJSON(w, status, map[string]string{"message": msg})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	escaped, ok := strings.CutPrefix(r.URL.EscapedPath(), s.prefix+"/")
	if !ok {
		s.reject(w, r, http.StatusNotFound, "path outside the API prefix %q", s.prefix)
		return
	}
	req := r.Method + " /" + escaped
	if r.URL.RawQuery != "" {
		req += "?" + r.URL.RawQuery
	}
	s.logMu.Lock()
	s.requests = append(s.requests, req)
	s.logMu.Unlock()

	if r.Method != http.MethodGet {
		s.reject(w, r, http.StatusMethodNotAllowed, "method %s", r.Method)
		return
	}
	if got := r.Header.Get("Accept"); got != "application/vnd.github+json" {
		s.reject(w, r, http.StatusBadRequest, "Accept %q", got)
		return
	}
	if got := r.Header.Get("X-GitHub-Api-Version"); got != "2022-11-28" {
		s.reject(w, r, http.StatusBadRequest, "X-GitHub-Api-Version %q", got)
		return
	}
	auth, hasAuth := r.Header["Authorization"]
	switch {
	case s.token == "" && hasAuth:
		s.reject(w, r, http.StatusUnauthorized, "unexpected Authorization header")
		return
	case s.token != "" && (len(auth) != 1 || auth[0] != "Bearer "+s.token):
		s.reject(w, r, http.StatusUnauthorized, "Bad credentials")
		return
	}

	s.mu.Lock()
	var fail *failure
	if len(s.failures) > 0 {
		fail = &s.failures[0]
		s.failures = s.failures[1:]
	}
	s.mu.Unlock()
	if fail != nil {
		for k, v := range fail.header {
			w.Header()[k] = v
		}
		writeJSON(w, fail.status, map[string]string{"message": http.StatusText(fail.status)})
		return
	}

	var segs []string
	for seg := range strings.SplitSeq(escaped, "/") {
		u, err := url.PathUnescape(seg)
		if err != nil {
			s.reject(w, r, http.StatusBadRequest, "bad escape in %q", seg)
			return
		}
		segs = append(segs, u)
	}
	query := r.URL.Query()
	if len(segs) < 3 || segs[0] != "repos" {
		s.reject(w, r, http.StatusNotFound, "unknown endpoint")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.repos[segs[1]+"/"+segs[2]]
	switch {
	case len(segs) == 3:
		if len(query) != 0 {
			s.reject(w, r, http.StatusBadRequest, "unexpected query")
			return
		}
		if repo == nil {
			notFound(w)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"name": segs[2], "full_name": segs[1] + "/" + segs[2], "private": false,
			"owner": map[string]string{"login": segs[1]},
		})
	case len(segs) == 6 && segs[3] == "git" && segs[4] == "trees":
		for k := range query {
			if k != "recursive" {
				s.reject(w, r, http.StatusBadRequest, "unexpected query parameter %q", k)
				return
			}
		}
		if repo == nil {
			notFound(w)
			return
		}
		sha, ok := repo.resolveTree(segs[5])
		if !ok {
			notFound(w)
			return
		}
		s.writeTree(w, repo, sha, query.Has("recursive"))
	case len(segs) == 6 && segs[3] == "git" && segs[4] == "blobs":
		if len(query) != 0 {
			s.reject(w, r, http.StatusBadRequest, "unexpected query")
			return
		}
		if repo == nil {
			notFound(w)
			return
		}
		obj, ok := repo.objects[segs[5]]
		if !ok || obj.typ != "blob" {
			notFound(w)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"sha": segs[5], "node_id": "B_" + segs[5], "size": len(obj.data),
			"url":      s.URL + "/repos/" + segs[1] + "/" + segs[2] + "/git/blobs/" + segs[5],
			"content":  wrapBase64(obj.data),
			"encoding": "base64",
		})
	default:
		s.reject(w, r, http.StatusNotFound, "unknown endpoint")
	}
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
	writeJSON(w, http.StatusOK, map[string]any{"sha": sha, "tree": items, "truncated": truncated})
}

func notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]string{
		"message":           "Not Found",
		"documentation_url": "https://docs.github.com/rest",
		"status":            "404",
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
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
