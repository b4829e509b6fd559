package watch_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/baseflow/baseflow/watch"
)

func BenchmarkParseDistribution(b *testing.B) {
	body := readSample(b, "distribution-mixed.json")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := watch.Parse("", body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJournalAppend is the cost an accepted event adds to a webhook's answer when
// webhooks come one at a time: one file written, synced and renamed, and the directory synced.
func BenchmarkJournalAppend(b *testing.B) {
	j, err := watch.OpenJournal(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		e := push("docker.io", "library/alpine", "3.20", digest.FromString(fmt.Sprint(i)))
		i++
		if _, err := j.Append([]string{e.Key()}, []watch.Event{e}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJournalBurst is a burst of webhooks arriving together: 64 Appends of one event
// each at once. Appends that arrive while a file is being written share the next one, so a
// burst costs a few fsyncs instead of 64; events-per-write reports how many shared each.
func BenchmarkJournalBurst(b *testing.B) {
	dir := b.TempDir()
	j, err := watch.OpenJournal(dir)
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	events, writes := 0, 0
	for b.Loop() {
		var wg sync.WaitGroup
		for range 64 {
			e := push("docker.io", "library/alpine", "3.20", digest.FromString(fmt.Sprint(i)))
			i++
			wg.Go(func() {
				if _, err := j.Append([]string{e.Key()}, []watch.Event{e}); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			b.Fatal(err)
		}
		events += 64
		writes += len(files)
		keys, _ := j.Pending()
		for _, k := range keys {
			if err := j.Remove(k); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(events)/float64(writes), "events-per-write")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
}
