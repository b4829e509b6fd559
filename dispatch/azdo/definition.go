package azdo

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/baseflow/baseflow/dispatch"
)

// Definition is an Azure DevOps build definition; it implements dispatch.Pipeline.
type Definition struct {
	c  *Client
	id int
}

var _ dispatch.Pipeline = (*Definition)(nil)

// build is the part of the Build resource the guards need.
type build struct {
	ID        int64  `json:"id"`
	Status    string `json:"status"`
	Result    string `json:"result"`
	QueueTime string `json:"queueTime"`
	Links     struct {
		Web struct {
			Href string `json:"href"`
		} `json:"web"`
	} `json:"_links"`
}

type buildList struct {
	Count int     `json:"count"`
	Value []build `json:"value"`
}

// queueBody is the POST body; parameters is a JSON object encoded as a string (the legacy
// queue-time variables field, which ImageBuilder uses).
type queueBody struct {
	Definition   definitionRef `json:"definition"`
	SourceBranch string        `json:"sourceBranch"`
	Parameters   string        `json:"parameters"`
}

type definitionRef struct {
	ID int `json:"id"`
}

func (d *Definition) buildsPath() string { return d.c.project + "/_apis/build/builds" }

func (d *Definition) query(kv ...string) url.Values {
	q := url.Values{"definitions": {strconv.Itoa(d.id)}, "api-version": {APIVersion}}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return q
}

// ActiveRuns lists builds of the definition that are not started or in progress.
func (d *Definition) ActiveRuns(ctx context.Context) ([]dispatch.Run, error) {
	var runs []dispatch.Run
	seen := map[int64]bool{}
	for _, status := range []string{"notStarted", "inProgress"} {
		var list buildList
		if _, err := d.c.api.Do(ctx, http.MethodGet, d.buildsPath(), d.query("statusFilter", status), nil, &list); err != nil {
			return nil, err
		}
		for _, b := range list.Value {
			if !seen[b.ID] {
				seen[b.ID] = true
				runs = append(runs, d.run(b))
			}
		}
	}
	return runs, nil
}

// RecentRuns lists the n most recently queued builds of the definition, newest first.
func (d *Definition) RecentRuns(ctx context.Context, n int) ([]dispatch.Run, error) {
	if n <= 0 {
		return nil, nil
	}
	var list buildList
	q := d.query("$top", strconv.Itoa(n), "queryOrder", "queueTimeDescending")
	if _, err := d.c.api.Do(ctx, http.MethodGet, d.buildsPath(), q, nil, &list); err != nil {
		return nil, err
	}
	runs := make([]dispatch.Run, 0, len(list.Value))
	for _, b := range list.Value {
		runs = append(runs, d.run(b))
	}
	return runs, nil
}

// Queue queues a build of the definition on req.Branch with the queue-time variable
// req.Variable set to req.Value, then tags it. A build that was queued but could not be
// tagged is still returned without error: the tag is a label, the build is what matters.
func (d *Definition) Queue(ctx context.Context, req dispatch.QueueRequest) (dispatch.Run, error) {
	body := queueBody{
		Definition:   definitionRef{ID: d.id},
		SourceBranch: req.Branch,
		Parameters:   req.Parameters(),
	}
	var b build
	q := url.Values{"api-version": {APIVersion}}
	if _, err := d.c.api.Do(ctx, http.MethodPost, d.buildsPath(), q, body, &b); err != nil {
		return dispatch.Run{}, err
	}
	if b.ID == 0 {
		return dispatch.Run{}, fmt.Errorf("POST %s: the response has no build id", d.buildsPath())
	}
	run := d.run(b)
	if d.c.tag != "" {
		path := fmt.Sprintf("%s/%d/tags/%s", d.buildsPath(), b.ID, url.PathEscape(d.c.tag))
		if _, err := d.c.api.Do(ctx, http.MethodPut, path, q, nil, nil); err != nil {
			d.c.log.Warn("build queued but not tagged", "build", b.ID, "tag", d.c.tag, "err", err)
		}
	}
	return run, nil
}

func (d *Definition) run(b build) dispatch.Run {
	web := b.Links.Web.Href
	if web == "" {
		web = d.c.web + "/_build/results?buildId=" + strconv.FormatInt(b.ID, 10)
	}
	return dispatch.Run{
		ID:       b.ID,
		Status:   status(b.Status),
		Result:   result(b.Result),
		WebURL:   web,
		QueuedAt: parseTime(b.QueueTime),
	}
}

func status(s string) dispatch.RunStatus {
	switch s {
	case "notStarted", "postponed":
		return dispatch.RunQueued
	case "inProgress", "cancelling":
		return dispatch.RunInProgress
	case "completed":
		return dispatch.RunCompleted
	}
	return dispatch.RunStatus(s)
}

func result(s string) dispatch.RunResult {
	switch s {
	case "succeeded":
		return dispatch.RunSucceeded
	case "partiallySucceeded":
		return dispatch.RunPartiallySucceeded
	case "failed":
		return dispatch.RunFailed
	case "canceled":
		return dispatch.RunCanceled
	case "none":
		return ""
	}
	return dispatch.RunResult(s)
}

// parseTime reads Azure DevOps timestamps: RFC 3339 with up to seven fractional digits,
// sometimes without a zone (then UTC). Anything else is the zero time.
func parseTime(s string) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	if t, err := time.Parse("2006-01-02T15:04:05.9999999", strings.TrimSpace(s)); err == nil {
		return t.UTC()
	}
	return time.Time{}
}
