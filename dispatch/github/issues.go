package github

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
)

// NewIssue is what CreateIssue posts.
type NewIssue struct {
	Title  string   `json:"title"`
	Body   string   `json:"body"`
	Labels []string `json:"labels,omitempty"`
}

// Issue is a created issue.
type Issue struct {
	Number  int    `json:"number"`
	HTMLURL string `json:"html_url"`
}

// CreateIssue opens an issue in owner/repo.
func (c *Client) CreateIssue(ctx context.Context, owner, repo string, in NewIssue) (Issue, error) {
	var out Issue
	if _, err := c.api.Do(ctx, http.MethodPost, repoPath(owner, repo)+"/issues", nil, in, &out); err != nil {
		return Issue{}, err
	}
	if out.Number == 0 {
		return Issue{}, fmt.Errorf("POST %s/issues: the response has no issue number", repoPath(owner, repo))
	}
	return out, nil
}

// CloseIssue closes issue number of owner/repo.
func (c *Client) CloseIssue(ctx context.Context, owner, repo string, number int) error {
	path := repoPath(owner, repo) + "/issues/" + strconv.Itoa(number)
	_, err := c.api.Do(ctx, http.MethodPatch, path, nil, map[string]string{"state": "closed"}, nil)
	return err
}
