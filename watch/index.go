package watch

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/registry"
)

// FinalBases returns the external final-stage bases of the graph's platforms that opts.Filter
// keeps, as written in the Dockerfiles (after ARG expansion), without repeats, in manifest
// order. These are the only bases whose tags can make the manifest's images stale: a base
// used only by an earlier stage (a builder, an installer) does not.
func FinalBases(g *depgraph.Graph, opts depgraph.CheckOptions) []string {
	var refs []string
	for _, n := range g.Candidates(opts.Filter) {
		if n.Final.Kind == dockerfile.External && !slices.Contains(refs, n.Final.Image) {
			refs = append(refs, n.Final.Image)
		}
	}
	return refs
}

// tagKey returns the normalized "name:tag" a push event must name to move ref, and false
// for a reference pinned to a digest (a tag push cannot move it) or one that does not parse.
func tagKey(ref string) (string, bool) {
	n, err := registry.Normalize(ref)
	if err != nil || n.Digest != "" {
		return "", false
	}
	return n.Name() + ":" + n.Tag, true
}

// index maps pushed tags ("docker.io/library/alpine:3.20") to the subscriptions whose
// final-stage bases they are.
type index struct {
	mu    sync.RWMutex
	bySub map[string][]string
	byTag map[string][]string // tag key → sorted subscription ids
}

func newIndex() *index {
	return &index{bySub: map[string][]string{}, byTag: map[string][]string{}}
}

// set replaces the tag keys of a subscription.
func (ix *index) set(sub string, keys []string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, k := range ix.bySub[sub] {
		ids := slices.DeleteFunc(ix.byTag[k], func(s string) bool { return s == sub })
		if len(ids) == 0 {
			delete(ix.byTag, k)
		} else {
			ix.byTag[k] = ids
		}
	}
	ix.bySub[sub] = keys
	for _, k := range keys {
		ids := ix.byTag[k]
		if i, found := slices.BinarySearch(ids, sub); !found {
			ix.byTag[k] = slices.Insert(ids, i, sub)
		}
	}
}

// match returns the subscriptions whose bases include the tag key, sorted.
func (ix *index) match(key string) []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return slices.Clone(ix.byTag[key])
}

// has reports whether the subscription is indexed.
func (ix *index) has(sub string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	_, ok := ix.bySub[sub]
	return ok
}

// len returns the number of subscriptions indexed.
func (ix *index) len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.bySub)
}

// tagKeys returns the index keys of a graph: for each final-stage base, the tag as written,
// after the base override, and as looked up (after mirrors).
func (w *Watcher) tagKeys(g *depgraph.Graph) []string {
	c := w.cfg.Checker
	var keys []string
	add := func(ref string) {
		if k, ok := tagKey(ref); ok && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, ref := range FinalBases(g, depgraph.CheckOptions{Filter: c.Filter}) {
		add(ref)
		looked := c.BaseOverride.Apply(ref)
		add(looked)
		if c.Cache != nil {
			if l, err := c.Cache.LookupRef(looked); err == nil {
				add(l)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// refreshIndex rebuilds the index entries of every subscription from its manifest and
// Dockerfiles. A subscription that cannot be read keeps its previous entry.
func (w *Watcher) refreshIndex(ctx context.Context) {
	c, release, err := w.checker()
	if err != nil {
		w.log.Error("index: could not open the sources", "err", err)
		return
	}
	defer release()
	start := time.Now()
	workers := c.Concurrency
	if workers <= 0 {
		workers = 4
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	var failed sync.Map
	for _, id := range w.order {
		s := w.subs[id]
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if c.Skips(s) {
				w.index.set(id, nil)
				return
			}
			_, g, err := c.LoadGraph(ctx, s)
			if err != nil {
				failed.Store(id, err)
				w.log.Error("index: could not read the subscription's manifest; pushes are matched with its previous entry, if any", "subscription", id, "err", err)
				return
			}
			w.index.set(id, w.tagKeys(g))
		})
	}
	wg.Wait()
	n := 0
	failed.Range(func(any, any) bool { n++; return true })
	w.log.Info("index of final-stage bases built", "subscriptions", len(w.order), "failed", n, "duration", time.Since(start).Round(time.Millisecond))
}
