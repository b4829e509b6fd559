package check

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/baseflow/baseflow/depgraph"
)

// Status summarises the outcome of checking one subscription.
type Status string

const (
	StatusStale    Status = "stale"
	StatusUpToDate Status = "up-to-date"
	StatusFailed   Status = "failed"
	StatusSkipped  Status = "skipped"
)

// Status returns the result's status. A failed subscription is never up to date, even when
// some of its images were found stale.
func (r *SubscriptionResult) Status() Status {
	switch {
	case r.Skipped:
		return StatusSkipped
	case r.Err != nil:
		return StatusFailed
	case len(r.Paths()) > 0:
		return StatusStale
	}
	return StatusUpToDate
}

// Report is the machine-readable account of a check, written by --report: per
// subscription, each stale path with its reason, the base digests looked up and the errors;
// for the run, what was asked of registries.
type Report struct {
	Subscriptions []SubscriptionReport `json:"subscriptions"`
	// FailedBases groups the failed lookups of all subscriptions by base, in the order they
	// were first needed.
	FailedBases []BaseFailure   `json:"failedBases,omitempty"`
	Registry    *RegistryReport `json:"registry,omitempty"`
}

// BaseFailure is a base whose lookup failed, with what it leaves unchecked in the run: the
// candidate platforms built on it, and the subscriptions they belong to.
type BaseFailure struct {
	Reference     string   `json:"reference"`
	Error         string   `json:"error"`
	Platforms     int      `json:"platforms"`
	Subscriptions []string `json:"subscriptions"`
}

// SubscriptionReport is one subscription in a Report.
type SubscriptionReport struct {
	ID     string `json:"id"`
	Status Status `json:"status"`
	Error  string `json:"error,omitempty"`
	// Candidates is the number of platforms whose final base is external and was checked.
	Candidates int          `json:"candidates"`
	Stale      []StalePath  `json:"stale"`
	Waves      [][]string   `json:"waves,omitempty"`
	Bases      []BaseReport `json:"bases"`
	// Unchanged are the platforms whose base moved while their own manifest in it did not;
	// PlatformAware says whether they were left off the rebuild list, and Saved how many
	// paths that saves (or would save).
	Unchanged     []UnchangedPlatform `json:"unchanged,omitempty"`
	PlatformAware bool                `json:"platformAware,omitempty"`
	Saved         int                 `json:"platformAwareSaves,omitempty"`
	// Pinned are the bases pinned to a digest, which never read as moved.
	Pinned     []PinnedBase `json:"pinned,omitempty"`
	DurationMS int64        `json:"durationMs"`
}

// StalePath is one path to rebuild with its reason, as data and as a sentence.
type StalePath struct {
	Path   string          `json:"path"`
	Reason depgraph.Reason `json:"reason"`
	Why    string          `json:"why"`
}

// BaseReport is one base reference looked up, with its digest or the lookup error.
type BaseReport struct {
	Reference string `json:"reference"`
	Digest    string `json:"digest,omitempty"`
	Error     string `json:"error,omitempty"`
	// Platforms is the number of candidate platforms whose final base this is.
	Platforms int `json:"platforms"`
}

// RegistryReport counts registry traffic for the whole run.
type RegistryReport struct {
	Requests      int `json:"requests"`
	Heads         int `json:"heads"`
	Gets          int `json:"gets"`
	TokenRequests int `json:"tokenRequests"`
	// Challenges counts the requests answered 401 (one per registry when tokens work).
	Challenges int `json:"challenges"`
	// Retries counts repeated attempts; Failed, attempts that got no response.
	Retries int `json:"retries"`
	Failed  int `json:"failed"`
	// Warnings name registries that made lookups cost a GET (a pull on Docker Hub), once
	// per registry and behaviour: HEAD refused, no Docker-Content-Digest header.
	Warnings []string `json:"warnings,omitempty"`
	// RateLimit is the last pull budget a registry reported (Docker Hub does), if any.
	RateLimit *RateLimitReport `json:"rateLimit,omitempty"`
}

// RateLimitReport is a registry's pull budget.
type RateLimitReport struct {
	Host          string `json:"host"`
	Limit         int    `json:"limit"`
	Remaining     int    `json:"remaining"`
	WindowSeconds int    `json:"windowSeconds,omitempty"`
}

// NewReport builds the report of a check from its results, in their order.
func NewReport(results []*SubscriptionResult, registry *RegistryReport) Report {
	rep := Report{Subscriptions: []SubscriptionReport{}, Registry: registry}
	for _, r := range results {
		if r.Stale != nil || r.Summary.ID == "" {
			r.summarize() // a result made or changed by hand
		}
		rep.Subscriptions = append(rep.Subscriptions, r.Summary)
	}
	rep.FailedBases = FailedBases(results)
	return rep
}

// summarize makes r.Summary from the result.
func (r *SubscriptionResult) summarize() {
	s := SubscriptionReport{ID: r.Subscription.ID(), Status: r.Status(), Stale: []StalePath{}, Bases: []BaseReport{}, DurationMS: r.Duration.Milliseconds(),
		Unchanged: r.Unchanged, PlatformAware: r.PlatformAware, Saved: r.Saved, Pinned: r.Pinned}
	if r.Err != nil {
		s.Error = r.Err.Error()
	}
	if r.Stale != nil {
		r.computed = true
		s.Candidates = len(r.Stale.Checks)
		for _, img := range r.Stale.Images {
			s.Stale = append(s.Stale, StalePath{Path: img.Path, Reason: img.Reason, Why: img.Reason.String()})
		}
		s.Waves = r.Stale.Waves()
	} else {
		s.Candidates, s.Stale, s.Waves = r.Summary.Candidates, append(s.Stale, r.Summary.Stale...), r.Summary.Waves
	}
	for _, l := range r.Lookups {
		b := BaseReport{Reference: l.Ref, Digest: l.Digest, Platforms: r.platformsOn(l.Ref)}
		if l.Err != nil {
			b.Error = l.Err.Error()
		}
		s.Bases = append(s.Bases, b)
	}
	r.Summary = s
}

// platformsOn counts the candidate platforms checked against ref: from the stale check
// while the result has it, else from its summary.
func (r *SubscriptionResult) platformsOn(ref string) int {
	if r.Stale == nil {
		for _, b := range r.Summary.Bases {
			if b.Reference == ref {
				return b.Platforms
			}
		}
		return 0
	}
	n := 0
	for _, c := range r.Stale.Checks {
		if c.Ref == ref {
			n++
		}
	}
	return n
}

// FailedBases groups the failed lookups of results by base reference, in the order the
// bases were first needed: one entry per base however many platforms and subscriptions
// share it, with the registry's error once.
func FailedBases(results []*SubscriptionResult) []BaseFailure {
	var out []BaseFailure
	index := map[string]int{}
	for _, r := range results {
		for _, l := range r.Lookups {
			if l.Err == nil {
				continue
			}
			i, ok := index[l.Ref]
			if !ok {
				i = len(out)
				index[l.Ref] = i
				out = append(out, BaseFailure{Reference: l.Ref, Error: l.Err.Error(), Subscriptions: []string{}})
			}
			out[i].Platforms += r.platformsOn(l.Ref)
			out[i].Subscriptions = append(out[i].Subscriptions, r.Subscription.ID())
		}
	}
	return out
}

// LookupFailures returns how many of the result's base lookups failed. A failed result with
// none failed before the lookups (repository, manifest, Dockerfiles or image-info).
func (r *SubscriptionResult) LookupFailures() int {
	n := 0
	for _, l := range r.Lookups {
		if l.Err != nil {
			n++
		}
	}
	return n
}

// WriteText writes the report as readable text (--explain): per subscription its status,
// the bases that moved, each stale path with its reason, and the build waves.
func (rep Report) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, s := range rep.Subscriptions {
		fmt.Fprintf(&b, "%s: %s", s.ID, s.Status)
		if s.Status != StatusSkipped {
			fmt.Fprintf(&b, " (%d candidate platforms, %d bases looked up, %d paths to rebuild, %s)",
				s.Candidates, len(s.Bases), len(s.Stale), (time.Duration(s.DurationMS) * time.Millisecond).String())
		}
		b.WriteString("\n")
		failedBases := 0
		for _, base := range s.Bases {
			if base.Error != "" {
				failedBases++
				fmt.Fprintf(&b, "  lookup failed: %s (%s not checked): %s\n", base.Reference, plural(base.Platforms, "platform"), base.Error)
			}
		}
		if s.Error != "" && failedBases == 0 {
			for _, line := range strings.Split(s.Error, "\n") {
				fmt.Fprintf(&b, "  error: %s\n", line)
			}
		}
		moved := map[string]bool{}
		for _, p := range s.Stale {
			r := p.Reason
			if r.Kind != depgraph.BaseChanged || moved[r.Base] {
				continue
			}
			moved[r.Base] = true
			if r.Respelled() {
				// Same digest, another repository spelling: nothing moved, yet the recorded
				// string differs from what the check compares with.
				fmt.Fprintf(&b, "  base respelled, same digest: %s  image-info records %s, the check compares %s\n",
					r.Base, repoOf(r.Recorded), repoOf(r.Current))
				fmt.Fprintf(&b, "    (the next build records the new spelling; to avoid this rebuild, record baseImageDigest as %s, see docs/recording-base-digests.md)\n", r.Current)
				continue
			}
			fmt.Fprintf(&b, "  base moved: %s  %s → %s\n", r.Base, digestOf(r.Recorded), digestOf(r.Current))
		}
		if len(s.Stale) > 0 {
			b.WriteString("  rebuild:\n")
			tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
			for _, p := range s.Stale {
				fmt.Fprintf(tw, "    %s\t%s\n", p.Path, p.Reason.Brief())
			}
			tw.Flush()
		}
		if len(s.Waves) > 1 {
			for i, wave := range s.Waves {
				fmt.Fprintf(&b, "  wave %d: %s\n", i+1, summarize(wave, wavePaths))
			}
		}
		writeUnchanged(&b, s)
		for _, p := range s.Pinned {
			fmt.Fprintf(&b, "  pinned: %s", p.Reference)
			switch {
			case p.Error != "":
				fmt.Fprintf(&b, " (tag lookup failed: %s)", p.Error)
			case p.Moved:
				fmt.Fprintf(&b, " (tag now %s: moved away from the pin)", p.TagDigest)
			case p.TagDigest != "":
				b.WriteString(" (tag still at the pin)")
			}
			b.WriteString("\n")
		}
	}
	if r := rep.Registry; r != nil {
		fmt.Fprintf(&b, "registry: %d requests (%d HEAD, %d GET), %d token requests, %d 401 challenges, %d retries",
			r.Requests, r.Heads, r.Gets, r.TokenRequests, r.Challenges, r.Retries)
		if rl := r.RateLimit; rl != nil {
			fmt.Fprintf(&b, "; %s pull budget %d/%d left", rl.Host, rl.Remaining, rl.Limit)
		}
		b.WriteString("\n")
		for _, w := range r.Warnings {
			fmt.Fprintf(&b, "  warning: %s\n", w)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// wavePaths is how many paths of a build wave --explain names; --report has them all.
const wavePaths = 3

// summarize names the first n items and counts the rest: "a, b, c and 104 more (in --report)".
func summarize(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more (all in --report)", strings.Join(items[:n], ", "), len(items)-n)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// repoOf returns the repository of "repo@sha256:…".
func repoOf(ref string) string {
	repo, _, _ := strings.Cut(ref, "@")
	return repo
}

// digestOf returns the digest of "repo@sha256:…", or "(none)" when nothing was recorded.
func digestOf(ref string) string {
	if ref == "" {
		return "(none recorded)"
	}
	if _, d, ok := strings.Cut(ref, "@"); ok {
		return d
	}
	return ref
}

// writeUnchanged lists the platforms whose base moved while their own manifest did not, and
// what platform-aware staleness saves or would save.
func writeUnchanged(b *strings.Builder, s SubscriptionReport) {
	if len(s.Unchanged) == 0 {
		return
	}
	verb := "rebuilt anyway"
	if s.PlatformAware {
		verb = "not rebuilt"
	}
	tw := tabwriter.NewWriter(b, 0, 0, 3, ' ', 0)
	for _, u := range s.Unchanged {
		fmt.Fprintf(tw, "  %s:\t%s\tbase %s: %s\n", verb, u.Path, u.Base, u.Why())
	}
	tw.Flush()
	if s.PlatformAware {
		fmt.Fprintf(b, "  platform-aware staleness saved %d rebuilds\n", s.Saved)
	} else {
		fmt.Fprintf(b, "  platform-aware staleness would save %d rebuilds\n", s.Saved)
	}
}
