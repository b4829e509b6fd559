package registry

import (
	"context"
	"sync"

	"github.com/opencontainers/go-digest"
)

// Static is an in-memory Resolver: a map from reference to digest, and per-platform digests,
// for tests and demonstrations. References are normalized, so "alpine:3.20" and
// "docker.io/library/alpine:3.20" are the same entry. It is safe for concurrent use, and
// entries may change while it is in use (a tag moving to a new digest).
type Static struct {
	mu        sync.RWMutex
	digests   map[string]digest.Digest
	platforms map[string][]platformDigest
}

type platformDigest struct {
	p Platform
	d digest.Digest
}

var _ Resolver = (*Static)(nil)

// NewStatic returns a Static resolver holding digests, keyed by reference.
func NewStatic(digests map[string]digest.Digest) (*Static, error) {
	s := &Static{digests: make(map[string]digest.Digest), platforms: make(map[string][]platformDigest)}
	for ref, d := range digests {
		if err := s.Set(ref, d); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Set makes ref resolve to d, replacing any earlier digest and forgetting ref's platform
// digests (a moved tag points to a new index).
func (s *Static) Set(ref string, d digest.Digest) error {
	key, err := staticKey(ref)
	if err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return &Error{Ref: key, Op: "set", Kind: InvalidReference, Err: err}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.digests[key] = d
	delete(s.platforms, key)
	return nil
}

// SetPlatform makes PlatformDigest(ref, p) return d.
func (s *Static) SetPlatform(ref string, p Platform, d digest.Digest) error {
	key, err := staticKey(ref)
	if err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return &Error{Ref: key, Op: "set", Kind: InvalidReference, Err: err}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.platforms[key]
	for i := range list {
		if list[i].p.Normalize() == p.Normalize() {
			list[i].d = d
			return nil
		}
	}
	s.platforms[key] = append(list, platformDigest{p: p, d: d})
	return nil
}

// Digest implements Resolver. A reference pinned to a digest that has no entry resolves to
// its own digest.
func (s *Static) Digest(_ context.Context, ref string) (digest.Digest, error) {
	key, err := staticKey(ref)
	if err != nil {
		return "", err
	}
	s.mu.RLock()
	d, ok := s.digests[key]
	s.mu.RUnlock()
	if ok {
		return d, nil
	}
	if n, _ := Normalize(key); n.Digest != "" {
		return n.Digest, nil
	}
	return "", &Error{Ref: key, Op: "lookup", Kind: NotFound}
}

// PlatformDigest implements Resolver, choosing among the platforms set for ref as
// SelectPlatform does.
func (s *Static) PlatformDigest(_ context.Context, ref string, p Platform) (digest.Digest, error) {
	key, err := staticKey(ref)
	if err != nil {
		return "", err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	list := s.platforms[key]
	ps := make([]Platform, len(list))
	for i, e := range list {
		ps[i] = e.p
	}
	i, err := SelectPlatform(ps, p)
	if err != nil {
		return "", &Error{Ref: key, Op: "lookup", Kind: AmbiguousPlatform, Err: err}
	}
	if i >= 0 {
		return list[i].d, nil
	}
	if _, ok := s.digests[key]; !ok && len(list) == 0 {
		return "", &Error{Ref: key, Op: "lookup", Kind: NotFound}
	}
	return "", &Error{Ref: key, Op: "lookup", Kind: PlatformNotFound, Err: errPlatform(p)}
}

type errPlatform Platform

func (e errPlatform) Error() string { return Platform(e).String() }

func staticKey(ref string) (string, error) {
	n, err := Normalize(ref)
	if err != nil {
		return "", err
	}
	return n.String(), nil
}
