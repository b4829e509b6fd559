package watch_test

import (
	"fmt"
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
