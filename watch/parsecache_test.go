package watch_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/watch"
)

func TestChecksReuseTheIndexParses(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg := f.config()
	checker := *cfg.Checker
	checker.ParseCache = dockerfile.NewCache()
	cfg.Checker = &checker
	w := start(t, cfg)

	require.NoError(t, f.static.Set("alpine:3.20", alpineV2))
	accept(t, w, watch.KindAccepted, push("docker.io", "library/alpine", "3.20", alpineV2))
	settled(t, w, watch.TriggerEvent, 1)
	require.Len(t, f.rec.Queued(), 1)

	st := checker.ParseCache.Stats()
	assert.Positive(t, st.Misses, "the index parsed the Dockerfiles")
	assert.Positive(t, st.Hits, "the event's check found them parsed")
}
