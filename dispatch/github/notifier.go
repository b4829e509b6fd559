package github

import (
	"context"
	"fmt"

	"github.com/baseflow/baseflow/dispatch"
)

// Notifier posts one issue per notification to a repository, as ImageBuilder does: the
// issue is closed right away unless it reports an error, so that only failures stay open.
type Notifier struct {
	Client      *Client
	Owner, Repo string
}

var _ dispatch.Notifier = (*Notifier)(nil)

// Notifier returns a Notifier posting to owner/repo.
func (c *Client) Notifier(owner, repo string) *Notifier {
	return &Notifier{Client: c, Owner: owner, Repo: repo}
}

// Notify creates the issue for n, then closes it unless n is a failure.
func (n *Notifier) Notify(ctx context.Context, note dispatch.Notification) error {
	issue, err := n.Client.CreateIssue(ctx, n.Owner, n.Repo, NewIssue{
		Title:  note.Title(),
		Body:   note.Body(),
		Labels: note.Labels(),
	})
	if err != nil {
		return err
	}
	if note.Failure() {
		return nil
	}
	if err := n.Client.CloseIssue(ctx, n.Owner, n.Repo, issue.Number); err != nil {
		return fmt.Errorf("issue #%d created but not closed: %w", issue.Number, err)
	}
	return nil
}
