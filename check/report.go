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
	Registry      *RegistryReport      `json:"registry,omitempty"`
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
}

// RegistryReport counts registry traffic for the whole run.
type RegistryReport struct {
	Requests      int `json:"requests"`
	Heads         int `json:"heads"`
	Gets          int `json:"gets"`
	TokenRequests int `json:"tokenRequests"`
	// Retries counts repeated attempts; Failed, attempts that got no response.
	Retries int `json:"retries"`
	Failed  int `json:"failed"`
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
	return rep
}

// summarize makes r.Summary from the result.
func (r *SubscriptionResult) summarize() {
	s := SubscriptionReport{ID: r.Subscription.ID(), Status: r.Status(), Stale: []StalePath{}, Bases: []BaseReport{}, DurationMS: r.Duration.Milliseconds()}
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
		b := BaseReport{Reference: l.Ref, Digest: l.Digest}
		if l.Err != nil {
			b.Error = l.Err.Error()
		}
		s.Bases = append(s.Bases, b)
	}
	r.Summary = s
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
		if s.Error != "" {
			for _, line := range strings.Split(s.Error, "\n") {
				fmt.Fprintf(&b, "  error: %s\n", line)
			}
		}
		moved := map[string]bool{}
		for _, p := range s.Stale {
			if r := p.Reason; r.Kind == depgraph.BaseChanged && !moved[r.Base] {
				moved[r.Base] = true
				fmt.Fprintf(&b, "  base moved: %s  %s → %s\n", r.Base, digestOf(r.Recorded), digestOf(r.Current))
			}
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
				fmt.Fprintf(&b, "  wave %d: %s\n", i+1, strings.Join(wave, " "))
			}
		}
	}
	if r := rep.Registry; r != nil {
		fmt.Fprintf(&b, "registry: %d requests (%d HEAD, %d GET), %d token requests, %d retries", r.Requests, r.Heads, r.Gets, r.TokenRequests, r.Retries)
		if rl := r.RateLimit; rl != nil {
			fmt.Fprintf(&b, "; %s pull budget %d/%d left", rl.Host, rl.Remaining, rl.Limit)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
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
