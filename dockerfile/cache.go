package dockerfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
)

// DefaultCacheSize is the memory, in bytes, a [Cache] holds at most unless [WithCacheSize]
// says otherwise: about 60,000 parsed Dockerfiles of dotnet-docker's kind.
const DefaultCacheSize = 64 << 20

// cacheFormat names the encoding of entries handed to a [Store]; a change of [File] changes it,
// so that entries written by another version are misses, not wrong answers.
const cacheFormat = "baseflow dockerfile 1"

// Cache remembers what [Parse] returned, keyed by the Dockerfile's content and every option
// that changes the result (build arguments, platform, build platform, size limit), so that a
// Dockerfile read again — by another subscription, another branch of the same repository, the
// next check of a watch — is not parsed again. The name given to Parse is not part of the key:
// a hit returns the cached result under the new name.
//
// A Cache is a value the caller creates and hands to whatever parses (depgraph.Options.Cache);
// it is safe for concurrent use. It holds at most its size in memory, dropping the oldest
// entries first, and may sit in front of a [Store] (such as a directory kept across runs,
// package diskcache) that it reads on a miss and writes after each parse. Errors are not
// cached. A nil *Cache parses every time.
type Cache struct {
	mu       sync.Mutex
	entries  map[[sha256.Size]byte]*cacheEntry
	inflight map[[sha256.Size]byte]chan struct{} // parses running; closed when added
	order    [][sha256.Size]byte                 // insertion order, for eviction
	size     int64
	max      int64
	store    Store

	hits, storeHits, misses atomic.Int64
}

// Store is a second level of a [Cache], kept across processes. Keys are lower-case hex
// strings; values are what the Cache saved under them. Load reports false for a missing or
// unreadable entry; Save may drop a value it cannot keep. Both must be safe for concurrent use.
type Store interface {
	Load(key string) ([]byte, bool)
	Save(key string, value []byte)
}

type cacheEntry struct {
	file *File
	cost int64
}

// CacheOption configures a [Cache].
type CacheOption func(*Cache)

// WithCacheSize bounds the memory the cache holds, in bytes (estimated from the parsed
// results). Zero or negative means [DefaultCacheSize].
func WithCacheSize(n int64) CacheOption { return func(c *Cache) { c.max = n } }

// WithStore puts the cache in front of s.
func WithStore(s Store) CacheOption { return func(c *Cache) { c.store = s } }

// NewCache returns an empty cache.
func NewCache(opts ...CacheOption) *Cache {
	c := &Cache{entries: make(map[[sha256.Size]byte]*cacheEntry), inflight: make(map[[sha256.Size]byte]chan struct{})}
	for _, o := range opts {
		o(c)
	}
	if c.max <= 0 {
		c.max = DefaultCacheSize
	}
	return c
}

// CacheStats counts how a cache answered.
type CacheStats struct {
	Hits      int64 // answered from memory
	StoreHits int64 // answered from the Store
	Misses    int64 // parsed
}

// Stats returns the counts so far.
func (c *Cache) Stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	return CacheStats{Hits: c.hits.Load(), StoreHits: c.storeHits.Load(), Misses: c.misses.Load()}
}

// Parse returns what [Parse] returns for data, name and opts, from the cache when the same
// content was parsed with the same options before. The File returned shares its Stages and
// Uses with other results of the same content: treat them as read-only.
func (c *Cache) Parse(data []byte, name string, opts Options) (*File, error) {
	if c == nil {
		return Parse(bytes.NewReader(data), name, opts)
	}
	key := cacheKey(data, opts)
	// The same content asked for while it is being parsed waits for that parse.
	for {
		c.mu.Lock()
		e, ok := c.entries[key]
		wait, running := c.inflight[key]
		if !ok && !running {
			c.inflight[key] = make(chan struct{})
		}
		c.mu.Unlock()
		if ok {
			c.hits.Add(1)
			return renamed(e.file, name), nil
		}
		if !running {
			break
		}
		<-wait
		// An error is not cached (and an entry may be dropped at once): parse if none.
		c.mu.Lock()
		e, ok = c.entries[key]
		c.mu.Unlock()
		if ok {
			c.hits.Add(1)
			return renamed(e.file, name), nil
		}
	}
	defer func() {
		c.mu.Lock()
		close(c.inflight[key])
		delete(c.inflight, key)
		c.mu.Unlock()
	}()
	hexKey := hex.EncodeToString(key[:])
	if c.store != nil {
		if value, ok := c.store.Load(hexKey); ok {
			if f, ok := decodeEntry(value); ok {
				c.storeHits.Add(1)
				c.add(key, f)
				return renamed(f, name), nil
			}
		}
	}
	c.misses.Add(1)
	f, err := Parse(bytes.NewReader(data), name, opts)
	if err != nil {
		return nil, err
	}
	c.add(key, f)
	if c.store != nil {
		if value, err := encodeEntry(f); err == nil {
			c.store.Save(hexKey, value)
		}
	}
	return renamed(f, name), nil
}

// add keeps f under key, dropping the oldest entries beyond the size bound.
func (c *Cache) add(key [sha256.Size]byte, f *File) {
	cost := fileCost(f)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; ok || cost > c.max {
		return
	}
	c.entries[key] = &cacheEntry{file: f, cost: cost}
	c.order = append(c.order, key)
	c.size += cost
	for c.size > c.max && len(c.order) > 0 {
		old := c.order[0]
		c.order = c.order[1:]
		if e, ok := c.entries[old]; ok {
			c.size -= e.cost
			delete(c.entries, old)
		}
	}
}

// renamed returns a copy of f named name.
func renamed(f *File, name string) *File {
	out := *f
	out.Name = name
	return &out
}

// cacheKey hashes the content and the options in a form where no two different inputs
// meet: each part is length-prefixed, build arguments sorted, platforms with their defaults.
func cacheKey(data []byte, opts Options) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	write := func(s string) {
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	write(cacheFormat)
	binary.LittleEndian.PutUint64(n[:], uint64(len(data)))
	h.Write(n[:])
	h.Write(data)
	p := withDefaults(opts.Platform)
	bp := opts.BuildPlatform
	if bp == (Platform{}) {
		bp = opts.Platform
	}
	bp = withDefaults(bp)
	for _, s := range []string{p.OS, p.Architecture, p.Variant, bp.OS, bp.Architecture, bp.Variant} {
		write(s)
	}
	binary.LittleEndian.PutUint64(n[:], uint64(opts.maxSize()))
	h.Write(n[:])
	keys := slices.Sorted(maps.Keys(opts.BuildArgs))
	binary.LittleEndian.PutUint64(n[:], uint64(len(keys)))
	h.Write(n[:])
	for _, k := range keys {
		write(k)
		write(opts.BuildArgs[k])
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key
}

// fileCost estimates the memory f holds.
func fileCost(f *File) int64 {
	cost := int64(256)
	for _, s := range f.Stages {
		cost += 160 + int64(len(s.Name)+len(s.WrittenName)+len(s.BaseName)+len(s.Base)+len(s.Platform)+len(s.Source))
	}
	for _, u := range f.Uses {
		cost += 64 + int64(len(u.Image))
	}
	return cost
}

// storedFile is the encoding of a cached File in a Store.
type storedFile struct {
	Format string     `json:"format"`
	Stages []Stage    `json:"stages"`
	Uses   []ImageUse `json:"uses,omitempty"`
}

func encodeEntry(f *File) ([]byte, error) {
	return json.Marshal(storedFile{Format: cacheFormat, Stages: f.Stages, Uses: f.Uses})
}

// decodeEntry reads a stored entry; anything but a well-formed entry of this format, with at
// least one stage, is a miss.
func decodeEntry(value []byte) (*File, bool) {
	var s storedFile
	if err := json.Unmarshal(value, &s); err != nil || s.Format != cacheFormat || len(s.Stages) == 0 {
		return nil, false
	}
	for i, st := range s.Stages {
		if st.Index != i || st.StageRef >= i || st.StageRef < -1 {
			return nil, false
		}
	}
	return &File{Stages: s.Stages, Uses: s.Uses}, true
}
