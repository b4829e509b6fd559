// Package azdotest runs an in-process fake of the part of the Azure DevOps Build REST API 7.1
// that dispatch/azdo uses, and checks every request against the documented contract.
//
// A request with a wrong method, path, query parameter, api-version, Accept or Content-Type
// header, or body shape is answered with 400 or 404 and recorded as a violation, which fails
// the test at cleanup. A wrong token is answered 401, as the service does. Builds queued
// through the fake become "notStarted" builds of their definition, so the guards see them.
package azdotest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baseflow/baseflow/internal/fakeserver"
)

// Request is one request the fake received.
type Request = fakeserver.Request

// Build is a build of a definition, as the fake serves it.
type Build struct {
	ID        int64
	Status    string // notStarted, inProgress, completed, ...
	Result    string // succeeded, failed, canceled, ... (completed builds)
	QueueTime time.Time
}

// QueuedBuild is a build queued through the fake.
type QueuedBuild struct {
	DefinitionID int
	SourceBranch string
	Parameters   string            // the "parameters" string, as received
	Variables    map[string]string // Parameters, decoded
	Tags         []string
}

// Server is the fake. Its URL is the base URL to give the client (azdo.WithBaseURL).
type Server struct {
	URL                 string
	Org, Project, Token string

	srv    *httptest.Server
	base   fakeserver.Base
	mu     sync.Mutex
	builds map[int][]Build // definition id → builds
	queued []*QueuedBuild
	byID   map[int64]*QueuedBuild
	nextID int64
	now    time.Time
}

// NewServer starts a fake serving org and project that accepts token; it is closed, and its
// contract violations reported, when t ends. With a nil t, call Close and check Violations
// yourself.
func NewServer(t testing.TB, org, project, token string) *Server {
	s := &Server{
		Org: org, Project: project, Token: token,
		builds: map[int][]Build{},
		byID:   map[int64]*QueuedBuild{},
		nextID: 5000,
		now:    time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	if t != nil {
		t.Cleanup(s.srv.Close)
		s.base.Init(t)
	}
	return s
}

// Close shuts the fake down.
func (s *Server) Close() { s.srv.Close() }

// Definition declares a build definition with its builds (any order). An undeclared
// definition has no builds, and queueing it gets 404.
func (s *Server) Definition(id int, builds ...Build) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.builds[id] = slices.Clone(builds)
}

// Queued returns the builds queued through the fake, in order.
func (s *Server) Queued() []QueuedBuild {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]QueuedBuild, len(s.queued))
	for i, q := range s.queued {
		out[i] = *q
		out[i].Tags = slices.Clone(q.Tags)
	}
	return out
}

// FailNext makes the next times requests with method fail with status (times < 0: all).
func (s *Server) FailNext(method string, status, times int) {
	s.base.FailNext(method, status, times, nil)
}

// Requests returns every request received, in order.
func (s *Server) Requests() []Request { return s.base.Requests() }

// Violations returns the contract violations seen so far.
func (s *Server) Violations() []string { return s.base.Violations() }

// WebURL is the link the fake gives build id.
func (s *Server) WebURL(id int64) string {
	return fmt.Sprintf("%s/%s/%s/_build/results?buildId=%d", s.URL, s.Org, s.Project, id)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if !s.base.Begin(w, r) {
		return
	}
	if want := "Basic " + base64.StdEncoding.EncodeToString([]byte(":"+s.Token)); r.Header.Get("Authorization") != want {
		fakeserver.WriteJSON(w, http.StatusUnauthorized, map[string]string{"message": "TF400813: The user is not authorized to access this resource."})
		return
	}
	if got := r.Header.Get("Accept"); got != "application/json" {
		s.base.Violate(w, r, http.StatusBadRequest, "Accept %q, want application/json", got)
		return
	}
	q := r.URL.Query()
	if v := q["api-version"]; len(v) != 1 || v[0] != "7.1" {
		s.base.Violate(w, r, http.StatusBadRequest, "api-version %q, want 7.1", v)
		return
	}
	prefix := "/" + s.Org + "/" + s.Project + "/_apis/build/builds"
	rest, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok {
		s.base.Violate(w, r, http.StatusNotFound, "no such route")
		return
	}
	switch {
	case rest == "" && r.Method == http.MethodGet:
		s.list(w, r)
	case rest == "" && r.Method == http.MethodPost:
		s.queue(w, r)
	case strings.HasPrefix(rest, "/") && r.Method == http.MethodPut:
		s.tag(w, r, rest)
	default:
		s.base.Violate(w, r, http.StatusNotFound, "no such route")
	}
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		if !slices.Contains([]string{"api-version", "definitions", "statusFilter", "$top", "queryOrder"}, k) {
			s.base.Violate(w, r, http.StatusBadRequest, "unexpected query parameter %q", k)
			return
		}
	}
	def, err := strconv.Atoi(q.Get("definitions"))
	if err != nil || len(q["definitions"]) != 1 {
		s.base.Violate(w, r, http.StatusBadRequest, "definitions %q: want one definition id", q["definitions"])
		return
	}
	s.mu.Lock()
	builds := slices.Clone(s.builds[def]) // an unknown definition has no builds, as on the service
	s.mu.Unlock()
	slices.SortStableFunc(builds, func(a, b Build) int { return b.QueueTime.Compare(a.QueueTime) })

	status, top := q.Get("statusFilter"), q.Get("$top")
	switch {
	case status != "" && top == "" && q.Get("queryOrder") == "":
		var want []string
		for _, st := range strings.Split(status, ",") {
			if !slices.Contains([]string{"notStarted", "inProgress", "completed", "cancelling", "postponed"}, st) {
				s.base.Violate(w, r, http.StatusBadRequest, "statusFilter %q", status)
				return
			}
			want = append(want, st)
		}
		builds = slices.DeleteFunc(builds, func(b Build) bool { return !slices.Contains(want, b.Status) })
	case status == "" && top != "":
		n, err := strconv.Atoi(top)
		if err != nil || n <= 0 {
			s.base.Violate(w, r, http.StatusBadRequest, "$top %q", top)
			return
		}
		if q.Get("queryOrder") != "queueTimeDescending" {
			s.base.Violate(w, r, http.StatusBadRequest, "queryOrder %q, want queueTimeDescending with $top", q.Get("queryOrder"))
			return
		}
		builds = builds[:min(n, len(builds))]
	default:
		s.base.Violate(w, r, http.StatusBadRequest, "want statusFilter, or $top with queryOrder")
		return
	}
	value := make([]map[string]any, 0, len(builds))
	for _, b := range builds {
		value = append(value, s.buildJSON(def, b))
	}
	fakeserver.WriteJSON(w, http.StatusOK, map[string]any{"count": len(value), "value": value})
}

func (s *Server) buildJSON(def int, b Build) map[string]any {
	m := map[string]any{
		"id":          b.ID,
		"buildNumber": fmt.Sprintf("20260301.%d", b.ID),
		"status":      b.Status,
		"queueTime":   b.QueueTime.UTC().Format("2006-01-02T15:04:05.0000000Z"),
		"definition":  map[string]any{"id": def},
		"_links":      map[string]any{"web": map[string]string{"href": s.WebURL(b.ID)}},
	}
	if b.Result != "" {
		m["result"] = b.Result
	}
	return m
}

func (s *Server) queue(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		s.base.Violate(w, r, http.StatusBadRequest, "Content-Type %q, want application/json", ct)
		return
	}
	var body struct {
		Definition *struct {
			ID int `json:"id"`
		} `json:"definition"`
		SourceBranch *string `json:"sourceBranch"`
		Parameters   *string `json:"parameters"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		s.base.Violate(w, r, http.StatusBadRequest, "body: %v", err)
		return
	}
	if body.Definition == nil || body.SourceBranch == nil || body.Parameters == nil {
		s.base.Violate(w, r, http.StatusBadRequest, "body needs definition, sourceBranch and parameters")
		return
	}
	if b := *body.SourceBranch; b == "" || strings.HasPrefix(b, "refs/") {
		s.base.Violate(w, r, http.StatusBadRequest, "sourceBranch %q: want a bare branch name, as ImageBuilder sends", b)
		return
	}
	var vars map[string]string
	if err := json.Unmarshal([]byte(*body.Parameters), &vars); err != nil {
		s.base.Violate(w, r, http.StatusBadRequest, "parameters %q is not a JSON object of strings: %v", *body.Parameters, err)
		return
	}
	s.mu.Lock()
	_, known := s.builds[body.Definition.ID]
	var b Build
	if known {
		s.nextID++
		s.now = s.now.Add(time.Minute)
		b = Build{ID: s.nextID, Status: "notStarted", QueueTime: s.now}
		s.builds[body.Definition.ID] = append(s.builds[body.Definition.ID], b)
		qb := &QueuedBuild{DefinitionID: body.Definition.ID, SourceBranch: *body.SourceBranch, Parameters: *body.Parameters, Variables: vars}
		s.queued = append(s.queued, qb)
		s.byID[b.ID] = qb
	}
	s.mu.Unlock()
	if !known {
		fakeserver.WriteJSON(w, http.StatusNotFound, map[string]string{
			"message": fmt.Sprintf("The requested build definition %d does not exist.", body.Definition.ID)})
		return
	}
	fakeserver.WriteJSON(w, http.StatusOK, s.buildJSON(body.Definition.ID, b))
}

func (s *Server) tag(w http.ResponseWriter, r *http.Request, rest string) {
	parts := strings.Split(strings.TrimPrefix(rest, "/"), "/")
	if len(parts) != 3 || parts[1] != "tags" || parts[2] == "" {
		s.base.Violate(w, r, http.StatusNotFound, "no such route")
		return
	}
	if r.ContentLength > 0 {
		s.base.Violate(w, r, http.StatusBadRequest, "adding a tag takes no body")
		return
	}
	id, err := strconv.ParseInt(parts[0], 10, 64)
	s.mu.Lock()
	qb := s.byID[id]
	if qb != nil {
		qb.Tags = append(qb.Tags, parts[2])
	}
	s.mu.Unlock()
	if err != nil || qb == nil {
		s.base.Violate(w, r, http.StatusNotFound, "build %q does not exist", parts[0])
		return
	}
	fakeserver.WriteJSON(w, http.StatusOK, map[string]any{"count": 1, "value": []string{parts[2]}})
}
