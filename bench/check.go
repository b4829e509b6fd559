package main

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing/fstest"
	"time"

	"github.com/opencontainers/go-digest"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/depgraph"
	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/registry/remote"
)

// checkEnv is a loopback registry with injected latency and anonymous token authentication
// (as Docker Hub's public images) holding the fixture's external bases under mirror names
// ("docker.io/amd64/alpine:3.24" at 127.0.0.1:PORT/docker.io/amd64/alpine:3.24), and the
// fixture with its image-info rewritten to record what was pushed. Some bases then move, so
// that the check has something to find.
type checkEnv struct {
	fx          *fixture
	srv         *registrytest.Server
	latency     time.Duration
	concurrency int
	mirrors     registry.Mirrors
	// files is the fixture with the rewritten image-info.
	files fstest.MapFS
	// current is the digest each external base's tag points to now.
	current map[string]string
	// moved are the bases whose tags moved after image-info recorded them.
	moved []string
	// want is the stale result every strategy must find.
	want []string
}

// movedBases are the bases that move: the small and the large case of depgraph's fixture
// tests (8 and 34 paths to rebuild).
var movedBases = []string{"arm32v7/debian:bookworm-slim", "ubuntu.azurecr.io/ubuntu:noble"}

func newCheckEnv(fx *fixture, latency time.Duration, concurrency int) (*checkEnv, error) {
	e := &checkEnv{
		fx:          fx,
		srv:         registrytest.New(registrytest.WithLatency(latency), registrytest.WithAnonymousPull()),
		latency:     latency,
		concurrency: concurrency,
		mirrors:     registry.Mirrors{},
		current:     map[string]string{},
	}
	if err := e.seed(); err != nil {
		e.srv.Close()
		return nil, fmt.Errorf("row 1 registry: %w", err)
	}
	return e, nil
}

func (e *checkEnv) Close() { e.srv.Close() }

// target returns the repository and tag ref is pushed as on the loopback registry.
func (e *checkEnv) target(ref string) (repo, tag string, err error) {
	rewritten, err := e.mirrors.Rewrite(ref)
	if err != nil {
		return "", "", err
	}
	r, err := registry.Normalize(rewritten)
	if err != nil {
		return "", "", err
	}
	return r.Path, r.Tag, nil
}

func (e *checkEnv) seed() error {
	for _, ref := range e.fx.bases {
		r, err := registry.Normalize(ref)
		if err != nil {
			return err
		}
		e.mirrors[r.Domain] = e.srv.Host() + "/" + r.Domain
	}
	pushed := map[string]string{}
	for _, ref := range e.fx.bases {
		repo, tag, err := e.target(ref)
		if err != nil {
			return err
		}
		idx, err := e.srv.PushIndex(repo, tag, registry.MediaTypeDockerManifestList, e.fx.platforms[ref]...)
		if err != nil {
			return fmt.Errorf("push %s: %w", ref, err)
		}
		pushed[ref] = idx.Digest.String()
	}

	// Image-info records the pushed digests in place of the real ones: each recorded
	// "<repo>@<digest>" of a final base becomes "<repo>@<pushed digest>".
	var pairs []string
	for _, ref := range e.fx.finals {
		repo := dockerfile.RepoOf(ref)
		pairs = append(pairs, repo+"@"+e.fx.recorded[ref], repo+"@"+pushed[ref])
	}
	info := strings.NewReplacer(pairs...).Replace(string(e.fx.files[imageInfoFile].Data))
	e.files = maps.Clone(e.fx.files)
	e.files[imageInfoFile] = &fstest.MapFile{Data: []byte(info), Mode: 0o644}
	// Before any tag moves, the check must find everything up to date.
	res, err := purePass(e.files, depgraph.LoadImageInfoRecords, depgraph.MapLookup(pushed))
	if err != nil {
		return err
	}
	if n := len(res.Paths()); n != 0 {
		return fmt.Errorf("image-info: %d stale paths after recording the pushed digests, want none", n)
	}

	for _, ref := range movedBases {
		if _, ok := e.fx.recorded[ref]; !ok {
			continue
		}
		repo, tag, err := e.target(ref)
		if err != nil {
			return err
		}
		if _, err := e.srv.MoveTag(repo, tag); err != nil {
			return err
		}
		e.moved = append(e.moved, ref)
	}
	for _, ref := range e.fx.bases {
		repo, tag, err := e.target(ref)
		if err != nil {
			return err
		}
		d, err := e.srv.Digest(repo, tag)
		if err != nil {
			return err
		}
		e.current[ref] = d.String()
	}
	if res, err = purePass(e.files, depgraph.LoadImageInfoRecords, depgraph.MapLookup(e.current)); err != nil {
		return err
	}
	e.want = res.Paths()
	if len(e.want) == 0 {
		return fmt.Errorf("no base moved: the check would find nothing stale")
	}
	return nil
}

// checkRun is what one strategy's check found and cost.
type checkRun struct {
	name  string
	paths []string
	// lookups is the number of lookups the strategy made (distinct references for the
	// cached strategies, one per candidate platform for the loop), and lookupTime the time
	// from the first lookup's start to the last one's end.
	lookups    int
	lookupTime time.Duration
	wall       time.Duration
	requests   int
	heads      int // HEADs answered with anything but 401
	gets       int // GETs answered with anything but 401
	tokens     int
	challenges int // registry API requests answered 401
}

// run measures one strategy against a fresh request log, and checks that it found want.
func (e *checkEnv) run(name string, want []string, strategy func(*span) ([]string, int, error)) (checkRun, error) {
	e.srv.ResetRequests()
	sp := &span{}
	start := time.Now()
	paths, lookups, err := strategy(sp)
	r := checkRun{name: name, paths: paths, lookups: lookups, lookupTime: sp.duration(), wall: time.Since(start)}
	if err != nil {
		return r, fmt.Errorf("%s: %w", name, err)
	}
	for _, req := range e.srv.Requests() {
		r.requests++
		switch {
		case req.IsToken():
			r.tokens++
		case req.Status == http.StatusUnauthorized:
			r.challenges++
		case req.Method == http.MethodHead:
			r.heads++
		case req.Method == http.MethodGet:
			r.gets++
		}
	}
	if !slices.Equal(paths, want) {
		return r, fmt.Errorf("%s: %w: %d stale paths, want %d", name, errMismatch, len(paths), len(want))
	}
	return r, nil
}

// anonymous gives no credentials to any registry, whatever the user's docker configuration.
func anonymous(context.Context, string) (auth.Credential, error) { return auth.EmptyCredential, nil }

// checkBaseflow is baseflow's check: check.Checker with the network client behind a
// run-wide registry.Cache (concurrent HEADs, one per distinct reference, tokens cached per
// repository).
func (e *checkEnv) checkBaseflow(ctx context.Context, files fs.FS, load check.RecordsLoader) func(*span) ([]string, int, error) {
	return func(sp *span) ([]string, int, error) {
		client, err := remote.New(remote.WithPlainHTTP(e.srv.Host()), remote.WithCredentialFunc(anonymous))
		if err != nil {
			return nil, 0, err
		}
		checker := &check.Checker{
			Manifests: fsSource{files},
			Resolver: registry.NewCache(spanResolver{client, sp},
				registry.WithConcurrency(e.concurrency), registry.WithMirrors(e.mirrors)),
			LoadRecords: load,
		}
		res := checker.CheckOne(ctx, benchSubscription)
		if res.Err != nil {
			return nil, 0, res.Err
		}
		return res.Paths(), sp.count(), nil
	}
}

// checkSerialGET is ImageBuilder's check: the same pure pass, then one lookup at a time as
// the stale computation asks, each a GET of the manifest, with a per-run cache.
func (e *checkEnv) checkSerialGET(ctx context.Context, files fs.FS) func(*span) ([]string, int, error) {
	return func(sp *span) ([]string, int, error) {
		r := newSerialGetResolver()
		paths, err := e.checkWith(files, sp, func(ref string) (digest.Digest, error) {
			return r.Digest(ctx, ref)
		})
		return paths, len(r.cache), err
	}
}

// checkHeadLoop is a shell loop over `crane digest`: one HEAD per candidate platform, one at
// a time, no cache, and a fresh process each time, so a fresh connection, a 401 challenge and
// a token request before every HEAD.
func (e *checkEnv) checkHeadLoop(ctx context.Context, files fs.FS) func(*span) ([]string, int, error) {
	return func(sp *span) ([]string, int, error) {
		paths, err := e.checkWith(files, sp, func(ref string) (digest.Digest, error) {
			tr := http.DefaultTransport.(*http.Transport).Clone()
			defer tr.CloseIdleConnections()
			client, err := remote.New(remote.WithPlainHTTP(e.srv.Host()), remote.WithTransport(tr),
				remote.WithCredentialFunc(anonymous))
			if err != nil {
				return "", err
			}
			return client.Digest(ctx, ref)
		})
		return paths, sp.count(), err
	}
}

// checkWith runs the pure pass and the stale computation, resolving each reference the
// computation asks for (after the mirror rewrite) with resolve.
func (e *checkEnv) checkWith(files fs.FS, sp *span, resolve func(ref string) (digest.Digest, error)) ([]string, error) {
	_, g, recs, err := loadCheck(files, depgraph.LoadImageInfoRecords)
	if err != nil {
		return nil, err
	}
	res := depgraph.Stale(g, recs, func(ref string) (string, error) {
		defer sp.start()()
		target, err := e.mirrors.Rewrite(ref)
		if err != nil {
			return "", err
		}
		d, err := resolve(target)
		return d.String(), err
	}, depgraph.CheckOptions{})
	if err := res.Err(); err != nil {
		return nil, err
	}
	return res.Paths(), nil
}

// spanResolver times the lookups a Cache passes on to r.
type spanResolver struct {
	r  registry.Resolver
	sp *span
}

func (s spanResolver) Digest(ctx context.Context, ref string) (digest.Digest, error) {
	defer s.sp.start()()
	return s.r.Digest(ctx, ref)
}

// PlatformDigest is not a lookup: the check compares the platforms of moved bases after its
// lookups (two GETs per moved base, counted in the GET column), outside the lookup time.
func (s spanResolver) PlatformDigest(ctx context.Context, ref string, p registry.Platform) (digest.Digest, error) {
	return s.r.PlatformDigest(ctx, ref, p)
}

// repositories returns the number of distinct repositories the final-stage bases are in, as
// looked up (after the mirror rewrite): the token requests a check needs.
func (e *checkEnv) repositories() int {
	repos := make(map[string]bool)
	for _, ref := range e.fx.finals {
		if rw, err := e.mirrors.Rewrite(ref); err == nil {
			if n, err := registry.Normalize(rw); err == nil {
				repos[n.Name()] = true
			}
		}
	}
	return len(repos)
}
