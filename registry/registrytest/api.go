package registrytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/baseflow/baseflow/registry"
)

// maxManifestBytes bounds manifest uploads, as distribution does (4 MiB).
const maxManifestBytes = 4 << 20

// repository is one repository's content.
type repository struct {
	manifests map[digest.Digest]stored
	tags      map[string]digest.Digest
	blobs     map[digest.Digest][]byte
}

// stored is a manifest as pushed.
type stored struct {
	mediaType string
	body      []byte
}

type upload struct {
	repo string
	data bytes.Buffer
}

// repo returns the repository named name, creating it when create is set. Callers hold s.mu.
func (s *Server) repo(name string, create bool) *repository {
	r := s.repos[name]
	if r == nil && create {
		r = &repository{
			manifests: make(map[digest.Digest]stored),
			tags:      make(map[string]digest.Digest),
			blobs:     make(map[digest.Digest][]byte),
		}
		s.repos[name] = r
	}
	return r
}

// route is a parsed API path.
type route struct {
	kind string // "base", "manifests", "blobs", "uploads", "tags"
	name string // repository name
	ref  string // tag, digest or upload id
}

func parseRoute(path string) (route, bool) {
	if path == "/v2/" || path == "/v2" {
		return route{kind: "base"}, true
	}
	rest, ok := strings.CutPrefix(path, "/v2/")
	if !ok {
		return route{}, false
	}
	if name, ok := strings.CutSuffix(rest, "/tags/list"); ok && name != "" {
		return route{kind: "tags", name: name}, true
	}
	for _, sep := range []string{"/manifests/", "/blobs/uploads", "/blobs/"} {
		if i := strings.LastIndex(rest, sep); i > 0 {
			rt := route{name: rest[:i], ref: strings.TrimPrefix(rest[i+len(sep):], "/")}
			switch sep {
			case "/manifests/":
				rt.kind = "manifests"
			case "/blobs/uploads":
				rt.kind = "uploads"
			default:
				rt.kind = "blobs"
			}
			if rt.kind != "uploads" && rt.ref == "" {
				return route{}, false
			}
			return rt, true
		}
	}
	return route{}, false
}

// serveAPI serves the distribution API.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
	rt, ok := parseRoute(r.URL.Path)
	if !ok {
		apiError(w, http.StatusNotFound, "NAME_UNKNOWN", "repository name not known to registry")
		return
	}
	if s.quirks(w, r, rt) {
		return
	}
	switch rt.kind {
	case "base":
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "{}")
	case "manifests":
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			s.getManifest(w, r, rt)
		case http.MethodPut:
			s.putManifest(w, r, rt)
		case http.MethodDelete:
			s.deleteManifest(w, rt)
		default:
			apiError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "method not allowed")
		}
	case "blobs":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			apiError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "method not allowed")
			return
		}
		s.getBlob(w, r, rt)
	case "uploads":
		s.serveUpload(w, r, rt)
	case "tags":
		s.listTags(w, rt)
	}
}

func (s *Server) getManifest(w http.ResponseWriter, r *http.Request, rt route) {
	s.mu.Lock()
	repo := s.repo(rt.name, false)
	if repo == nil {
		s.mu.Unlock()
		apiError(w, http.StatusNotFound, "NAME_UNKNOWN", "repository name not known to registry")
		return
	}
	d, byTag := repo.tags[rt.ref], true
	if strings.Contains(rt.ref, ":") {
		d, byTag = digest.Digest(rt.ref), false
	}
	m, ok := repo.manifests[d]
	if !ok {
		s.mu.Unlock()
		apiError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
		return
	}
	served, sd, msg := negotiate(repo, m, d, byTag, acceptSet(r.Header.Values("Accept")))
	s.mu.Unlock()
	if msg != "" {
		apiError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", msg)
		return
	}
	h := w.Header()
	h.Set("Content-Type", served.mediaType)
	h.Set("Content-Length", strconv.Itoa(len(served.body)))
	h.Set("Docker-Content-Digest", sd.String())
	h.Set("Etag", `"`+sd.String()+`"`)
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(served.body)
	}
}

func (s *Server) putManifest(w http.ResponseWriter, r *http.Request, rt route) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxManifestBytes+1))
	if err != nil || len(body) > maxManifestBytes {
		apiError(w, http.StatusBadRequest, "MANIFEST_INVALID", "manifest unreadable or too large")
		return
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	s.mu.Lock()
	defer s.mu.Unlock()
	d, code, msg := s.storeManifest(rt.name, rt.ref, mt, body)
	if code != "" {
		apiError(w, http.StatusBadRequest, code, msg)
		return
	}
	w.Header().Set("Location", "/v2/"+rt.name+"/manifests/"+d.String())
	w.Header().Set("Docker-Content-Digest", d.String())
	w.WriteHeader(http.StatusCreated)
}

// storeManifest validates and stores a manifest, tagging it when ref is a tag, and returns
// its digest, or an error code and message. Callers hold s.mu.
func (s *Server) storeManifest(name, ref, mediaType string, body []byte) (digest.Digest, string, string) {
	var probe struct {
		MediaType string               `json:"mediaType"`
		Config    ocispec.Descriptor   `json:"config"`
		Layers    []ocispec.Descriptor `json:"layers"`
		Manifests []ocispec.Descriptor `json:"manifests"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return "", "MANIFEST_INVALID", "manifest is not JSON: " + err.Error()
	}
	if mediaType == "" {
		mediaType = probe.MediaType
	}
	if !slices.Contains(registry.ManifestMediaTypes(), mediaType) {
		return "", "MANIFEST_INVALID", fmt.Sprintf("unsupported manifest media type %q", mediaType)
	}
	d := digest.FromBytes(body)
	if strings.Contains(ref, ":") && digest.Digest(ref) != d {
		return "", "DIGEST_INVALID", "provided digest did not match uploaded content"
	}
	repo := s.repo(name, true)
	if registry.IsIndex(mediaType) {
		for _, c := range probe.Manifests {
			if _, ok := repo.manifests[c.Digest]; !ok {
				return "", "MANIFEST_BLOB_UNKNOWN", "manifest " + c.Digest.String() + " unknown to registry"
			}
		}
	} else {
		for _, b := range append([]ocispec.Descriptor{probe.Config}, probe.Layers...) {
			if _, ok := repo.blobs[b.Digest]; !ok {
				return "", "MANIFEST_BLOB_UNKNOWN", "blob " + b.Digest.String() + " unknown to registry"
			}
		}
	}
	repo.manifests[d] = stored{mediaType: mediaType, body: bytes.Clone(body)}
	if ref != "" && !strings.Contains(ref, ":") {
		repo.tags[ref] = d
	}
	return d, "", ""
}

func (s *Server) deleteManifest(w http.ResponseWriter, rt route) {
	d, err := digest.Parse(rt.ref)
	if err != nil {
		apiError(w, http.StatusBadRequest, "DIGEST_INVALID", "delete by digest only")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.repo(rt.name, false)
	if repo == nil {
		apiError(w, http.StatusNotFound, "NAME_UNKNOWN", "repository name not known to registry")
		return
	}
	if _, ok := repo.manifests[d]; !ok {
		apiError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
		return
	}
	delete(repo.manifests, d)
	for t, td := range repo.tags {
		if td == d {
			delete(repo.tags, t)
		}
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) getBlob(w http.ResponseWriter, r *http.Request, rt route) {
	s.mu.Lock()
	var blob []byte
	ok := false
	if repo := s.repo(rt.name, false); repo != nil {
		blob, ok = repo.blobs[digest.Digest(rt.ref)]
	}
	s.mu.Unlock()
	if !ok {
		apiError(w, http.StatusNotFound, "BLOB_UNKNOWN", "blob unknown to registry")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.Itoa(len(blob)))
	h.Set("Docker-Content-Digest", rt.ref)
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(blob)
	}
}

// serveUpload implements blob uploads: POST starts one (or, with ?digest=, uploads the whole
// blob at once), PATCH appends, PUT appends and completes, DELETE cancels.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request, rt route) {
	switch {
	case r.Method == http.MethodPost && rt.ref == "":
		if dg := r.URL.Query().Get("digest"); dg != "" {
			body, _ := io.ReadAll(r.Body)
			s.mu.Lock()
			defer s.mu.Unlock()
			s.completeUpload(w, rt.name, dg, body)
			return
		}
		s.mu.Lock()
		id := s.newID()
		s.uploads[id] = &upload{repo: rt.name}
		s.repo(rt.name, true)
		s.mu.Unlock()
		uploadAccepted(w, rt.name, id, 0)
	case r.Method == http.MethodPatch, r.Method == http.MethodPut:
		body, err := io.ReadAll(r.Body)
		if err != nil {
			apiError(w, http.StatusBadRequest, "BLOB_UPLOAD_INVALID", "unreadable body")
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		u, ok := s.uploads[rt.ref]
		if !ok || u.repo != rt.name {
			apiError(w, http.StatusNotFound, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry")
			return
		}
		u.data.Write(body)
		if r.Method == http.MethodPatch {
			uploadAccepted(w, rt.name, rt.ref, u.data.Len())
			return
		}
		delete(s.uploads, rt.ref)
		s.completeUpload(w, rt.name, r.URL.Query().Get("digest"), u.data.Bytes())
	case r.Method == http.MethodDelete:
		s.mu.Lock()
		delete(s.uploads, rt.ref)
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		apiError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "method not allowed")
	}
}

// completeUpload stores blob under name if it matches dg. Callers hold s.mu.
func (s *Server) completeUpload(w http.ResponseWriter, name, dg string, blob []byte) {
	d, err := digest.Parse(dg)
	if err != nil || d.Algorithm().FromBytes(blob) != d {
		apiError(w, http.StatusBadRequest, "DIGEST_INVALID", "provided digest did not match uploaded content")
		return
	}
	s.repo(name, true).blobs[d] = bytes.Clone(blob)
	w.Header().Set("Location", "/v2/"+name+"/blobs/"+d.String())
	w.Header().Set("Docker-Content-Digest", d.String())
	w.WriteHeader(http.StatusCreated)
}

func uploadAccepted(w http.ResponseWriter, name, id string, size int) {
	h := w.Header()
	h.Set("Location", "/v2/"+name+"/blobs/uploads/"+id)
	h.Set("Docker-Upload-UUID", id)
	h.Set("Range", fmt.Sprintf("0-%d", max(size-1, 0)))
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) listTags(w http.ResponseWriter, rt route) {
	s.mu.Lock()
	repo := s.repo(rt.name, false)
	var tags []string
	if repo != nil {
		for t := range repo.tags {
			tags = append(tags, t)
		}
	}
	s.mu.Unlock()
	if repo == nil {
		apiError(w, http.StatusNotFound, "NAME_UNKNOWN", "repository name not known to registry")
		return
	}
	slices.Sort(tags)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"name": rt.name, "tags": tags})
}

// apiError writes a distribution error response.
func apiError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]string{{"code": code, "message": message}},
	})
}
