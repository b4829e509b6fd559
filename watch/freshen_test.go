package watch_test

import (
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/watch"
)

// TestEventCheckLooksUpOnlyThePushedTag: octo/images has the final-stage bases alpine:3.20
// and debian:bookworm. Once both are cached, a push of alpine:3.20 makes one registry
// request, for alpine, and none for debian; the moved digest is seen. With a mirror, the push
// may be reported by the mirror or by the registry it mirrors.
func TestEventCheckLooksUpOnlyThePushedTag(t *testing.T) {
	t.Parallel()
	const mirror = "myacr.azurecr.io/mirror"
	for _, tc := range []struct {
		name           string
		mirrored       bool
		host, repo     string
		alpine, debian string // as the registry is asked
	}{
		{name: "docker hub", host: "docker.io", repo: "library/alpine",
			alpine: "docker.io/library/alpine:3.20", debian: "docker.io/library/debian:bookworm"},
		{name: "push to the mirror", mirrored: true, host: "myacr.azurecr.io", repo: "mirror/library/alpine",
			alpine: mirror + "/library/alpine:3.20", debian: mirror + "/library/debian:bookworm"},
		{name: "push to the mirrored registry", mirrored: true, host: "docker.io", repo: "library/alpine",
			alpine: mirror + "/library/alpine:3.20", debian: mirror + "/library/debian:bookworm"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			var opts []registry.CacheOption
			if tc.mirrored {
				opts = append(opts, registry.WithMirror("docker.io", mirror))
			}
			static, err := registry.NewStatic(map[string]digest.Digest{
				tc.alpine: alpineV1, tc.debian: debianV1, "golang:1.24": golangV1,
			})
			require.NoError(t, err)
			under := registry.NewCounting(static)
			f.checker.Cache = registry.NewCache(under, opts...)
			w := start(t, f.config())

			// The first check looks every base up: nothing is cached yet.
			accept(t, w, watch.KindAccepted, push(tc.host, tc.repo, "3.20", alpineV1))
			settled(t, w, watch.TriggerEvent, 1)
			require.Equal(t, 1, under.Calls(tc.alpine))
			require.Equal(t, 1, under.Calls(tc.debian))
			require.Empty(t, f.rec.Queued(), "image-info records alpine's digest")

			require.NoError(t, static.Set(tc.alpine, alpineV2))
			accept(t, w, watch.KindAccepted, push(tc.host, tc.repo, "3.20", alpineV2))
			settled(t, w, watch.TriggerEvent, 2)
			assert.Equal(t, 2, under.Calls(tc.alpine), "the pushed tag is looked up again")
			assert.Equal(t, 1, under.Calls(tc.debian), "the subscription's other base is not")
			queued := f.rec.Queued()
			require.Len(t, queued, 1, "the moved digest is seen")
			assert.Equal(t, "--path 'src/app'", queued[0].Value)
		})
	}
}

// TestFullCheckLooksEverythingUpAgain: each scheduled full check asks the registry for every
// base again, including those no event named.
func TestFullCheckLooksEverythingUpAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	under := registry.NewCounting(f.resolver)
	f.checker.Cache = registry.NewCache(under)
	cfg := f.config()
	cfg.Interval = 150 * time.Millisecond
	cfg.DigestMaxAge = time.Hour // only the full checks reset the cache
	w := start(t, cfg)
	eventually(t, "three full checks", func() bool { return w.Stats().Checks[watch.TriggerFull] >= 6 })
	full := int(w.Stats().Checks[watch.TriggerFull]) / 2
	// A full check in progress may have asked already: at least one request per completed
	// full check, at most one more.
	for _, ref := range []string{"alpine:3.20", "debian:bookworm"} {
		assert.GreaterOrEqual(t, under.Calls(ref), 3, ref)
		assert.LessOrEqual(t, under.Calls(ref), full+1, ref)
	}
	assert.Zero(t, under.Calls("golang:1.24"), "a builder stage's base is never looked up")
}

// TestDigestMaxAgeBoundsEventChecks: with no full checks, a check of events still looks every
// base up again once the cache's last reset is DigestMaxAge old.
func TestDigestMaxAgeBoundsEventChecks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	under := registry.NewCounting(f.resolver)
	f.checker.Cache = registry.NewCache(under)
	cfg := f.config()
	cfg.DigestMaxAge = time.Millisecond
	w := start(t, cfg)
	accept(t, w, watch.KindAccepted, push("docker.io", "library/alpine", "3.20", alpineV1))
	settled(t, w, watch.TriggerEvent, 1)
	time.Sleep(5 * time.Millisecond)
	accept(t, w, watch.KindAccepted, push("docker.io", "library/alpine", "3.20", alpineV2))
	settled(t, w, watch.TriggerEvent, 2)
	assert.Equal(t, 2, under.Calls("debian:bookworm"), "the unnamed base is looked up again")
}
