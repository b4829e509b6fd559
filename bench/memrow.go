package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/subscription"
)

// rowMemory is row 9: the peak RSS of checking many dotnet-sized subscriptions, with compact
// results (each keeps its summary) and, on a tenth of the fleet, with full results (each keeps
// its graph, as the engine did), to show what a result costs.
const rowMemory = 9

// targetMemoryRSS is the peak RSS target for 1,000 dotnet-sized subscriptions.
const targetMemoryRSS = 300e6

// memRun is one check of a dotnet-sized fleet.
type memRun struct {
	n        int
	compact  bool
	wall     time.Duration
	cpu      time.Duration
	before   uint64 // RSS before the run
	peak     uint64 // peak RSS during the run
	retained uint64 // live heap after the run, results held
	stale    int
}

func (s *suite) rowMemory(ctx context.Context) error {
	fx := s.fx
	e, err := newCheckEnv(fx, 0, s.cfg.concurrency)
	if err != nil {
		return err
	}
	defer e.Close()
	digests := map[string]digest.Digest{}
	for ref, d := range e.current {
		digests[ref] = digest.Digest(d)
	}
	static, err := registry.NewStatic(digests)
	if err != nil {
		return err
	}
	n := s.cfg.dotnetFleet
	run := func(n int, compact bool) (memRun, error) {
		subs := make([]subscription.Subscription, n)
		for k := range subs {
			subs[k] = benchSubscription
			subs[k].Manifest.Repo = fmt.Sprintf("dotnet-docker-%04d", k)
		}
		checker := &check.Checker{
			Manifests:   fsSource{e.files},
			Cache:       registry.NewCache(static),
			LoadRecords: depgraph.LoadImageInfoRecords,
			ParseCache:  dockerfile.NewCache(),
			Concurrency: s.cfg.subscriptions,
			Compact:     compact,
		}
		runtime.GC()
		debug.FreeOSMemory()
		r := memRun{n: n, compact: compact, before: currentRSS()}
		resetPeakRSS()
		var results []*check.SubscriptionResult
		smp, err := measure(func() error {
			results = checker.Check(ctx, subs)
			for _, res := range results {
				if res.Err != nil {
					return res.Err
				}
				r.stale += len(res.Paths())
			}
			return nil
		}, true)
		if err != nil {
			return r, err
		}
		if r.stale != n*len(e.want) {
			return r, fmt.Errorf("dotnet fleet: %w: %d stale paths, want %d", errMismatch, r.stale, n*len(e.want))
		}
		r.wall, r.cpu, r.peak, r.retained = smp.wall, smp.cpu, peakRSS(), smp.retained
		runtime.KeepAlive(results)
		return r, nil
	}
	full, err := run(max(1, n/10), false)
	if err != nil {
		return err
	}
	compact, err := run(n, true)
	if err != nil {
		return err
	}
	s.printf("%d  Memory: n dotnet-sized subscriptions (each the dotnet-docker fixture, %d platforms, in memory; parse cache shared, so\n",
		rowMemory, len(fx.dockerfiles()))
	s.printf("   Dockerfiles parse once), %d checked at once, lookups answered in memory; compact results keep their summary,\n", s.cfg.subscriptions)
	s.printf("   full results their graph and stale computation (the engine's former results)\n")
	t := newTable(s.out, "results", "subs", "wall", "CPU", "RSS before", "peak RSS", "retained heap", "retained / sub", "stale")
	for _, r := range []memRun{full, compact} {
		kind := "full"
		if r.compact {
			kind = "compact"
		}
		t.row(kind, fmt.Sprint(r.n), fmtDuration(r.wall), fmtDuration(r.cpu), fmtBytes(r.before), fmtBytes(r.peak), fmtBytes(r.retained),
			fmtBytes(r.retained/uint64(r.n)), fmtCount(uint64(r.stale)))
	}
	if err := t.flush(); err != nil {
		return err
	}
	extrapolated := full.before + uint64(float64(full.retained)/float64(full.n)*float64(n))
	s.printf("   full results at %d subscriptions would hold about %s (RSS before + retained per subscription x %d)\n\n", n, fmtBytes(extrapolated), n)
	s.add(verdict{fmt.Sprint(rowMemory), fmt.Sprintf("peak RSS, %d dotnet-sized subscriptions, compact results", n), fmtBytes(compact.peak),
		fmt.Sprintf("≤ %s", fmtBytes(targetMemoryRSS)), atMost(float64(compact.peak), targetMemoryRSS)})
	return nil
}
