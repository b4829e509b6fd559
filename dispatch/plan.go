package dispatch

import (
	"errors"
	"fmt"
	"slices"

	"github.com/baseflow/baseflow/subscription"
)

// Job is the work for one subscription: what to queue, on which pipeline.
type Job struct {
	Subscription subscription.Subscription
	Target       Target
	Paths        []string // merged, de-duplicated, validated; empty means nothing to do
	// Reasons optionally explains the paths in notifications: path → a sentence saying why
	// it is rebuilt. Plan leaves it empty; a check that found the paths fills it in.
	Reasons map[string]string
}

// Value is the --path string the job queues; see [PathArgs].
func (j Job) Value() string { return PathArgs(j.Paths) }

// Parameters is the exact parameter string the job queues; see [Parameters].
func (j Job) Parameters() string { return Parameters(j.Target.Variable, j.Value()) }

// UnknownSubscriptionError reports a stale-path result whose SubscriptionId is not in the
// subscriptions file.
type UnknownSubscriptionError struct {
	ID string
}

func (e *UnknownSubscriptionError) Error() string {
	return fmt.Sprintf("subscription %q is not in the subscriptions file", e.ID)
}

// Consolidate merges stale-path results per subscription. Subscriptions keep the order in
// which they first appear; each one's paths are concatenated in input order and
// de-duplicated, keeping the first occurrence. (ImageBuilder does not de-duplicate, which
// queues a path twice when two checks report it.)
func Consolidate(inputs ...[]subscription.ImagePaths) []subscription.ImagePaths {
	var out []subscription.ImagePaths
	index := map[string]int{}
	seen := map[string]map[string]bool{}
	for _, in := range inputs {
		for _, r := range in {
			i, ok := index[r.SubscriptionID]
			if !ok {
				i = len(out)
				index[r.SubscriptionID] = i
				seen[r.SubscriptionID] = map[string]bool{}
				out = append(out, subscription.ImagePaths{SubscriptionID: r.SubscriptionID, ImagePaths: []string{}})
			}
			for _, p := range r.ImagePaths {
				if !seen[r.SubscriptionID][p] {
					seen[r.SubscriptionID][p] = true
					out[i].ImagePaths = append(out[i].ImagePaths, p)
				}
			}
		}
	}
	return out
}

// Plan turns stale-path results into one Job per subscription: first the subscriptions the
// inputs name, in first-appearance order, then the other subscriptions of subs, in file
// order, with no paths.
//
// Plan refuses the whole input when any SubscriptionId is unknown, a named subscription is
// invalid, or any path fails [ValidatePath], so that nothing is queued from a bad input; the
// error joins an [*UnknownSubscriptionError] or a [*PathError] for every problem found.
func Plan(subs []subscription.Subscription, inputs ...[]subscription.ImagePaths) ([]Job, error) {
	byID := make(map[string]subscription.Subscription, len(subs))
	for _, s := range subs {
		byID[s.ID()] = s
	}
	var errs []error
	var jobs []Job
	named := map[string]bool{}
	for _, r := range Consolidate(inputs...) {
		s, ok := byID[r.SubscriptionID]
		if !ok {
			errs = append(errs, &UnknownSubscriptionError{ID: r.SubscriptionID})
			continue
		}
		if err := s.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("subscription %s: %w", r.SubscriptionID, err))
		}
		for _, p := range r.ImagePaths {
			if problem := pathProblem(p); problem != "" {
				errs = append(errs, &PathError{SubscriptionID: r.SubscriptionID, Path: p, Problem: problem})
			}
		}
		named[r.SubscriptionID] = true
		jobs = append(jobs, Job{Subscription: s, Target: TargetOf(s), Paths: slices.Clip(r.ImagePaths)})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, s := range subs {
		if !named[s.ID()] {
			jobs = append(jobs, Job{Subscription: s, Target: TargetOf(s)})
		}
	}
	return jobs, nil
}
