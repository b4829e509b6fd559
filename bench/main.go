// Command bench compares baseflow's digest lookups with ImageBuilder's on a loopback
// registry with injected latency, and prints what each costs.
//
//	go run ./bench [-latency 20ms] [-tags 200] [-repos 20] [-concurrency 16] [-auth] [-times]
package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one line of the table: a name and a function computing the other cells.
type row struct {
	name string
	run  func(ctx context.Context, e *lookupEnv) ([]string, error)
}

var columns = []string{"strategy", "requests", "HEAD", "GET", "token", "wall-time ratio"}

// rows are printed in order; a row may read what earlier rows recorded in the environment.
var rows = []row{
	{"(a) cached, concurrent HEAD", func(ctx context.Context, e *lookupEnv) ([]string, error) {
		r, err := lookupCached(ctx, e)
		return costCells(r, e, "cached"), err
	}},
	{"(b) serial GET, per-run cache", func(ctx context.Context, e *lookupEnv) ([]string, error) {
		r, err := lookupSerialGET(ctx, e)
		return costCells(r, e, "cached"), err
	}},
}

func main() {
	cfg := lookupConfig{}
	flag.DurationVar(&cfg.latency, "latency", 20*time.Millisecond, "latency added to every registry request")
	flag.IntVar(&cfg.tags, "tags", 200, "distinct tags to resolve")
	flag.IntVar(&cfg.repos, "repos", 20, "repositories the tags are spread over")
	flag.IntVar(&cfg.concurrency, "concurrency", 16, "lookups the caching resolver runs at once")
	flag.BoolVar(&cfg.tokenAuth, "auth", true, "require Docker token authentication (anonymous pull)")
	times := flag.Bool("times", false, "also print absolute wall times")
	flag.Parse()
	if err := run(cfg, *times); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(cfg lookupConfig, times bool) error {
	if cfg.tags < 1 || cfg.repos < 1 || cfg.concurrency < 1 {
		return fmt.Errorf("-tags, -repos and -concurrency must be positive")
	}
	e, err := newLookupEnv(cfg)
	if err != nil {
		return err
	}
	defer e.Close()
	fmt.Printf("tags=%d repos=%d latency=%v token-auth=%v concurrency=%d\n\n",
		cfg.tags, cfg.repos, cfg.latency, cfg.tokenAuth, cfg.concurrency)

	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(columns, "\t")+"\t")
	ctx := context.Background()
	for _, r := range rows {
		cells, err := r.run(ctx, e)
		if err != nil {
			return err
		}
		fmt.Fprintln(tw, r.name+"\t"+strings.Join(cells, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !sameDigests(e.results) {
		return fmt.Errorf("the strategies resolved different digests")
	}
	fmt.Println("\nboth strategies resolved the same digests")
	if times {
		for _, name := range slices.Sorted(maps.Keys(e.results)) {
			fmt.Printf("%s: %v\n", name, e.results[name].wall.Round(time.Millisecond))
		}
	}
	return nil
}

// costCells formats a result, with its wall time as a multiple of the result named base.
func costCells(r lookupResult, e *lookupEnv, base string) []string {
	ratio := "-"
	if b, ok := e.results[base]; ok && b.wall > 0 {
		ratio = fmt.Sprintf("%.1f", float64(r.wall)/float64(b.wall))
	}
	return []string{fmt.Sprint(r.requests), fmt.Sprint(r.heads), fmt.Sprint(r.gets), fmt.Sprint(r.tokens), ratio}
}
