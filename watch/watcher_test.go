package watch_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/watch"
)

// accept takes events in and requires each to be of the given kind.
func accept(t *testing.T, w *watch.Watcher, kind watch.EventKind, events ...watch.Event) {
	t.Helper()
	for _, e := range events {
		got, err := w.Accept(e)
		require.NoError(t, err)
		require.Equal(t, kind, got, e.String())
	}
}

// settled waits until the watcher has no pending event and has run n checks of trigger.
func settled(t *testing.T, w *watch.Watcher, trigger watch.Trigger, n int64) {
	t.Helper()
	eventually(t, "the events are handled", func() bool {
		s := w.Stats()
		return s.Pending == 0 && s.Checks[trigger] >= n
	})
}

// waitRuns waits until n runs were reported to OnRun (which is called after the stats and
// the journal are updated) and returns them.
func waitRuns(t *testing.T, got *runs, n int) []watch.Run {
	t.Helper()
	eventually(t, "the runs are reported", func() bool { return len(got.get()) >= n })
	return got.get()
}

func TestBurstMakesOneCheckAndOneBuild(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var got runs
	cfg := f.config()
	cfg.Debounce = 100 * time.Millisecond
	cfg.OnRun = got.add
	w := start(t, cfg)

	require.NoError(t, f.static.Set("alpine:3.20", alpineV2))
	// A burst: the index and a re-push, each delivered twice, spelt three ways.
	burst := []watch.Event{
		push("docker.io", "library/alpine", "3.20", alpineV2),
		push("registry-1.docker.io", "library/alpine", "3.20", alpineV2),
		push("docker.io", "alpine", "3.20", "sha256:a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3"),
		{Format: watch.DockerHub, Action: "push", Host: "docker.io", Repository: "library/alpine", Tag: "3.20", Time: time.Unix(1772442847, 0)},
	}
	accept(t, w, watch.KindAccepted, burst[0])
	accept(t, w, watch.KindDuplicate, burst[1])
	accept(t, w, watch.KindAccepted, burst[2], burst[3])
	accept(t, w, watch.KindDuplicate, burst[3])
	settled(t, w, watch.TriggerEvent, 1)

	s := w.Stats()
	assert.Equal(t, int64(1), s.Checks[watch.TriggerEvent], "one check for the whole burst")
	assert.Equal(t, int64(1), s.Builds[dispatch.Queued])
	queued := f.rec.Queued()
	require.Len(t, queued, 1)
	assert.Equal(t, "github-actions octo/images workflow build.yml", queued[0].Pipeline)
	assert.Equal(t, "main", queued[0].Branch)
	assert.Equal(t, "--path 'src/app'", queued[0].Value)

	rs := waitRuns(t, &got, 1)
	require.Len(t, rs, 1)
	assert.Equal(t, []string{imagesID}, rs[0].Subscriptions, "only the subscription using alpine:3.20")
	assert.Len(t, rs[0].Events, 3)
	assert.Empty(t, rs[0].Failed)

	// A late redelivery of the tag's latest push changes nothing.
	accept(t, w, watch.KindDuplicate, burst[3])
	assert.Equal(t, 0, w.Stats().Pending)
}

// TestRollbackIsChecked: pushes A → B → A of one tag. The third is not a redelivery of the
// first: images rebuilt on B must be rebuilt on A. Redeliveries are still absorbed. With the
// registry's event ids (distribution, ACR) the ids tell them apart; without, the tag's latest
// digest does.
func TestRollbackIsChecked(t *testing.T) {
	t.Parallel()
	for _, withIDs := range []bool{true, false} {
		t.Run(fmt.Sprintf("event ids %v", withIDs), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			w := start(t, f.config())
			target := dispatch.Target{Backend: subscription.GitHubActions, Owner: "octo", Repo: "images", Workflow: "build.yml"}
			ev := func(id string, d digest.Digest) watch.Event {
				e := push("registry-1.docker.io", "library/alpine", "3.20", d)
				if withIDs {
					e.ID = id
				}
				return e
			}
			a1, b, a2 := ev("e1", alpineV1), ev("e2", alpineV2), ev("e3", alpineV1)

			accept(t, w, watch.KindAccepted, a1) // A, as image-info records it: nothing to do
			settled(t, w, watch.TriggerEvent, 1)
			accept(t, w, watch.KindDuplicate, a1)

			require.NoError(t, f.static.Set("alpine:3.20", alpineV2))
			accept(t, w, watch.KindAccepted, b)
			settled(t, w, watch.TriggerEvent, 2)
			require.Len(t, f.rec.Queued(), 1, "rebuilt on B")
			// The build ran: image-info records B, the run is over.
			f.source.set("octo", "images", "image-info", map[string]string{
				"image-info.json": imageInfo("app", [3]string{"src/app", "alpine3.20", "alpine@" + string(alpineV2)}, [3]string{"src/tool", "bookworm", "debian@" + string(debianV1)}),
			})
			f.rec.Pipeline(target).SetActive()
			accept(t, w, watch.KindDuplicate, b)

			require.NoError(t, f.static.Set("alpine:3.20", alpineV1))
			accept(t, w, watch.KindAccepted, a2)
			settled(t, w, watch.TriggerEvent, 3)
			queued := f.rec.Queued()
			require.Len(t, queued, 2, "rebuilt on A again")
			assert.Equal(t, "--path 'src/app'", queued[1].Value)
			accept(t, w, watch.KindDuplicate, a2)
			assert.Equal(t, int64(3), w.Stats().Events[watch.Distribution][watch.KindDuplicate])
			// A late redelivery of B is no longer the tag's latest push: it is taken as a
			// new push, which costs one more check.
			accept(t, w, watch.KindAccepted, b)
		})
	}
}

func TestEventsDuringACheckMakeOneFollowUp(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var got runs
	cfg := f.config()
	cfg.OnRun = got.add
	w := start(t, cfg)

	f.resolver.mu.Lock()
	gate, entered := make(chan struct{}), make(chan struct{}, 10)
	f.resolver.gate, f.resolver.entered = gate, entered
	f.resolver.mu.Unlock()

	require.NoError(t, f.static.Set("alpine:3.20", alpineV2))
	accept(t, w, watch.KindAccepted, push("docker.io", "library/alpine", "3.20", alpineV2))
	<-entered // the first check is looking alpine up

	// Three more pushes while it runs, more than a debounce delay apart from the first.
	third := digest.Digest("sha256:a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3")
	fourth := digest.Digest("sha256:a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4")
	accept(t, w, watch.KindAccepted, push("docker.io", "library/alpine", "3.20", third), push("docker.io", "library/alpine", "3.20", fourth))
	require.NoError(t, f.static.Set("alpine:3.20", fourth))
	time.Sleep(3 * cfg.Debounce) // let the follow-up's timer fire while the first check is held
	f.resolver.mu.Lock()
	f.resolver.gate = nil
	f.resolver.mu.Unlock()
	close(gate)

	rs := waitRuns(t, &got, 2)
	assert.Len(t, rs[0].Events, 1)
	assert.Len(t, rs[1].Events, 2, "the follow-up checks both events that came during the check")
	require.Len(t, f.rec.Queued(), 1, "the follow-up finds the first build active")
	assert.Equal(t, dispatch.SkippedActive, rs[1].Outcome.Queued[0].Outcome)
	assert.Equal(t, []string{imagesID}, rs[1].Waiting)
	assert.Empty(t, rs[1].Failed)
	assert.Equal(t, 2, w.Stats().Pending, "the active run started before the two pushes: they stay pending")
}

// TestActiveRunKeepsEventsPending: a push that comes while a run of the pipeline is active
// (a run that started before the push, and cannot contain it) is not done when the check
// finds the pipeline busy; it is checked again until the run ends, then queued.
func TestActiveRunKeepsEventsPending(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var got runs
	cfg := f.config()
	cfg.OnRun = got.add
	cfg.ActiveRunRetry = 20 * time.Millisecond
	w := start(t, cfg)
	target := dispatch.Target{Backend: subscription.GitHubActions, Owner: "octo", Repo: "images", Workflow: "build.yml"}
	pipeline := f.rec.Pipeline(target)
	pipeline.SetActive(dispatch.Run{ID: 7, Status: dispatch.RunInProgress})

	require.NoError(t, f.static.Set("alpine:3.20", alpineV2))
	accept(t, w, watch.KindAccepted, push("docker.io", "library/alpine", "3.20", alpineV2))
	rs := waitRuns(t, &got, 3)
	for _, r := range rs[:3] {
		require.NotNil(t, r.Outcome)
		assert.Equal(t, dispatch.SkippedActive, r.Outcome.Queued[0].Outcome)
		assert.Equal(t, []string{imagesID}, r.Waiting)
		assert.Len(t, r.Events, 1, "the same event, checked again")
	}
	assert.Equal(t, 1, w.Stats().Pending, "not done while the run is active")
	assert.Empty(t, f.rec.Queued())

	pipeline.SetActive() // the run ends
	settled(t, w, watch.TriggerEvent, 4)
	queued := f.rec.Queued()
	require.Len(t, queued, 1, "queued once the run ended")
	assert.Equal(t, "--path 'src/app'", queued[0].Value)
	assert.Equal(t, 0, w.Stats().Pending)
}

// TestActiveRunWaitIsBounded: events wait for an active run at most ActiveRunMaxWait.
func TestActiveRunWaitIsBounded(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg := f.config()
	cfg.ActiveRunRetry = 10 * time.Millisecond
	cfg.ActiveRunMaxWait = 50 * time.Millisecond
	w := start(t, cfg)
	f.rec.Pipeline(dispatch.Target{Backend: subscription.GitHubActions, Owner: "octo", Repo: "images", Workflow: "build.yml"}).
		SetActive(dispatch.Run{ID: 7, Status: dispatch.RunInProgress})
	require.NoError(t, f.static.Set("alpine:3.20", alpineV2))
	accept(t, w, watch.KindAccepted, push("docker.io", "library/alpine", "3.20", alpineV2))
	settled(t, w, watch.TriggerEvent, 2)
	assert.Contains(t, f.logs.String(), "the pipeline's runs stayed active too long")
	assert.Empty(t, f.rec.Queued())
}

func TestIndexFinalStageBasesOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w := start(t, f.config())

	tests := []struct {
		event watch.Event
		want  []string
	}{
		{push("docker.io", "library/alpine", "3.20", alpineV2), []string{imagesID}},
		{push("docker.io", "library/debian", "bookworm", debianV1), []string{imagesID, otherID}},
		{push("docker.io", "library/golang", "1.24", golangV1), nil}, // a builder stage's base
		{push("docker.io", "library/alpine", "3.21", alpineV2), nil}, // another tag
		{push("quay.io", "library/alpine", "3.20", alpineV2), nil},   // another registry
		{push("docker.io", "library/alpine", "", alpineV2), nil},     // by digest: matches no tag
		{watch.Event{Action: "pull", Host: "docker.io", Repository: "library/alpine", Tag: "3.20"}, nil},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, w.Match(tt.event), tt.event.String())
	}

	accept(t, w, watch.KindAccepted, push("docker.io", "library/golang", "1.24", "sha256:9999999999999999999999999999999999999999999999999999999999999999"))
	accept(t, w, watch.KindIgnored, push("docker.io", "library/alpine", "", alpineV2))
	s := w.Stats()
	assert.Equal(t, int64(1), s.Unmatched, "the builder base push triggers nothing")
	assert.Equal(t, 0, s.Pending)
	assert.Zero(t, s.Checks[watch.TriggerEvent])
	assert.Equal(t, 2, s.Indexed)
}

func TestIndexMirrorsAndOverrides(t *testing.T) {
	t.Parallel()
	f := newFixture(t, registry.WithMirrors(registry.Mirrors{"docker.io": "myacr.azurecr.io/mirror"}))
	w := start(t, f.config())
	acr, err := watch.Parse(watch.ACR, readSample(t, "acr-push.json"))
	require.NoError(t, err)
	assert.Equal(t, []string{imagesID}, w.Match(acr[0]), "a push to the mirror of docker.io/library/alpine:3.20")
	assert.Equal(t, []string{imagesID}, w.Match(push("docker.io", "alpine", "3.20", alpineV2)), "and to Docker Hub itself")

	plain := start(t, newFixture(t).config())
	assert.Empty(t, plain.Match(acr[0]), "without the mirror the ACR repository is another image")
}

func TestRestartReplaysTheJournal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dir := t.TempDir()
	cfg := f.config()
	cfg.JournalDir = dir
	cfg.Debounce = time.Hour // nothing is checked before the restart

	first, err := watch.New(cfg)
	require.NoError(t, err)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- first.Run(ctx) }()
	<-first.Ready()
	require.NoError(t, f.static.Set("debian:bookworm", "sha256:d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2"))
	accept(t, first, watch.KindAccepted, push("docker.io", "library/debian", "bookworm", "sha256:d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2"))
	accept(t, first, watch.KindAccepted, push("docker.io", "library/golang", "1.24", golangV1)) // unmatched: not journaled
	stop()
	require.NoError(t, <-done)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 1, "the pending event is in the journal")
	assert.Empty(t, f.rec.Queued())

	cfg.Debounce = 10 * time.Millisecond
	second := start(t, cfg)
	settled(t, second, watch.TriggerEvent, 2)
	queued := f.rec.Queued()
	require.Len(t, queued, 2, "both subscriptions use debian:bookworm")
	values := []string{queued[0].Pipeline + " " + queued[0].Value, queued[1].Pipeline + " " + queued[1].Value}
	assert.ElementsMatch(t, []string{
		"github-actions octo/images workflow build.yml --path 'src/tool'",
		"github-actions octo/other workflow build.yml --path 'src/base'",
	}, values)
	files, err = filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	assert.Empty(t, files, "handled events leave the journal")
	accept(t, second, watch.KindDuplicate, push("docker.io", "library/debian", "bookworm", "sha256:d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2"))
}

func TestFailedCheckIsRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dir := t.TempDir()
	var got runs
	cfg := f.config()
	cfg.JournalDir = dir
	cfg.OnRun = got.add
	w := start(t, cfg)

	f.resolver.mu.Lock()
	f.resolver.fails, f.resolver.failOnly = 1, "alpine:3.20"
	f.resolver.mu.Unlock()
	require.NoError(t, f.static.Set("alpine:3.20", alpineV2))
	accept(t, w, watch.KindAccepted, push("docker.io", "library/alpine", "3.20", alpineV2))
	settled(t, w, watch.TriggerEvent, 2)

	rs := waitRuns(t, &got, 2)
	require.Len(t, rs, 2)
	assert.Equal(t, []string{imagesID}, rs[0].Failed, "the lookup failed")
	assert.Empty(t, rs[1].Failed)
	assert.Equal(t, rs[0].Events, rs[1].Events, "the retry handles the same event")
	s := w.Stats()
	assert.Equal(t, int64(1), s.FailedChecks[watch.TriggerEvent])
	assert.Equal(t, int64(1), s.FailedLookups)
	require.Len(t, f.rec.Queued(), 1)
	assert.Equal(t, "--path 'src/app'", f.rec.Queued()[0].Value)
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg := f.config()
	cfg.MaxAttempts = 3
	w := start(t, cfg)
	f.source.mu.Lock()
	f.source.fail = errors.New("git server down")
	f.source.mu.Unlock()
	accept(t, w, watch.KindAccepted, push("docker.io", "library/alpine", "3.20", alpineV2))
	settled(t, w, watch.TriggerEvent, 3)
	s := w.Stats()
	assert.Equal(t, int64(3), s.Checks[watch.TriggerEvent])
	assert.Equal(t, int64(3), s.FailedChecks[watch.TriggerEvent])
	assert.Contains(t, f.logs.String(), "giving up on the events")
	assert.Empty(t, f.rec.Queued())
}

func TestFullCheck(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	require.NoError(t, f.static.Set("debian:bookworm", "sha256:d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2"))
	cfg := f.config()
	cfg.Interval = time.Hour // the first full check runs at start-up
	before := time.Now()
	w := start(t, cfg)
	eventually(t, "the full check succeeds", func() bool { return !w.Stats().LastFullCheck.IsZero() })
	s := w.Stats()
	assert.Equal(t, int64(2), s.Checks[watch.TriggerFull])
	assert.False(t, s.LastFullCheck.Before(before))
	assert.Equal(t, int64(3), s.Lookups, "alpine and debian for one, debian for the other")
	assert.Len(t, f.rec.Queued(), 2)
	assert.Equal(t, int64(2), s.Builds[dispatch.Queued])
}

func TestIndexRefreshSeesNewBases(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg := f.config()
	cfg.Refresh = 20 * time.Millisecond
	w := start(t, cfg)
	ev := push("docker.io", "library/alpine", "3.21", alpineV2)
	require.Empty(t, w.Match(ev))
	f.source.set("octo", "other", "main", map[string]string{
		"manifest.json":       otherManifest,
		"src/base/Dockerfile": "FROM alpine:3.21\n",
	})
	eventually(t, "the index sees the new base", func() bool { return len(w.Match(ev)) == 1 })
	assert.Equal(t, []string{otherID}, w.Match(ev))
	assert.Equal(t, []string{imagesID}, w.Match(push("docker.io", "library/debian", "bookworm", debianV1)), "and forgets the old one")
}

func TestShutdownKeepsUnhandledEvents(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dir := t.TempDir()
	cfg := f.config()
	cfg.JournalDir = dir
	cfg.ShutdownTimeout = 50 * time.Millisecond
	w, err := watch.New(cfg)
	require.NoError(t, err)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	<-w.Ready()

	f.resolver.mu.Lock()
	gate, entered := make(chan struct{}), make(chan struct{}, 10)
	f.resolver.gate, f.resolver.entered = gate, entered
	f.resolver.mu.Unlock()
	accept(t, w, watch.KindAccepted, push("docker.io", "library/alpine", "3.20", alpineV2))
	<-entered
	stop() // the check hangs: it is cancelled after the shutdown timeout
	require.NoError(t, <-done)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "the event is still in the journal")
	assert.Empty(t, f.rec.Queued())
}

// TestRollbackDuringACheck: A is being checked when B, then A again, are pushed (no event
// ids). The check may have looked the tag up before either; the follow-up checks both, and A
// stays in the journal until it has.
func TestRollbackDuringACheck(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var got runs
	cfg := f.config()
	cfg.OnRun = got.add
	cfg.JournalDir = t.TempDir()
	w := start(t, cfg)

	f.resolver.mu.Lock()
	gate, entered := make(chan struct{}), make(chan struct{}, 10)
	f.resolver.gate, f.resolver.entered = gate, entered
	f.resolver.mu.Unlock()

	a, b := push("docker.io", "library/alpine", "3.20", alpineV2), push("docker.io", "library/alpine", "3.20", alpineV1)
	accept(t, w, watch.KindAccepted, a)
	accept(t, w, watch.KindDuplicate, a)
	<-entered // the check of A is looking the tag up
	accept(t, w, watch.KindAccepted, b)
	accept(t, w, watch.KindAccepted, a) // back to A: not a redelivery
	accept(t, w, watch.KindDuplicate, a)
	assert.Equal(t, 2, w.Stats().Pending)
	f.resolver.mu.Lock()
	f.resolver.gate = nil
	f.resolver.mu.Unlock()
	close(gate)
	settled(t, w, watch.TriggerEvent, 2)
	rs := waitRuns(t, &got, 2)
	assert.Equal(t, []watch.Event{a}, rs[0].Events)
	assert.ElementsMatch(t, []watch.Event{a, b}, rs[1].Events, "the follow-up checks A again")
}
