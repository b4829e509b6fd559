package dockerfile_test

import (
	"bytes"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dockerfile"
)

// mapStore is a Store in memory that counts its calls.
type mapStore struct {
	mu           sync.Mutex
	m            map[string][]byte
	loads, saves int
}

func (s *mapStore) Load(key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loads++
	v, ok := s.m[key]
	return v, ok
}

func (s *mapStore) Save(key string, value []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saves++
	if s.m == nil {
		s.m = map[string][]byte{}
	}
	s.m[key] = value
}

func TestCacheMatchesParseOnTheFixture(t *testing.T) {
	t.Parallel()
	cases, _ := loadFixture(t)
	store := &mapStore{}
	warm := dockerfile.NewCache(dockerfile.WithStore(store))
	for _, c := range cases {
		_, err := warm.Parse(c.Data, c.Path, c.options())
		require.NoError(t, err, c.Path)
	}
	distinct := warm.Stats().Misses
	assert.Less(t, distinct, int64(len(cases)), "platforms sharing a Dockerfile and its options parse once")
	assert.Equal(t, int(distinct), store.saves)

	// Memory, then a fresh cache reading the store (another run), give what Parse gives.
	fresh := dockerfile.NewCache(dockerfile.WithStore(store))
	for _, cache := range []*dockerfile.Cache{warm, fresh} {
		for _, c := range cases {
			want, err := dockerfile.Parse(bytes.NewReader(c.Data), c.Path, c.options())
			require.NoError(t, err)
			got, err := cache.Parse(c.Data, c.Path, c.options())
			require.NoError(t, err)
			assert.Equal(t, want, got, c.Path)
		}
	}
	assert.Equal(t, dockerfile.CacheStats{Hits: int64(2*len(cases)) - distinct, Misses: distinct}, warm.Stats())
	assert.Equal(t, dockerfile.CacheStats{Hits: int64(len(cases)) - distinct, StoreHits: distinct}, fresh.Stats())
}

func TestCacheKey(t *testing.T) {
	t.Parallel()
	const df = "ARG REPO=alpine\nFROM --platform=$TARGETPLATFORM $REPO:$TARGETARCH AS final\n"
	c := dockerfile.NewCache()
	parse := func(name string, opts dockerfile.Options) *dockerfile.File {
		t.Helper()
		f, err := c.Parse([]byte(df), name, opts)
		require.NoError(t, err)
		return f
	}
	arm := dockerfile.Options{Platform: dockerfile.Platform{Architecture: "arm64"}}
	tests := []struct {
		name     string
		opts     dockerfile.Options
		base     string
		platform string
		hit      bool
	}{
		{"a", dockerfile.Options{}, "alpine:amd64", "linux/amd64", false},
		{"b", dockerfile.Options{Platform: dockerfile.Platform{OS: "linux", Architecture: "amd64"}}, "alpine:amd64", "linux/amd64", true},
		{"c", arm, "alpine:arm64", "linux/arm64", false},
		{"d", dockerfile.Options{Platform: arm.Platform, BuildPlatform: dockerfile.Platform{Architecture: "amd64"}}, "alpine:arm64", "linux/arm64", false},
		{"e", dockerfile.Options{BuildArgs: map[string]string{"REPO": "debian"}}, "debian:amd64", "linux/amd64", false},
		{"f", dockerfile.Options{BuildArgs: map[string]string{"REPO": "debian"}}, "debian:amd64", "linux/amd64", true},
		{"g", dockerfile.Options{BuildArgs: map[string]string{"REPO": "debian", "X": ""}}, "debian:amd64", "linux/amd64", false},
		{"h", dockerfile.Options{MaxSize: 1000}, "alpine:amd64", "linux/amd64", false},
		{"i", dockerfile.Options{BuildArgs: map[string]string{"REPO": "ubuntu"}}, "ubuntu:amd64", "linux/amd64", false},
	}
	for _, tt := range tests {
		before := c.Stats()
		f := parse(tt.name, tt.opts)
		assert.Equal(t, tt.name, f.Name, "the name is the caller's, hit or miss")
		assert.Equal(t, tt.base, f.Stages[0].Base, tt.name)
		assert.Equal(t, tt.platform, f.Stages[0].Platform, tt.name)
		assert.Equal(t, tt.hit, c.Stats().Hits > before.Hits, tt.name)
	}

	// Errors are returned as Parse returns them, and parsed again each time.
	for range 2 {
		_, err := c.Parse([]byte("FROM $NOPE\n"), "bad", dockerfile.Options{})
		var perr *dockerfile.Error
		require.ErrorAs(t, err, &perr)
		assert.Equal(t, "bad", perr.File)
	}
	assert.Equal(t, int64(2), c.Stats().Hits)

	var none *dockerfile.Cache
	f, err := none.Parse([]byte(df), "nil", dockerfile.Options{})
	require.NoError(t, err)
	assert.Equal(t, "alpine:amd64", f.Stages[0].Base, "a nil cache parses")
}

func TestCacheBoundAndBadStoreEntries(t *testing.T) {
	t.Parallel()
	store := &mapStore{}
	c := dockerfile.NewCache(dockerfile.WithCacheSize(2000), dockerfile.WithStore(store))
	files := []string{"FROM a\n", "FROM b\n", "FROM c\n", "FROM d\n", "FROM e\n"}
	for _, df := range files {
		_, err := c.Parse([]byte(df), "x", dockerfile.Options{})
		require.NoError(t, err)
	}
	// Each entry costs a few hundred bytes: the oldest were dropped from memory and come back
	// from the store.
	_, err := c.Parse([]byte(files[0]), "x", dockerfile.Options{})
	require.NoError(t, err)
	assert.Equal(t, int64(1), c.Stats().StoreHits)

	// Entries that are not what the cache wrote are misses, parsed again.
	for _, value := range []string{
		"", "{", `{"format":"other"}`,
		`{"format":"baseflow dockerfile 1","stages":[{"Index":3,"StageRef":-1}]}`,
		`{"format":"baseflow dockerfile 0","stages":[{"Index":0,"StageRef":-1,"Base":"stale"}]}`,
	} {
		for key := range store.m {
			store.m[key] = []byte(value)
		}
		fresh := dockerfile.NewCache(dockerfile.WithStore(store))
		f, err := fresh.Parse([]byte(files[1]), "y", dockerfile.Options{})
		require.NoError(t, err)
		assert.Equal(t, "b", f.Stages[0].Base)
		assert.Equal(t, dockerfile.CacheStats{Misses: 1}, fresh.Stats(), "%q is a miss", value)
	}
}

func TestCacheParsesConcurrentRequestsOnce(t *testing.T) {
	t.Parallel()
	c := dockerfile.NewCache()
	df := []byte("ARG A=x\nFROM alpine:3.20 AS a\nFROM a\n")
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 16 {
		wg.Go(func() {
			<-start
			f, err := c.Parse(df, "f", dockerfile.Options{})
			assert.NoError(t, err, i)
			assert.Equal(t, "alpine:3.20", f.Stages[0].Base)
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, dockerfile.CacheStats{Hits: 15, Misses: 1}, c.Stats())

	// While the first request waits on the store, the others wait for it rather than asking
	// the store and parsing themselves.
	store := &slowStore{release: make(chan struct{})}
	c = dockerfile.NewCache(dockerfile.WithStore(store))
	for range 16 {
		wg.Go(func() {
			_, err := c.Parse(df, "f", dockerfile.Options{})
			assert.NoError(t, err)
		})
	}
	time.Sleep(50 * time.Millisecond) // lets the others reach the cache
	close(store.release)
	wg.Wait()
	assert.Equal(t, int64(1), store.loads.Load())
	assert.Equal(t, dockerfile.CacheStats{Hits: 15, Misses: 1}, c.Stats())
}

// slowStore is an empty Store whose Load waits for release.
type slowStore struct {
	release chan struct{}
	loads   atomic.Int64
}

func (s *slowStore) Load(string) ([]byte, bool) {
	s.loads.Add(1)
	<-s.release
	return nil, false
}

func (s *slowStore) Save(string, []byte) {}
