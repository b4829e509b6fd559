package github

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/baseflow/baseflow/dispatch"
)

// Workflow is a GitHub Actions workflow on a branch; it implements dispatch.Pipeline.
type Workflow struct {
	c                     *Client
	owner, repo, workflow string
	branch                string
}

var _ dispatch.Pipeline = (*Workflow)(nil)

// workflowRun is the part of a workflow run the guards need.
type workflowRun struct {
	ID         int64     `json:"id"`
	Status     string    `json:"status"`
	Conclusion string    `json:"conclusion"`
	HTMLURL    string    `json:"html_url"`
	CreatedAt  time.Time `json:"created_at"`
}

type runList struct {
	TotalCount   int           `json:"total_count"`
	WorkflowRuns []workflowRun `json:"workflow_runs"`
}

// runDetails is the answer to a dispatch with return_run_details.
type runDetails struct {
	WorkflowRunID int64  `json:"workflow_run_id"`
	HTMLURL       string `json:"html_url"`
}

func (w *Workflow) path() string {
	return repoPath(w.owner, w.repo) + "/actions/workflows/" + url.PathEscape(w.workflow)
}

// RunsPage is the web page listing the workflow's runs.
func (w *Workflow) RunsPage() string {
	return w.c.web + "/" + url.PathEscape(w.owner) + "/" + url.PathEscape(w.repo) +
		"/actions/workflows/" + url.PathEscape(w.workflow)
}

// ActiveRuns lists the workflow's runs in any of the client's active statuses, on any
// branch.
func (w *Workflow) ActiveRuns(ctx context.Context) ([]dispatch.Run, error) {
	var runs []dispatch.Run
	seen := map[int64]bool{}
	for _, status := range w.c.activeStatuses {
		var list runList
		q := url.Values{"status": {status}, "per_page": {"100"}}
		if _, err := w.c.api.Do(ctx, http.MethodGet, w.path()+"/runs", q, nil, &list); err != nil {
			return nil, err
		}
		for _, r := range list.WorkflowRuns {
			if !seen[r.ID] {
				seen[r.ID] = true
				runs = append(runs, toRun(r))
			}
		}
	}
	return runs, nil
}

// RecentRuns lists the n newest runs dispatched on the workflow's branch (at most 100).
func (w *Workflow) RecentRuns(ctx context.Context, n int) ([]dispatch.Run, error) {
	if n <= 0 {
		return nil, nil
	}
	var list runList
	q := url.Values{"branch": {w.branch}, "event": {"workflow_dispatch"}, "per_page": {strconv.Itoa(min(n, 100))}}
	if _, err := w.c.api.Do(ctx, http.MethodGet, w.path()+"/runs", q, nil, &list); err != nil {
		return nil, err
	}
	runs := make([]dispatch.Run, 0, len(list.WorkflowRuns))
	for _, r := range list.WorkflowRuns {
		runs = append(runs, toRun(r))
	}
	return runs, nil
}

// Queue dispatches the workflow on req.Branch with the input req.Variable set to req.Value.
// The inputs object is sent exactly as req.Parameters() spells it.
func (w *Workflow) Queue(ctx context.Context, req dispatch.QueueRequest) (dispatch.Run, error) {
	ref, err := json.Marshal(req.Branch)
	if err != nil {
		return dispatch.Run{}, err
	}
	body := `{"ref":` + string(ref) + `,"inputs":` + req.Parameters()
	if w.c.returnRunDetails {
		body += `,"return_run_details":true`
	}
	body += "}"
	var details runDetails
	resp, err := w.c.api.Do(ctx, http.MethodPost, w.path()+"/dispatches", nil, []byte(body), &details)
	if err != nil {
		return dispatch.Run{}, err
	}
	run := dispatch.Run{Status: dispatch.RunQueued, WebURL: w.RunsPage(), QueuedAt: time.Now().UTC()}
	if resp.StatusCode == http.StatusOK && details.WorkflowRunID != 0 {
		run.ID = details.WorkflowRunID
		if details.HTMLURL != "" {
			run.WebURL = details.HTMLURL
		}
	}
	return run, nil
}

func toRun(r workflowRun) dispatch.Run {
	return dispatch.Run{
		ID:       r.ID,
		Status:   status(r.Status),
		Result:   conclusion(r.Conclusion),
		WebURL:   r.HTMLURL,
		QueuedAt: r.CreatedAt,
	}
}

func status(s string) dispatch.RunStatus {
	switch s {
	case "requested", "queued", "pending", "waiting":
		return dispatch.RunQueued
	case "in_progress":
		return dispatch.RunInProgress
	case "completed":
		return dispatch.RunCompleted
	}
	return dispatch.RunStatus(s)
}

// conclusion maps GitHub conclusions; a timeout or a startup failure is a failure too.
func conclusion(s string) dispatch.RunResult {
	switch s {
	case "success":
		return dispatch.RunSucceeded
	case "failure", "timed_out", "startup_failure":
		return dispatch.RunFailed
	case "cancelled":
		return dispatch.RunCanceled
	}
	return dispatch.RunResult(s)
}

func (w *Workflow) String() string {
	return fmt.Sprintf("%s/%s workflow %s", w.owner, w.repo, w.workflow)
}
