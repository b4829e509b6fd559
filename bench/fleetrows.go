package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
	"github.com/baseflow/baseflow/subscription/gitsource"
)

// The rows on fleets in git repositories and on the parse cache.
const (
	rowGitFleet = 7  // n subscriptions in n git repositories, and as branches of one
	rowRecheck  = 8  // warm re-check: the pure pass with a filled parse cache vs the floor
	rowColdGit  = 10 // cold check of dotnet-docker from a file:// git repository
)

// fleetRowSteps returns the rows of this file.
func (s *suite) fleetRowSteps() map[int]func(context.Context) error {
	return map[int]func(context.Context) error{rowGitFleet: s.rowGitFleet, rowRecheck: s.rowRecheck, rowMemory: s.rowMemory, rowColdGit: s.rowColdGit, rowWatch: s.rowWatch}
}

// Targets of the rows (see bench/README.md).
const (
	targetFleetWall        = 8 * time.Second // 1,000 subscriptions in 1,000 repositories
	targetBranchesWall     = 6 * time.Second // 1,000 subscriptions as branches of one repository
	targetGitPerRepository = 2.0
	targetRecheck          = 1.5 // warm pure pass / floor
	targetColdGit          = 2.0 // cold check wall / network bound
)

// rowGitFleet is row 7: checks of fleets of subscriptions in real git repositories against a
// loopback registry with latency and token authentication.
func (s *suite) rowGitFleet(ctx context.Context) error {
	sizes := s.cfg.fleetSizes
	largest := sizes[len(sizes)-1]
	srv := registrytest.New(registrytest.WithLatency(s.cfg.fleetLatency), registrytest.WithAnonymousPull())
	defer srv.Close()
	dir, err := os.MkdirTemp("", "baseflow-bench-fleet-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	f, err := newGitFleet(dir, srv, largest, []int{3, 17})
	if err != nil {
		return fmt.Errorf("git fleet: %w", err)
	}
	made := time.Since(start)

	var runs []fleetRun
	for _, branches := range []bool{false, true} {
		for _, n := range sizes {
			if err := ctx.Err(); err != nil {
				return err
			}
			r, err := checkGitFleet(ctx, f, n, branches, s.cfg.subscriptions, s.cfg.concurrency)
			if err != nil {
				return fmt.Errorf("git fleet of %d: %w", n, err)
			}
			runs = append(runs, r)
		}
	}
	s.printf("%d  Git fleet: n subscriptions (%d platforms each, %d distinct bases in all) in n repositories, then as n branches of one repository;\n",
		rowGitFleet, gitFleetPlatforms, gitFleetPool)
	s.printf("   image-info in one shared repository; file:// URLs; loopback registry, %v per request, anonymous tokens;\n", s.cfg.fleetLatency)
	s.printf("   %d subscriptions and %d lookups at once; fresh clones, registry cache and parse cache for each run (fleet made in %s)\n",
		s.cfg.subscriptions, s.cfg.concurrency, fmtDuration(made))
	t := newTable(s.out, "form", "subs", "repos", "wall", "CPU", "git CPU", "peak RSS", "git procs", "per repo", "fetches",
		"HEAD", "GET", "token", "401", "stale", "parsed")
	for _, r := range runs {
		form := "repositories"
		if r.branches {
			form = "branches"
		}
		t.row(form, fmt.Sprint(r.n), fmt.Sprint(r.repos), fmtDuration(r.wall), fmtDuration(r.cpu), fmtDuration(r.gitCPU),
			fmtBytes(r.peakRSS), fmt.Sprint(r.git.Processes),
			fmt.Sprintf("%.2f", float64(r.git.Processes)/float64(r.repos)), fmt.Sprint(r.git.Fetches),
			fmt.Sprint(r.heads), fmt.Sprint(r.gets), fmt.Sprint(r.tokens), fmt.Sprint(r.challenges), fmt.Sprint(r.stale),
			fmt.Sprint(r.parsed.Misses))
	}
	if err := t.flush(); err != nil {
		return err
	}
	for _, line := range []string{
		"CPU is baseflow's process (the loopback registry included); git CPU the git processes' (clones, fetches, readers),",
		"counted when they end (file:// URLs: the server side of each fetch runs here too). Peak RSS is baseflow's process during the run.",
		"git procs counts every git process the source started (gitsource.Stats); parsed is the Dockerfiles parsed (cache misses).",
	} {
		s.printf("   %s\n", line)
	}
	s.printf("\n")
	for _, r := range runs {
		if r.n != largest {
			continue
		}
		if r.branches {
			s.add(verdict{fmt.Sprint(rowGitFleet), fmt.Sprintf("%d subscriptions as branches of one repository, wall", r.n),
				fmtDuration(r.wall), "≤ " + fmtDuration(targetBranchesWall), atMost(float64(r.wall), float64(targetBranchesWall))})
			continue
		}
		s.add(verdict{fmt.Sprint(rowGitFleet), fmt.Sprintf("%d subscriptions in %d repositories, wall", r.n, r.n),
			fmtDuration(r.wall), "≤ " + fmtDuration(targetFleetWall), atMost(float64(r.wall), float64(targetFleetWall))})
		per := float64(r.git.Processes) / float64(r.repos)
		s.add(verdict{fmt.Sprint(rowGitFleet), fmt.Sprintf("git processes per repository (%d for %d)", r.git.Processes, r.repos),
			fmt.Sprintf("%.2f", per), fmt.Sprintf("≤ %.0f", targetGitPerRepository), atMost(per, targetGitPerRepository)})
		s.add(verdict{fmt.Sprint(rowGitFleet), fmt.Sprintf("peak RSS, %d small subscriptions", r.n), fmtBytes(r.peakRSS), "", ""})
	}
	return nil
}

// rowRecheck is row 8: a re-check of dotnet-docker with the parse cache filled by an earlier
// check, against the floor and against a cold pass.
func (s *suite) rowRecheck(context.Context) error {
	fx := s.fx
	fsys := os.DirFS(fx.dir)
	lookup := depgraph.MapLookup(fx.recorded)
	dockerfiles := fx.dockerfiles()
	cache := dockerfile.NewCache()
	pass := func(cache *dockerfile.Cache) func() error {
		return func() error {
			m, err := manifest.Load(fsys, manifestFile, manifest.Options{})
			if err != nil {
				return err
			}
			g, err := depgraph.Build(m, fsys, depgraph.Options{Cache: cache})
			if err != nil {
				return err
			}
			data, err := os.ReadFile(filepath.Join(fx.dir, imageInfoFile))
			if err != nil {
				return err
			}
			recs, err := depgraph.LoadImageInfoRecords(imageInfoFile, data, m)
			if err != nil {
				return err
			}
			res := depgraph.Stale(g, recs, lookup, depgraph.CheckOptions{})
			if n := len(res.Paths()); n != 0 {
				return fmt.Errorf("re-check: %w: %d stale paths on the up-to-date fixture", errMismatch, n)
			}
			return res.Err()
		}
	}
	floor := func() error { return floorPass(fsys, dockerfiles) }
	got, err := interleave(s.cfg.reps, pass(cache), pass(nil), floor)
	if err != nil {
		return err
	}
	warm, cold, f := got[0], got[1], got[2]
	st := cache.Stats()
	s.printf("%d  Warm re-check: the pure pass of dotnet-docker from disk with the parse cache filled by an earlier pass (%d of %d parses answered\n",
		rowRecheck, st.Hits, st.Hits+st.Misses)
	s.printf("   from the cache over all passes), a cold pass, and the floor of row 2; median of %d interleaved runs\n", max(s.cfg.reps, 1))
	t := newTable(s.out, "pass", "wall", "CPU", "allocs", "allocated", "wall / floor", "CPU / floor")
	for _, r := range []struct {
		name string
		smp  sample
	}{{"warm: Load, Build with the cache, image-info, Stale", warm}, {"cold: the same without a cache", cold}, {"floor: read the same files, JSON into map[string]any", f}} {
		t.row(r.name, fmtDuration(r.smp.wall), fmtDuration(r.smp.cpu), fmtCount(r.smp.allocs), fmtBytes(r.smp.bytes),
			times(ratio(r.smp.wall, f.wall)), times(ratio(r.smp.cpu, f.cpu)))
	}
	if err := t.flush(); err != nil {
		return err
	}
	s.printf("\n")
	v := ratio(warm.wall, f.wall)
	s.add(verdict{fmt.Sprint(rowRecheck), "warm re-check pure pass / floor, wall", times(v), fmt.Sprintf("≤ %.1fx", targetRecheck), atMost(v, targetRecheck)})
	if warm.cpu > 0 {
		v = ratio(warm.cpu, f.cpu)
		s.add(verdict{fmt.Sprint(rowRecheck), "warm re-check pure pass / floor, CPU", times(v), fmt.Sprintf("≤ %.1fx", targetRecheck), atMost(v, targetRecheck)})
	}
	return nil
}

// rowColdGit is row 10: the whole check of dotnet-docker, cold (fresh clone, parse cache and
// registry cache each time), from file:// git repositories against a loopback registry.
func (s *suite) rowColdGit(ctx context.Context) error {
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
	check := func() (checkRun, time.Duration, error) {
		tmp, err := os.MkdirTemp("", "baseflow-bench-clones-")
		if err != nil {
			return checkRun{}, 0, err
		}
		defer os.RemoveAll(tmp)
		src, err := gitsource.New(gitsource.WithURLTemplate("file://"+filepath.ToSlash(dir)+"/{owner}/{repo}"),
			gitsource.WithTempDir(tmp), gitsource.WithEnv("GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1"))
		if err != nil {
			return checkRun{}, 0, err
		}
		defer src.Close()
		var graphAt time.Duration
		r, err := e.run("cold", e.want, func(sp *span) ([]string, int, error) {
			client, err := remote.New(remote.WithPlainHTTP(e.srv.Host()), remote.WithCredentialFunc(anonymous))
			if err != nil {
				return nil, 0, err
			}
			start := time.Now()
			checker := &check.Checker{
				Manifests:   src,
				Cache:       registry.NewCache(spanResolver{client, sp}, registry.WithConcurrency(e.concurrency), registry.WithMirrors(e.mirrors)),
				LoadRecords: depgraph.LoadImageInfoRecords,
				ParseCache:  dockerfile.NewCache(),
			}
			res := checker.CheckOne(ctx, benchSubscription)
			if res.Err != nil {
				return nil, 0, res.Err
			}
			graphAt = sp.firstStart().Sub(start)
			return res.Paths(), sp.count(), nil
		})
		return r, graphAt, err
	}
	var runs []checkRun
	var graphs []time.Duration
	for range max(s.cfg.reps, 1) {
		r, g, err := check()
		if err != nil {
			return err
		}
		runs = append(runs, r)
		graphs = append(graphs, g)
	}
	slices.SortFunc(runs, func(a, b checkRun) int { return int(a.wall - b.wall) })
	slices.Sort(graphs)
	med := runs[len(runs)/2]
	waves := (len(s.fx.finals) + e.concurrency - 1) / e.concurrency
	bound := time.Duration(waves+2) * e.latency
	s.printf("%d  Cold check of dotnet-docker from git: file:// repositories dotnet/dotnet-docker (manifest, %d Dockerfiles) and dotnet/versions\n",
		rowColdGit, len(s.fx.dockerfiles()))
	s.printf("   (image-info); fresh clone, parse cache and registry cache each run; loopback registry, %v per request, anonymous tokens,\n", e.latency)
	s.printf("   %d lookups at once; median of %d runs\n", e.concurrency, len(runs))
	t := newTable(s.out, "wall", "first lookup at", "lookup time", "requests", "HEAD", "token", "network bound", "wall / bound")
	t.row(fmtDuration(med.wall), fmtDuration(graphs[len(graphs)/2]), fmtDuration(med.lookupTime), fmt.Sprint(med.requests), fmt.Sprint(med.heads),
		fmt.Sprint(med.tokens), fmtDuration(bound), times(ratio(med.wall, bound)))
	if err := t.flush(); err != nil {
		return err
	}
	s.printf("   network bound = (%d distinct final bases / %d, rounded up, + 2) x latency; \"first lookup at\" is when the graph was known\n\n",
		len(s.fx.finals), e.concurrency)
	v := ratio(med.wall, bound)
	s.add(verdict{fmt.Sprint(rowColdGit), "cold dotnet-docker check from git, wall / network bound", times(v), fmt.Sprintf("≤ %.0fx", targetColdGit), atMost(v, targetColdGit)})
	return nil
}

// dotnetRepos writes the fixture of e (its image-info recording e's registry) as two git
// repositories under a new directory: dotnet/dotnet-docker (manifest and Dockerfiles) and
// dotnet/versions (image-info). The caller removes the directory.
func dotnetRepos(ctx context.Context, e *checkEnv) (string, error) {
	dir, err := os.MkdirTemp("", "baseflow-bench-dotnet-")
	if err != nil {
		return "", err
	}
	for repo, keep := range map[string]func(string) bool{
		"dotnet-docker": func(p string) bool { return p != imageInfoFile },
		"versions":      func(p string) bool { return p == imageInfoFile },
	} {
		repoDir := filepath.Join(dir, "dotnet", repo)
		for name, file := range e.files {
			if file.Mode.IsDir() || !keep(name) {
				continue
			}
			p := filepath.Join(repoDir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return dir, err
			}
			if err := os.WriteFile(p, file.Data, 0o644); err != nil {
				return dir, err
			}
		}
		for _, args := range [][]string{{"init", "--quiet", "--initial-branch=main"}, {"add", "--all"},
			{"-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "--quiet", "-m", "fixture"}} {
			cmd := exec.CommandContext(ctx, "git", args...)
			cmd.Dir = repoDir
			cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
			if out, err := cmd.CombinedOutput(); err != nil {
				return dir, fmt.Errorf("git %s: %v: %s", args[0], err, out)
			}
		}
	}
	return dir, nil
}

// firstStart is when the first call of the span started.
func (s *span) firstStart() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}

// parseSizes reads the -fleet sizes.
func parseSizes(s string) ([]int, error) {
	sizes, err := parseInts(s, "fleet")
	if err != nil {
		return nil, err
	}
	for i, n := range sizes {
		if n < 1 || (i > 0 && n <= sizes[i-1]) {
			return nil, fmt.Errorf("-fleet: want increasing positive sizes, got %q", s)
		}
	}
	if len(sizes) == 0 {
		return nil, fmt.Errorf("-fleet: no size given")
	}
	return sizes, nil
}
