package diskcache_test

import (
	"fmt"
	"log"
	"os"

	"github.com/baseflow/baseflow/diskcache"
	"github.com/baseflow/baseflow/dockerfile"
)

// A parse cache kept across runs: the second run reads the parsed Dockerfile from the
// directory instead of parsing it.
func Example() {
	dir, err := os.MkdirTemp("", "diskcache-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	df := []byte("ARG TAG=3.20\nFROM alpine:$TAG\n")

	for run := 1; run <= 2; run++ {
		store, err := diskcache.Open(dir)
		if err != nil {
			log.Fatal(err)
		}
		cache := dockerfile.NewCache(dockerfile.WithStore(store))
		f, err := cache.Parse(df, "Dockerfile", dockerfile.Options{})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("run %d: %s %+v\n", run, f.Stages[0].Base, cache.Stats())
		store.Close()
	}
	// Output:
	// run 1: alpine:3.20 {Hits:0 StoreHits:0 Misses:1}
	// run 2: alpine:3.20 {Hits:0 StoreHits:1 Misses:0}
}
