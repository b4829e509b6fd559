package registry

import (
	"context"
	"sync"

	"github.com/opencontainers/go-digest"
)

// Counting is a Resolver that counts the calls it passes on to another Resolver, per
// normalized reference, so tests can assert how often a reference was looked up.
type Counting struct {
	r Resolver

	mu        sync.Mutex
	digests   map[string]int
	platforms map[string]int
}

var _ Resolver = (*Counting)(nil)

// NewCounting returns a Counting wrapper around r.
func NewCounting(r Resolver) *Counting {
	return &Counting{r: r, digests: make(map[string]int), platforms: make(map[string]int)}
}

// Digest implements Resolver.
func (c *Counting) Digest(ctx context.Context, ref string) (digest.Digest, error) {
	c.count(c.digests, ref)
	return c.r.Digest(ctx, ref)
}

// PlatformDigest implements Resolver.
func (c *Counting) PlatformDigest(ctx context.Context, ref string, p Platform) (digest.Digest, error) {
	c.count(c.platforms, ref)
	return c.r.PlatformDigest(ctx, ref, p)
}

// Calls returns how many Digest and PlatformDigest calls named ref (compared normalized).
func (c *Counting) Calls(ref string) int {
	return c.DigestCalls(ref) + c.PlatformCalls(ref)
}

// DigestCalls returns how many Digest calls named ref.
func (c *Counting) DigestCalls(ref string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.digests[countKey(ref)]
}

// PlatformCalls returns how many PlatformDigest calls named ref.
func (c *Counting) PlatformCalls(ref string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.platforms[countKey(ref)]
}

// Total returns the number of calls of either method.
func (c *Counting) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, m := range []map[string]int{c.digests, c.platforms} {
		for _, v := range m {
			n += v
		}
	}
	return n
}

func (c *Counting) count(m map[string]int, ref string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m[countKey(ref)]++
}

// countKey normalizes ref when it parses, so that spellings of one reference count together.
func countKey(ref string) string {
	if n, err := Normalize(ref); err == nil {
		return n.String()
	}
	return ref
}
