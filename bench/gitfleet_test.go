package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/registry/registrytest"
)

func TestGitFleet(t *testing.T) {
	t.Parallel()
	srv := registrytest.New(registrytest.WithAnonymousPull())
	defer srv.Close()
	f, err := newGitFleet(t.TempDir(), srv, 5, []int{3})
	require.NoError(t, err)
	// Subscription 1 builds on pool bases 3, 4, 10, 22: two platforms on the moved base.
	assert.Equal(t, []int{0, 2, 0, 0, 0}, f.want)
	for _, branches := range []bool{false, true} {
		r, err := checkGitFleet(t.Context(), f, 5, branches, 2, 4)
		require.NoError(t, err, "the check finds what each subscription's image-info makes stale")
		assert.Equal(t, 2, r.stale)
		assert.Equal(t, int64(5*gitFleetPlatforms), r.parsed.Misses, "each Dockerfile is distinct")
		if branches {
			// fleet/all: init and one fetch of five branches; fleet/info: a clone; a reader each.
			assert.Equal(t, int64(5), r.git.Processes)
		} else {
			assert.Equal(t, int64(2*6), r.git.Processes, "a clone and a reader per repository")
		}
		// Lookups are HEADs; the one moved base costs a GET of its recorded and of its current
		// index, to compare the platforms.
		assert.Equal(t, 2, r.gets)
	}
}
