package dispatch

import "slices"

// DefaultFailureLimit is the number of consecutive failed runs that trips the breaker, as in
// ImageBuilder.
const DefaultFailureLimit = 3

// tripped reports whether the newest limit runs all completed and failed, and returns them.
// Fewer runs than limit never trip: a new pipeline must be able to run.
func tripped(recent []Run, limit int) (bool, []Run) {
	if limit <= 0 {
		return false, nil
	}
	// Newest first, whatever the backend's order; runs without a time keep their place
	// among themselves and count as oldest.
	recent = slices.Clone(recent)
	slices.SortStableFunc(recent, func(a, b Run) int { return b.QueuedAt.Compare(a.QueuedAt) })
	if len(recent) < limit {
		return false, nil
	}
	newest := recent[:limit]
	for _, r := range newest {
		if !r.Failed() {
			return false, nil
		}
	}
	return true, newest
}
