package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/dispatchtest"
	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/remote"
	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/subscription/gitsource"
	"github.com/baseflow/baseflow/watch"
)

// rowWatch is row 11: from a registry push event to the rebuild queued, through a watcher
// on dotnet-docker in file:// git repositories.
const rowWatch = 11

// targetWatch is the push → queued target.
const targetWatch = 400 * time.Millisecond

func (s *suite) rowWatch(ctx context.Context) error {
	e, err := newCheckEnv(s.fx, s.cfg.fleetLatency, s.cfg.concurrency)
	if err != nil {
		return err
	}
	defer e.Close()
	dir, err := dotnetRepos(ctx, e)
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	clones, err := os.MkdirTemp("", "baseflow-bench-clones-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(clones)

	src, err := gitsource.New(gitsource.WithURLTemplate("file://"+filepath.ToSlash(dir)+"/{owner}/{repo}"),
		gitsource.WithTempDir(clones), gitsource.WithEnv("GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1"))
	if err != nil {
		return err
	}
	defer src.Close()
	client, err := remote.New(remote.WithPlainHTTP(e.srv.Host()), remote.WithCredentialFunc(anonymous))
	if err != nil {
		return err
	}
	rec := dispatchtest.NewRecorder()
	runs := make(chan watch.Run, 16)
	w, err := watch.New(watch.Config{
		Subscriptions: []subscription.Subscription{benchSubscription},
		Checker: &check.Checker{
			Cache:       registry.NewCache(client, registry.WithConcurrency(e.concurrency), registry.WithMirrors(e.mirrors)),
			LoadRecords: depgraph.LoadImageInfoRecords,
			ParseCache:  dockerfile.NewCache(),
		},
		// As watch-registry (setup.Check.PassSources): one git source for the watcher's life,
		// refreshed for each pass, so that a check fetches into the repositories it has.
		Sources: func() (subscription.Source, subscription.Source, error) {
			src.Refresh()
			return passSource{src}, passSource{src}, nil
		},
		Dispatcher:     &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: rec}},
		InsecureNoAuth: true,
		Debounce:       -1,
		Interval:       -1,
		Refresh:        -1,
		OnRun:          func(r watch.Run) { runs <- r },
		Logger:         slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- w.Run(runCtx) }()
	defer func() {
		cancel()
		<-done
	}()
	select {
	case <-w.Ready():
	case <-time.After(time.Minute):
		return fmt.Errorf("watch: not ready after a minute")
	}
	ready := time.Since(start)

	var latencies []time.Duration
	var requests []int // registry requests of each push's check
	var queued int
	for i := range max(s.cfg.reps, 1) {
		ref := movedBases[i%len(movedBases)]
		repo, tag, err := e.target(ref)
		if err != nil {
			return err
		}
		d, err := e.srv.MoveTag(repo, tag)
		if err != nil {
			return err
		}
		before := len(rec.Queued())
		e.srv.ResetRequests()
		t0 := time.Now()
		kind, err := w.Accept(watch.Event{Format: watch.Distribution, Action: "push", Host: e.srv.Host(), Repository: repo, Tag: tag, Digest: d.String()})
		if err != nil || kind != watch.KindAccepted {
			// A push of the same tag and digest as an earlier one is a duplicate: each
			// push moves the tag.
			return fmt.Errorf("watch: event for %s: %v (%s)", ref, err, kind)
		}
		select {
		case r := <-runs:
			latencies = append(latencies, time.Since(t0))
			requests = append(requests, len(e.srv.Requests()))
			if r.Err != nil || len(r.Failed) > 0 {
				return fmt.Errorf("watch: the check of %s failed: %v %v", ref, r.Err, r.Failed)
			}
		case <-time.After(time.Minute):
			return fmt.Errorf("watch: no check a minute after the push of %s", ref)
		}
		queued += len(rec.Queued()) - before
		// The build queued has run: the next push finds no active run.
		rec.Pipeline(dispatch.TargetOf(benchSubscription)).SetActive()
	}
	sorted := slices.Clone(latencies)
	slices.Sort(sorted)
	med := sorted[len(sorted)/2]
	slices.Sort(requests)
	s.printf("%d  Watch: push event → check → rebuild queued, one watcher on dotnet-docker (file:// git; each check fetches the branches\n", rowWatch)
	s.printf("   again into the repositories it has, as watch-registry does), no debounce, loopback registry %v per request with anonymous\n", e.latency)
	s.printf("   tokens, shared parse cache;")
	s.printf(" %d pushes of moved bases, one at a time\n", len(latencies))
	t := newTable(s.out, "start-up (index)", "push → queued, median", "min", "max", "registry requests per push, median", "builds queued")
	t.row(fmtDuration(ready), fmtDuration(med), fmtDuration(sorted[0]), fmtDuration(sorted[len(sorted)-1]), fmt.Sprint(requests[len(requests)/2]), fmt.Sprint(queued))
	if err := t.flush(); err != nil {
		return err
	}
	s.printf("   (after each push the recorded build is marked finished, so each push queues one)\n\n")
	s.add(verdict{fmt.Sprint(rowWatch), "watch: push → queued, dotnet-docker, no debounce", fmtDuration(med), "≤ " + fmtDuration(targetWatch),
		atMost(float64(med), float64(targetWatch))})
	return nil
}

// passSource is a source shared by the watcher's passes: closing it leaves it open.
type passSource struct{ *gitsource.Source }

func (passSource) Close() error { return nil }
