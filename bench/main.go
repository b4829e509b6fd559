// Command bench measures baseflow side by side with simpler ways of doing the same work, in
// one run, and prints each result as a ratio (see README.md):
//
//  1. lookup strategy: the stale check of the dotnet-docker fixture against a loopback
//     registry with injected latency, with baseflow's resolver, with ImageBuilder's (one GET at
//     a time) and with a `crane digest` loop (one HEAD per platform); then lookups alone;
//  2. pure pass: the CPU part of the check against reading and decoding the same bytes;
//  3. scaling: the pure pass and the check on fleets of 1, 10 and 100 copies of the fixture;
//  4. merge: merging 16 per-job image-info files against decoding and encoding them;
//  5. large inputs: a merge of 5,000 and 20,000 images and a 2,000- and 8,000-deep FROM
//     chain, whose costs per image must not grow with the size;
//  7. git fleet: fleets of 10 to 1,000 subscriptions in real git repositories (and as branches
//     of one), against a loopback registry with latency and tokens;
//  8. warm re-check: the pure pass with a filled parse cache against the floor;
//  9. memory: the peak RSS of checking 1,000 dotnet-sized subscriptions;
//  10. cold check of dotnet-docker from git, against its network bound;
//  11. watch: from a registry push event to the rebuild queued.
//
// Usage:
//
//	go run ./bench [-rows 1,2,3,4,5,7,8,9,10,11] [-latency 20ms] [-concurrency 16] [-scales 1,10,100] [-reps 5]
//	               [-fleet 10,100,1000] [-fleet-latency 50ms] [-subscriptions 8] [-dotnet-fleet 1000]
//
// It exits with status 1 only when it could not run (including when compared strategies
// disagree on a result), never because a target was missed.
package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// config is the command line.
type config struct {
	latency     time.Duration
	concurrency int
	rows        []int
	scales      []int
	reps        int
	tags, repos int
	// rows 7, 8 and 10
	fleetSizes    []int
	fleetLatency  time.Duration
	subscriptions int
	dotnetFleet   int
	testdata      string
	cpuprofile    string
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		stop()
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	cfg := config{}
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	fs.DurationVar(&cfg.latency, "latency", 20*time.Millisecond, "latency the loopback registries add to every request (rows 1 and 3)")
	fs.IntVar(&cfg.concurrency, "concurrency", 16, "lookups baseflow's cache runs at once (rows 1 and 3)")
	rows := fs.String("rows", "1,2,3,4,5,7,8,9,10,11", "rows to run, comma-separated")
	fleet := fs.String("fleet", "10,100,1000", "fleet sizes of row 7, in subscriptions, comma-separated, increasing")
	fs.DurationVar(&cfg.fleetLatency, "fleet-latency", 50*time.Millisecond, "latency the loopback registry adds to every request (rows 7 and 10)")
	fs.IntVar(&cfg.subscriptions, "subscriptions", 8, "subscriptions checked at once (rows 7 and 9)")
	fs.IntVar(&cfg.dotnetFleet, "dotnet-fleet", 1000, "dotnet-sized subscriptions of row 9")
	scales := fs.String("scales", "1,10,100", "fleet sizes of row 3, in copies of the fixture, comma-separated, increasing")
	fs.IntVar(&cfg.reps, "reps", 5, "interleaved runs per side in rows 2 and 4, runs of baseflow's check in row 1 (medians are printed)")
	fs.IntVar(&cfg.tags, "tags", 200, "distinct tags of the lookups-alone part of row 1")
	fs.IntVar(&cfg.repos, "repos", 20, "repositories those tags are spread over")
	fs.StringVar(&cfg.testdata, "testdata", "", "`DIR` of the dotnet-docker fixture (default: testdata/dotnet-docker in the working directory or a parent)")
	fs.StringVar(&cfg.cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run to `FILE` (go tool pprof -top FILE)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: go run ./bench [flags]\n\n"+
			"Measures baseflow side by side with simpler ways of doing the same work and prints ratios:\n"+
			"  1 lookup strategy (check with baseflow's resolver, ImageBuilder's serial GETs, a crane digest loop; lookups alone)\n"+
			"  2 pure pass (CPU part of a check) vs reading and decoding the same bytes\n"+
			"  3 scaling of the pure pass and the check on fleets of copies of the fixture\n"+
			"  4 merging 16 per-job image-info files vs decoding and encoding them\n"+
			"  5 large inputs: merges of 5,000 and 20,000 images, FROM chains 2,000 and 8,000 deep\n"+
			"  7 git fleet: 10 to 1,000 subscriptions in git repositories (and as branches of one), wall, CPU, RSS, git processes\n"+
			"  8 warm re-check: the pure pass with a filled parse cache vs the floor\n"+
			"  9 memory: peak RSS of checking 1,000 dotnet-sized subscriptions\n"+
			"  10 cold dotnet-docker check from git vs its network bound\n"+
			"  11 watch: registry push event to rebuild queued\n"+
			"See bench/README.md. Exits 1 only when it could not run.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	if cfg.rows, err = parseInts(*rows, "rows"); err != nil {
		return cfg, err
	}
	seen := map[int]bool{}
	rowList := cfg.rows[:0]
	for _, r := range cfg.rows {
		if !knownRow(r) {
			return cfg, fmt.Errorf("-rows: no row %d (rows are 1 to 5 and 7 to 11)", r)
		}
		if !seen[r] {
			seen[r] = true
			rowList = append(rowList, r)
		}
	}
	if cfg.rows = rowList; len(cfg.rows) == 0 {
		return cfg, fmt.Errorf("-rows: no row given")
	}
	if cfg.fleetSizes, err = parseSizes(*fleet); err != nil {
		return cfg, err
	}
	if cfg.subscriptions < 1 || cfg.dotnetFleet < 1 || cfg.fleetLatency < 0 {
		return cfg, fmt.Errorf("-subscriptions and -dotnet-fleet must be positive and -fleet-latency not negative")
	}
	if cfg.scales, err = parseInts(*scales, "scales"); err != nil {
		return cfg, err
	}
	for i, n := range cfg.scales {
		if n < 1 || (i > 0 && n <= cfg.scales[i-1]) {
			return cfg, fmt.Errorf("-scales: want increasing positive sizes, got %q", *scales)
		}
	}
	if len(cfg.scales) == 0 {
		return cfg, fmt.Errorf("-scales: no size given")
	}
	switch {
	case cfg.latency < 0:
		return cfg, fmt.Errorf("-latency must not be negative")
	case cfg.concurrency < 1 || cfg.reps < 1 || cfg.tags < 1 || cfg.repos < 1:
		return cfg, fmt.Errorf("-concurrency, -reps, -tags and -repos must be positive")
	}
	return cfg, nil
}

// knownRow reports whether the bench has a row r.
func knownRow(r int) bool {
	return (r >= 1 && r <= 5) || r == rowGitFleet || r == rowRecheck || r == rowMemory || r == rowColdGit || r == rowWatch
}

func parseInts(s, name string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("-%s: %q is not a number", name, f)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(ctx context.Context, cfg config) error {
	start := time.Now()
	if cfg.cpuprofile != "" {
		f, err := os.Create(cfg.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	dir, err := findFixture(cfg.testdata)
	if err != nil {
		return err
	}
	fx, err := loadFixture(dir)
	if err != nil {
		return err
	}
	s := &suite{cfg: cfg, out: os.Stdout, fx: fx}
	defer s.Close()
	load := loadAverage()
	s.printf("baseflow bench  %s", machine())
	if load != "" {
		s.printf("  load %s", load)
	}
	s.printf("\n\n")
	steps := map[int]func(context.Context) error{1: s.rowLookup, 2: s.rowPurePass, 3: s.rowScaling, 4: s.rowMerge, 5: s.rowLarge}
	maps.Copy(steps, s.fleetRowSteps())
	for _, r := range cfg.rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := steps[r](ctx); err != nil {
			return fmt.Errorf("row %d: %w", r, err)
		}
	}
	s.printf("Summary (%s in all", time.Since(start).Round(100*time.Millisecond))
	if end := loadAverage(); load != "" && end != "" {
		s.printf("; load average %s at the start, %s at the end", load, end)
	}
	s.printf(")\n")
	return writeSummary(s.out, s.verdict)
}
