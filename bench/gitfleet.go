package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
	"github.com/baseflow/baseflow/subscription"
	"github.com/baseflow/baseflow/subscription/gitsource"
)

// A git fleet is n subscriptions in real git repositories on disk, read through file:// URLs
// by gitsource, with their bases on a loopback registry. Each subscription is a small
// repository (fleet/sNNNN) holding a manifest of gitFleetPlatforms platforms (four images on
// amd64 and arm64) and their Dockerfiles, each Dockerfile distinct (it names its
// subscription); every image-info file is in one shared repository (fleet/info). The same
// commits are also the branches sNNNN of one repository (fleet/all), for the "branches" form.
//
// The repositories are made in one `git fast-import` run: the per-subscription repositories
// are bare repositories sharing its object directory (objects/info/alternates), each with a
// main branch, so that making 1,000 of them costs no git process per repository.
const (
	gitFleetPlatforms = 8
	gitFleetPool      = 40 // distinct bases over the fleet
)

// gitFleet is the fleet on disk and on the registry.
type gitFleet struct {
	dir  string // holds <dir>/fleet/<repo>
	srv  *registrytest.Server
	n    int
	want []int // stale paths of subscription k
}

// gitFleetBase is the k-th base of the pool, as the Dockerfiles name it.
func (f *gitFleet) base(i int) (repo, tag string) {
	return fmt.Sprintf("base/img%02d", i%10), fmt.Sprintf("v%d", i/10)
}

// subBases returns the four pool indexes subscription k builds on.
func subBases(k int) [4]int {
	return [4]int{(3 * k) % gitFleetPool, (3*k + 1) % gitFleetPool, (3*k + 7) % gitFleetPool, (3*k + 19) % gitFleetPool}
}

// newGitFleet writes n subscriptions' repositories under dir and pushes their bases to srv;
// moved pool bases then move, so that subscriptions built on them are stale.
func newGitFleet(dir string, srv *registrytest.Server, n int, moved []int) (*gitFleet, error) {
	f := &gitFleet{dir: dir, srv: srv, n: n, want: make([]int, n)}
	host := srv.Host()
	recorded := make([]string, gitFleetPool)
	platforms := []registry.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}
	for i := range gitFleetPool {
		repo, tag := f.base(i)
		idx, err := srv.PushIndex(repo, tag, registry.MediaTypeDockerManifestList, platforms...)
		if err != nil {
			return nil, err
		}
		recorded[i] = idx.Digest.String()
	}
	isMoved := map[int]bool{}
	for _, i := range moved {
		repo, tag := f.base(i)
		if _, err := srv.MoveTag(repo, tag); err != nil {
			return nil, err
		}
		isMoved[i] = true
	}

	all := filepath.Join(dir, "fleet", "all")
	if out, err := exec.Command("git", "init", "--quiet", "--bare", all).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("git init: %v: %s", err, out)
	}
	var stream bytes.Buffer
	inline := func(path string, data string) {
		fmt.Fprintf(&stream, "M 100644 inline %s\ndata %d\n%s\n", path, len(data), data)
	}
	commit := func(ref string, mark int) {
		fmt.Fprintf(&stream, "commit %s\nmark :%d\ncommitter baseflow <bench@example.com> 1700000000 +0000\ndata 6\nfleet\n", ref, mark)
	}
	var info []string
	for k := range n {
		name := fmt.Sprintf("s%04d", k)
		commit("refs/heads/"+name, k+1)
		var plats, records []string
		for j, b := range subBases(k) {
			repo, tag := f.base(b)
			for _, arch := range []string{"amd64", "arm64"} {
				df := fmt.Sprintf("src/%d/%s", j, arch)
				inline(df+"/Dockerfile", fmt.Sprintf("# %s image %d on %s\nARG REPO=%s/%s\nFROM $REPO:%s AS runtime\n"+
					"LABEL org.example.subscription=%s\nRUN apt-get update \\\n    && apt-get install -y --no-install-recommends ca-certificates \\\n"+
					"    && rm -rf /var/lib/apt/lists/*\nCOPY app/ /app/\nENTRYPOINT [\"/app/run\"]\n", name, j, arch, host, repo, tag, name))
				plats = append(plats, fmt.Sprintf(`{"dockerfile": %q, "os": "linux", "osVersion": "bookworm", "architecture": %q, "tags": {"%d-%s": {}}}`, df, arch, j, arch))
				records = append(records, fmt.Sprintf(`{"dockerfile": "%s/Dockerfile", "simpleTags": ["%d-%s"], "digest": "fleet/%s@sha256:%064x", `+
					`"baseImageDigest": "%s/%s@%s", "osType": "Linux", "osVersion": "bookworm", "architecture": %q, "commitUrl": ""}`,
					df, j, arch, name, k*gitFleetPlatforms+len(records)+1, host, repo, recorded[b], arch))
				if isMoved[b] {
					f.want[k]++
				}
			}
		}
		inline("manifest.json", fmt.Sprintf(`{"repos": [{"name": "fleet/%s", "images": [{"platforms": [%s]}]}]}`, name, strings.Join(plats, ", ")))
		info = append(info, fmt.Sprintf(`{"schemaVersion": "2.0", "repos": [{"repo": "fleet/%s", "images": [{"platforms": [%s]}]}]}`, name, strings.Join(records, ", ")))
	}
	commit("refs/heads/info", n+1)
	for k, doc := range info {
		inline(fmt.Sprintf("build/s%04d/image-info.json", k), doc)
	}
	marks := filepath.Join(dir, "marks")
	cmd := exec.Command("git", "--git-dir", all, "fast-import", "--quiet", "--export-marks="+marks)
	cmd.Stdin = &stream
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("git fast-import: %v: %s", err, out)
	}
	// Per-subscription repositories and the image-info repository: bare repositories whose
	// objects are those of fleet/all.
	commits, err := readMarks(marks)
	if err != nil {
		return nil, err
	}
	objects := filepath.Join(all, "objects")
	for k := range n + 1 {
		name := fmt.Sprintf("s%04d", k)
		if k == n {
			name = "info"
		}
		if err := bareRepo(filepath.Join(dir, "fleet", name), objects, commits[k+1]); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// readMarks reads a fast-import marks file (":<mark> <object id>" lines).
func readMarks(path string) (map[int]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[int]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var mark int
		var oid string
		if _, err := fmt.Sscanf(sc.Text(), ":%d %s", &mark, &oid); err != nil {
			return nil, fmt.Errorf("marks: %q: %w", sc.Text(), err)
		}
		out[mark] = oid
	}
	return out, sc.Err()
}

// bareRepo writes a bare repository at dir with branch main at commit, borrowing its objects
// from objects (gitrepository-layout: HEAD, config, refs, objects/info/alternates).
func bareRepo(dir, objects, commit string) error {
	files := map[string]string{
		"HEAD":                    "ref: refs/heads/main\n",
		"config":                  "[core]\n\trepositoryformatversion = 0\n\tbare = true\n",
		"refs/heads/main":         commit + "\n",
		"objects/info/alternates": objects + "\n",
	}
	for _, d := range []string{"refs/tags", "objects/pack"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// subscriptions returns the first n subscriptions, each in its own repository or, with
// branches, as branches of fleet/all.
func (f *gitFleet) subscriptions(n int, branches bool) []subscription.Subscription {
	subs := make([]subscription.Subscription, n)
	for k := range n {
		name := fmt.Sprintf("s%04d", k)
		s := &subs[k]
		s.Manifest = subscription.ManifestFile{Owner: "fleet", Repo: name, Branch: "main", Path: "manifest.json"}
		if branches {
			s.Manifest.Repo, s.Manifest.Branch = "all", name
		}
		s.ImageInfo = subscription.GitFile{Owner: "fleet", Repo: "info", Branch: "main", Path: "build/" + name + "/image-info.json"}
		s.PipelineTrigger = subscription.PipelineTrigger{ID: 1, PathVariable: "paths"}
	}
	return subs
}

// fleetRun is what one check of a git fleet cost.
type fleetRun struct {
	n                  int
	branches           bool
	wall, cpu, gitCPU  time.Duration
	peakRSS            uint64 // bytes; 0 when unknown
	git                gitsource.Stats
	repos              int
	heads, gets        int
	tokens, challenges int
	stale              int
	parsed             dockerfile.CacheStats
}

// checkGitFleet checks the first n subscriptions of f from fresh clones, with a fresh
// registry cache and parse cache, concurrency subscriptions at once.
func checkGitFleet(ctx context.Context, f *gitFleet, n int, branches bool, concurrency, lookups int) (fleetRun, error) {
	run := fleetRun{n: n, branches: branches, repos: n + 1}
	if branches {
		run.repos = 2
	}
	tmp, err := os.MkdirTemp("", "baseflow-bench-clones-")
	if err != nil {
		return run, err
	}
	defer os.RemoveAll(tmp)
	src, err := gitsource.New(
		gitsource.WithURLTemplate("file://"+filepath.ToSlash(f.dir)+"/{owner}/{repo}"),
		gitsource.WithTempDir(tmp),
		gitsource.WithEnv("GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1"),
	)
	if err != nil {
		return run, err
	}
	defer src.Close()
	client, err := remote.New(remote.WithPlainHTTP(f.srv.Host()), remote.WithCredentialFunc(anonymous))
	if err != nil {
		return run, err
	}
	cache := dockerfile.NewCache()
	checker := &check.Checker{
		Manifests:   src,
		Cache:       registry.NewCache(client, registry.WithConcurrency(lookups)),
		LoadRecords: depgraph.LoadImageInfoRecords,
		ParseCache:  cache,
		Concurrency: concurrency,
	}
	subs := f.subscriptions(n, branches)
	f.srv.ResetRequests()
	// Earlier rows' heaps go back to the system first: the peak is this run's.
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	childCPU0, _ := childUsage()
	smp, err := measure(func() error {
		for i, r := range checker.Check(ctx, subs) {
			if r.Err != nil {
				return fmt.Errorf("%s: %w", r.Subscription.ID(), r.Err)
			}
			if got := len(r.Paths()); got != f.want[i] {
				return fmt.Errorf("%s: %w: %d stale paths, want %d", r.Subscription.ID(), errMismatch, got, f.want[i])
			}
			run.stale += len(r.Paths())
		}
		return nil
	}, false)
	if err != nil {
		return run, err
	}
	childCPU1, _ := childUsage()
	run.wall, run.cpu, run.peakRSS = smp.wall, smp.cpu, peakRSS()
	run.gitCPU = childCPU1 - childCPU0
	run.git = src.Stats()
	run.parsed = cache.Stats()
	for _, req := range f.srv.Requests() {
		switch {
		case req.IsToken():
			run.tokens++
		case req.Status == http.StatusUnauthorized:
			run.challenges++
		case req.Method == http.MethodHead:
			run.heads++
		case req.Method == http.MethodGet:
			run.gets++
		}
	}
	return run, nil
}
