package githubsource

import (
	"context"
	"errors"
	"io/fs"
	"sync"
)

// call is one computation of a cached value; done is closed once val and err are set.
type call[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// group caches values by key and computes each at most once at a time: concurrent callers for
// the same key wait for the first. Values and not-found errors are kept; other errors are
// dropped so that a later call tries again.
type group[K comparable, T any] struct {
	mu sync.Mutex
	m  map[K]*call[T]
}

// do returns the value for key, calling fn to compute it if needed. If the caller computing it
// is cancelled, a waiting caller whose context is still live computes it again.
func (g *group[K, T]) do(ctx context.Context, key K, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	for {
		g.mu.Lock()
		if g.m == nil {
			g.m = make(map[K]*call[T])
		}
		c, found := g.m[key]
		if !found {
			c = &call[T]{done: make(chan struct{})}
			g.m[key] = c
		}
		g.mu.Unlock()

		if !found {
			c.val, c.err = fn(ctx)
			if c.err != nil && !errors.Is(c.err, fs.ErrNotExist) {
				g.mu.Lock()
				if g.m[key] == c {
					delete(g.m, key)
				}
				g.mu.Unlock()
			}
			close(c.done)
			return c.val, c.err
		}
		select {
		case <-c.done:
		case <-ctx.Done():
			return zero, ctx.Err()
		}
		if c.err != nil && isContextError(c.err) && ctx.Err() == nil {
			continue
		}
		return c.val, c.err
	}
}

// reset forgets every value.
func (g *group[K, T]) reset() {
	g.mu.Lock()
	g.m = nil
	g.mu.Unlock()
}

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
