package dispatch

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/baseflow/baseflow/subscription"
)

// Notifier tells people what the Dispatcher did. The Dispatcher calls it once per
// subscription that had paths (never in a dry run); package dispatch/github posts GitHub
// issues.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// Notification labels, as ImageBuilder sets them.
const (
	LabelAutoBuilder = "notify-autobuilder"
	LabelFailure     = "notify-failure"
)

// Notification is the outcome for one subscription, with what a notice about it says.
type Notification struct {
	Subscription subscription.Subscription
	Result       Result
	// Reasons maps a path to a sentence saying why it is rebuilt; optional.
	Reasons map[string]string
}

// Category is "Queued", "Skipped" or "Failed" (a tripped breaker or an error).
func (n Notification) Category() string {
	switch n.Result.Outcome {
	case Queued:
		return "Queued"
	case SkippedActive:
		return "Skipped"
	}
	return "Failed"
}

// Failure reports whether the notice is about an error, which someone must act on: only
// those notices stay open. A tripped breaker is reported but, as in ImageBuilder, not flagged.
func (n Notification) Failure() bool { return n.Result.Outcome == Failed }

// Title is "AutoBuilder - <category> - <subscription id>".
func (n Notification) Title() string {
	return "AutoBuilder - " + n.Category() + " - " + n.Result.SubscriptionID
}

// Labels are notify-autobuilder, notify-<manifest repo>-<branch>, and notify-failure for an
// error.
func (n Notification) Labels() []string {
	m := n.Subscription.Manifest
	labels := []string{LabelAutoBuilder, "notify-" + m.Repo + "-" + m.Branch}
	if n.Failure() {
		labels = append(labels, LabelFailure)
	}
	return labels
}

// Body is the Markdown body: the subscription, the sorted paths (with their reasons), what
// happened, and ImageBuilder's metadata comment carrying the build id.
func (n Notification) Body() string {
	r := n.Result
	var b strings.Builder
	fmt.Fprintf(&b, "# AutoBuilder - %s\n\nSubscription: %s\n\nPaths to rebuild:\n\n", n.Category(), r.SubscriptionID)
	paths := slices.Sorted(slices.Values(r.Paths))
	for _, p := range paths {
		fmt.Fprintf(&b, "* `%s`", p)
		if reason := n.Reasons[p]; reason != "" {
			b.WriteString(": " + oneLine(reason))
		}
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	switch r.Outcome {
	case Queued:
		fmt.Fprintf(&b, "The following build was queued: [Build Link](%s)\n", r.Run.WebURL)
	case SkippedActive:
		b.WriteString("The build was not queued because these runs are already active; they will pick up the new base images:\n\n")
		writeRunLinks(&b, r.Runs)
	case BreakerTripped:
		fmt.Fprintf(&b, "The build was not queued because the last %d runs failed. Fix the cause, then queue a build manually:\n\n", len(r.Runs))
		writeRunLinks(&b, r.Runs)
	default:
		msg := "unknown error"
		if r.Err != nil {
			msg = r.Err.Error()
		}
		fmt.Fprintf(&b, "The build could not be queued:\n\n```\n%s\n```\n", strings.ReplaceAll(msg, "```", "'''"))
	}
	buildID := "null"
	if r.Outcome == Queued && r.Run.ID != 0 {
		buildID = strconv.FormatInt(r.Run.ID, 10)
	}
	fmt.Fprintf(&b, "\n<!--NOTIFICATION METADATA:{\n  \"BuildId\": %s\n}-->\n", buildID)
	return b.String()
}

func writeRunLinks(b *strings.Builder, runs []Run) {
	for _, run := range runs {
		name := "Run"
		if run.ID != 0 {
			name = "Run " + strconv.FormatInt(run.ID, 10)
		}
		fmt.Fprintf(b, "* [%s](%s)\n", name, run.WebURL)
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
