// Package githubtest runs an in-process fake of the part of the GitHub REST API that
// dispatch/github uses (workflow runs, workflow dispatch, issues), and checks every request
// against the documented contract.
//
// A request with a wrong method, path, query parameter, Accept, X-GitHub-Api-Version or
// Content-Type header, or body shape is answered with 400, 404 or 422 and recorded as a
// violation, which fails the test at cleanup. A wrong token is answered 401, as GitHub does.
// A dispatched workflow gets a new queued run, so the guards see it.
package githubtest

import (
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

	"github.com/baseflow/baseflow/dispatch/internal/fakeserver"
)

// Request is one request the fake received.
type Request = fakeserver.Request

// Run is a workflow run as the fake serves it.
type Run struct {
	ID         int64
	Status     string // queued, in_progress, completed, waiting, pending, requested
	Conclusion string // success, failure, cancelled, ... (completed runs)
	Branch     string
	Event      string // workflow_dispatch, push, schedule, ...
	CreatedAt  time.Time
}

// Dispatch is a workflow dispatch received by the fake.
type Dispatch struct {
	Owner, Repo, Workflow string
	Ref                   string
	Inputs                map[string]string
	RawInputs             string // the inputs object exactly as received
}

// Issue is an issue created through the fake.
type Issue struct {
	Owner, Repo string
	Number      int
	Title, Body string
	Labels      []string
	Closed      bool
}

// Server is the fake. Its URL is the API base URL to give the client (github.WithBaseURL).
type Server struct {
	URL   string
	Token string

	srv        *httptest.Server
	base       fakeserver.Base
	mu         sync.Mutex
	workflows  map[string][]Run // "owner/repo/workflow" → runs
	dispatches []Dispatch
	issues     []*Issue
	nextRun    int64
	now        time.Time
}

// NewServer starts a fake that accepts token; it is closed, and its contract violations
// reported, when t ends. With a nil t, call Close and check Violations yourself.
func NewServer(t testing.TB, token string) *Server {
	s := &Server{
		Token:     token,
		workflows: map[string][]Run{},
		nextRun:   9000,
		now:       time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
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

// Workflow declares a workflow of owner/repo (its file name or id) with its runs, in any
// order. Requests for undeclared workflows get 404.
func (s *Server) Workflow(owner, repo, workflow string, runs ...Run) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.workflows[owner+"/"+repo+"/"+workflow] = slices.Clone(runs)
}

// Dispatches returns the workflow dispatches received, in order.
func (s *Server) Dispatches() []Dispatch {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.dispatches)
}

// Issues returns the issues created, in order, with their final state.
func (s *Server) Issues() []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Issue, len(s.issues))
	for i, is := range s.issues {
		out[i] = *is
	}
	return out
}

// FailNext makes the next times requests with method fail with status (times < 0: all).
func (s *Server) FailNext(method string, status, times int) { s.base.FailNext(method, status, times) }

// Requests returns every request received, in order.
func (s *Server) Requests() []Request { return s.base.Requests() }

// Violations returns the contract violations seen so far.
func (s *Server) Violations() []string { return s.base.Violations() }

// RunURL is the html_url the fake gives a run.
func (s *Server) RunURL(owner, repo string, id int64) string {
	return fmt.Sprintf("%s/%s/%s/actions/runs/%d", s.URL, owner, repo, id)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if !s.base.Begin(w, r) {
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		fakeserver.WriteJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
		return
	}
	if got := r.Header.Get("Accept"); got != "application/vnd.github+json" {
		s.base.Violate(w, r, http.StatusBadRequest, "Accept %q, want application/vnd.github+json", got)
		return
	}
	if got := r.Header.Get("X-GitHub-Api-Version"); got != "2022-11-28" {
		s.base.Violate(w, r, http.StatusBadRequest, "X-GitHub-Api-Version %q, want 2022-11-28", got)
		return
	}
	if r.Header.Get("User-Agent") == "" {
		s.base.Violate(w, r, http.StatusForbidden, "a User-Agent header is required")
		return
	}
	if r.Method != http.MethodGet {
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			s.base.Violate(w, r, http.StatusBadRequest, "Content-Type %q, want application/json", ct)
			return
		}
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 7 && parts[0] == "repos" && parts[3] == "actions" && parts[4] == "workflows" && parts[6] == "runs" && r.Method == http.MethodGet:
		s.listRuns(w, r, parts[1], parts[2], parts[5])
	case len(parts) == 7 && parts[0] == "repos" && parts[3] == "actions" && parts[4] == "workflows" && parts[6] == "dispatches" && r.Method == http.MethodPost:
		s.dispatch(w, r, parts[1], parts[2], parts[5])
	case len(parts) == 4 && parts[0] == "repos" && parts[3] == "issues" && r.Method == http.MethodPost:
		s.createIssue(w, r, parts[1], parts[2])
	case len(parts) == 5 && parts[0] == "repos" && parts[3] == "issues" && r.Method == http.MethodPatch:
		s.updateIssue(w, r, parts[1], parts[2], parts[4])
	default:
		s.base.Violate(w, r, http.StatusNotFound, "no such route")
	}
}

var runStatuses = []string{"requested", "queued", "pending", "waiting", "in_progress", "completed",
	"action_required", "cancelled", "failure", "neutral", "skipped", "stale", "success", "timed_out"}

func (s *Server) listRuns(w http.ResponseWriter, r *http.Request, owner, repo, workflow string) {
	q := r.URL.Query()
	for k, v := range q {
		if !slices.Contains([]string{"status", "branch", "event", "per_page", "page"}, k) {
			s.base.Violate(w, r, http.StatusBadRequest, "unexpected query parameter %q", k)
			return
		}
		if len(v) != 1 {
			s.base.Violate(w, r, http.StatusBadRequest, "query parameter %q takes one value, got %q", k, v)
			return
		}
	}
	if st := q.Get("status"); st != "" && !slices.Contains(runStatuses, st) {
		s.base.Violate(w, r, http.StatusUnprocessableEntity, "status %q is not a run status or conclusion", st)
		return
	}
	perPage := 30
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			s.base.Violate(w, r, http.StatusUnprocessableEntity, "per_page %q: want 1..100", v)
			return
		}
		perPage = n
	}
	s.mu.Lock()
	runs, ok := s.workflows[owner+"/"+repo+"/"+workflow]
	runs = slices.Clone(runs)
	s.mu.Unlock()
	if !ok {
		fakeserver.WriteJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	runs = slices.DeleteFunc(runs, func(run Run) bool {
		if st := q.Get("status"); st != "" && run.Status != st && run.Conclusion != st {
			return true
		}
		if b := q.Get("branch"); b != "" && run.Branch != b {
			return true
		}
		return q.Get("event") != "" && run.Event != q.Get("event")
	})
	slices.SortStableFunc(runs, func(a, b Run) int { return b.CreatedAt.Compare(a.CreatedAt) })
	total := len(runs)
	runs = runs[:min(perPage, len(runs))]
	out := make([]map[string]any, 0, len(runs))
	for _, run := range runs {
		m := map[string]any{
			"id":          run.ID,
			"name":        "build",
			"head_branch": run.Branch,
			"event":       run.Event,
			"status":      run.Status,
			"conclusion":  nil,
			"html_url":    s.RunURL(owner, repo, run.ID),
			"created_at":  run.CreatedAt.UTC().Format(time.RFC3339),
		}
		if run.Conclusion != "" {
			m["conclusion"] = run.Conclusion
		}
		out = append(out, m)
	}
	fakeserver.WriteJSON(w, http.StatusOK, map[string]any{"total_count": total, "workflow_runs": out})
}

func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, owner, repo, workflow string) {
	var body struct {
		Ref              *string         `json:"ref"`
		Inputs           json.RawMessage `json:"inputs"`
		ReturnRunDetails bool            `json:"return_run_details"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		s.base.Violate(w, r, http.StatusUnprocessableEntity, "body: %v", err)
		return
	}
	if body.Ref == nil || *body.Ref == "" {
		s.base.Violate(w, r, http.StatusUnprocessableEntity, "ref is required")
		return
	}
	var inputs map[string]string
	if len(body.Inputs) > 0 {
		if err := json.Unmarshal(body.Inputs, &inputs); err != nil {
			s.base.Violate(w, r, http.StatusUnprocessableEntity, "inputs must be an object of strings: %v", err)
			return
		}
	}
	s.mu.Lock()
	key := owner + "/" + repo + "/" + workflow
	_, ok := s.workflows[key]
	var run Run
	if ok {
		s.nextRun++
		s.now = s.now.Add(time.Minute)
		run = Run{ID: s.nextRun, Status: "queued", Branch: *body.Ref, Event: "workflow_dispatch", CreatedAt: s.now}
		s.workflows[key] = append(s.workflows[key], run)
		s.dispatches = append(s.dispatches, Dispatch{Owner: owner, Repo: repo, Workflow: workflow,
			Ref: *body.Ref, Inputs: inputs, RawInputs: string(body.Inputs)})
	}
	s.mu.Unlock()
	if !ok {
		fakeserver.WriteJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	if body.ReturnRunDetails {
		fakeserver.WriteJSON(w, http.StatusOK, map[string]any{
			"workflow_run_id": run.ID,
			"run_url":         fmt.Sprintf("%s/repos/%s/%s/actions/runs/%d", s.URL, owner, repo, run.ID),
			"html_url":        s.RunURL(owner, repo, run.ID),
		})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) createIssue(w http.ResponseWriter, r *http.Request, owner, repo string) {
	var body struct {
		Title  *string  `json:"title"`
		Body   string   `json:"body"`
		Labels []string `json:"labels"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || body.Title == nil || *body.Title == "" {
		s.base.Violate(w, r, http.StatusUnprocessableEntity, "body: want a title, a body and labels (%v)", err)
		return
	}
	s.mu.Lock()
	is := &Issue{Owner: owner, Repo: repo, Number: len(s.issues) + 1, Title: *body.Title, Body: body.Body, Labels: body.Labels}
	s.issues = append(s.issues, is)
	s.mu.Unlock()
	fakeserver.WriteJSON(w, http.StatusCreated, map[string]any{
		"number":   is.Number,
		"state":    "open",
		"html_url": fmt.Sprintf("%s/%s/%s/issues/%d", s.URL, owner, repo, is.Number),
	})
}

func (s *Server) updateIssue(w http.ResponseWriter, r *http.Request, owner, repo, number string) {
	var body struct {
		State string `json:"state"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || (body.State != "open" && body.State != "closed") {
		s.base.Violate(w, r, http.StatusUnprocessableEntity, "body: want {\"state\":\"open|closed\"} (%v)", err)
		return
	}
	n, _ := strconv.Atoi(number)
	s.mu.Lock()
	var is *Issue
	for _, x := range s.issues {
		if x.Owner == owner && x.Repo == repo && x.Number == n {
			is = x
		}
	}
	if is != nil {
		is.Closed = body.State == "closed"
	}
	s.mu.Unlock()
	if is == nil {
		fakeserver.WriteJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	fakeserver.WriteJSON(w, http.StatusOK, map[string]any{"number": n, "state": body.State})
}
