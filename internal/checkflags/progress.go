package checkflags

import (
	"fmt"
	"strings"

	"github.com/baseflow/baseflow/check"
)

// ProgressLine summarises one checked subscription:
// "dotnet/dotnet-docker/main/manifest.json: 22 bases, 4 stale", and for lookups that failed
// "…: 22 bases (3 lookups failed, 12 platforms not checked), 4 stale".
func ProgressLine(r *check.SubscriptionResult) string {
	switch r.Status() {
	case check.StatusSkipped:
		return r.Subscription.ID() + ": skipped (os type " + r.Subscription.OSType + ")"
	case check.StatusFailed:
		if n := r.LookupFailures(); n > 0 {
			return fmt.Sprintf("%s: %d bases (%s failed, %s not checked), %d stale",
				r.Subscription.ID(), len(r.Lookups), count(n, "lookup"), count(unchecked(r), "platform"), len(r.Paths()))
		}
		msg := r.Err.Error()
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i] + " …"
		}
		return fmt.Sprintf("%s: failed: %s", r.Subscription.ID(), msg)
	}
	return fmt.Sprintf("%s: %d bases, %d stale", r.Subscription.ID(), len(r.Lookups), len(r.Paths()))
}

// unchecked counts the candidate platforms whose base lookup failed, from the result's
// summary (the stale computation itself may have been dropped).
func unchecked(r *check.SubscriptionResult) int {
	n := 0
	for _, b := range r.Summary.Bases {
		if b.Error != "" {
			n += b.Platforms
		}
	}
	return n
}

// FailureLines says what failed in a run, grouped by cause: one line per base whose lookup
// failed (with the platforms and subscriptions it leaves unchecked), one line per line of
// the error of a subscription that failed before its lookups, and a total. It returns nil
// when nothing failed.
func FailureLines(results []*check.SubscriptionResult) []string {
	var lines []string
	failedSubs := 0
	for _, r := range results {
		if r.Err != nil {
			failedSubs++
		}
	}
	if failedSubs == 0 {
		return nil
	}
	bases := check.FailedBases(results)
	platforms := 0
	for _, b := range bases {
		platforms += b.Platforms
		where := b.Subscriptions[0]
		if len(b.Subscriptions) > 1 {
			where = fmt.Sprintf("%d subscriptions", len(b.Subscriptions))
		}
		lines = append(lines, fmt.Sprintf("base %s (%s not checked, in %s): %s", b.Reference, count(b.Platforms, "platform"), where, b.Error))
	}
	for _, r := range results {
		if r.Err != nil && r.LookupFailures() == 0 {
			for _, line := range strings.Split(r.Err.Error(), "\n") {
				lines = append(lines, r.Subscription.ID()+": "+line)
			}
		}
	}
	total := fmt.Sprintf("%d of %d subscriptions failed", failedSubs, len(results))
	if len(bases) > 0 {
		total += fmt.Sprintf(": %s could not be looked up, %s not checked", count(len(bases), "base"), count(platforms, "platform"))
	}
	return append(lines, total)
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
