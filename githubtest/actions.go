package githubtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/baseflow/baseflow/internal/fakeserver"
)

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

// RunURL is the html_url the fake gives a run.
func (s *Server) RunURL(owner, repo string, id int64) string {
	return fmt.Sprintf("%s/%s/%s/actions/runs/%d", s.URL, owner, repo, id)
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
		notFound(w)
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
		notFound(w)
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
		notFound(w)
		return
	}
	fakeserver.WriteJSON(w, http.StatusOK, map[string]any{"number": n, "state": body.State})
}
