package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/depgraph"
)

func TestParseFlags(t *testing.T) {
	t.Parallel()
	cfg, err := parseFlags(nil)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 3, 4, 5, 7, 8, 9, 10, 11}, cfg.rows)
	assert.Equal(t, []int{10, 100, 1000}, cfg.fleetSizes)
	assert.Equal(t, 50*time.Millisecond, cfg.fleetLatency)
	assert.Equal(t, []int{1, 10, 100}, cfg.scales)
	assert.Equal(t, 20*time.Millisecond, cfg.latency)
	assert.Equal(t, 16, cfg.concurrency)

	cfg, err = parseFlags([]string{"--rows", "2, 1,2", "-scales", "1,3", "-latency", "5ms"})
	require.NoError(t, err)
	assert.Equal(t, []int{2, 1}, cfg.rows)
	assert.Equal(t, []int{1, 3}, cfg.scales)
	assert.Equal(t, 5*time.Millisecond, cfg.latency)

	for _, args := range [][]string{
		{"-rows", "6"}, {"-rows", "12"}, {"-dotnet-fleet", "0"}, {"-fleet", "100,10"}, {"-subscriptions", "0"}, {"-rows", "x"}, {"-rows", ""}, {"-scales", "10,1"}, {"-scales", "0"}, {"-concurrency", "0"}, {"extra"},
	} {
		_, err := parseFlags(args)
		assert.Error(t, err, "%q", args)
	}
}

// TestLargeInputCases runs row 5's two cases at small sizes: the merge gives every image
// back, and the chain's rebuild set is every image, one per wave.
func TestLargeInputCases(t *testing.T) {
	t.Parallel()
	require.NoError(t, mergeAll(mergeParts(200), 200))
	assert.Error(t, mergeAll(mergeParts(200), 201), "a wrong count is caught")
	require.NoError(t, chainPass(chainFS(50), 50))
	assert.Error(t, chainPass(chainFS(50), 49))
}

func TestRenameDockerfile(t *testing.T) {
	t.Parallel()
	in := "ARG REPO=mcr.microsoft.com/dotnet/runtime-deps\n" +
		"FROM amd64/alpine:3.24 AS installer\n" +
		"RUN echo FROM amd64/alpine:3.24\n" +
		"FROM $REPO:8.0-alpine\n" +
		"FROM amd64/alpine:3.24\r\n" +
		"FROM other/image:1\n"
	got := string(renameDockerfile([]byte(in), "f007", map[string]bool{"amd64/alpine:3.24": true}))
	assert.Equal(t, "ARG REPO=mcr.microsoft.com/f007/dotnet/runtime-deps\n"+
		"FROM amd64/alpine:3.24-f007 AS installer\n"+
		"RUN echo FROM amd64/alpine:3.24\n"+
		"FROM $REPO:8.0-alpine\n"+
		"FROM amd64/alpine:3.24-f007\r\n"+
		"FROM other/image:1\n", got)
}

// TestFleetAndStrategies builds a two-copy fleet and checks that the pure pass and every
// lookup strategy agree on it and on the fixture, against a registry without added latency.
func TestFleetAndStrategies(t *testing.T) {
	t.Parallel()
	dir, err := findFixture("")
	require.NoError(t, err)
	fx, err := loadFixture(dir)
	require.NoError(t, err)
	assert.Len(t, fx.bases, 35)
	assert.Len(t, fx.finals, 22)
	assert.Equal(t, 107, fx.candidates)

	e, err := newCheckEnv(fx, 0, 16)
	require.NoError(t, err)
	defer e.Close()
	// Small case: 8 paths; large case: 34 (depgraph's fixture tests).
	assert.Len(t, e.want, 42)

	ctx := context.Background()
	base, err := e.run("baseflow", e.want, e.checkBaseflow(ctx, e.files, depgraph.LoadImageInfoRecords))
	require.NoError(t, err)
	assert.Equal(t, 22, base.lookups)
	assert.Equal(t, 22, base.heads)
	assert.Equal(t, 1, base.challenges, "one 401 for the registry")
	assert.Equal(t, 13, base.tokens, "a token per repository")
	assert.Equal(t, 2*len(e.moved), base.gets, "the recorded and current index of each moved base")
	serial, err := e.run("ImageBuilder", e.want, e.checkSerialGET(ctx, e.files))
	require.NoError(t, err)
	assert.Equal(t, 22, serial.lookups)
	assert.Zero(t, serial.heads)
	loop, err := e.run("crane loop", e.want, e.checkHeadLoop(ctx, e.files))
	require.NoError(t, err)
	assert.Equal(t, 107, loop.lookups)
	assert.Equal(t, 107, loop.tokens, "a token per lookup")
	assert.Equal(t, 3*107, loop.requests, "challenge, token and HEAD per lookup")

	fl, err := e.newFleet(2)
	require.NoError(t, err)
	assert.Equal(t, 2*601, fl.platforms)
	assert.Equal(t, 44, fl.lookups)
	assert.Len(t, fl.digests, 44)
	res, err := purePass(fl.files, fleetRecords, depgraph.MapLookup(fl.digests))
	require.NoError(t, err)
	paths := res.Paths()
	require.Len(t, paths, 2*42)
	assert.Equal(t, e.want, paths[:42], "copy 0 is the fixture")
	for _, p := range paths[42:] {
		assert.True(t, strings.HasPrefix(p, "f001/src/"), p)
	}
	checked, err := e.run("baseflow", paths, e.checkBaseflow(ctx, fl.files, fleetRecords))
	require.NoError(t, err)
	assert.Equal(t, 44, checked.lookups)
}

// TestLookupVerdict checks row 3's verdict on the fixture: with lookups one at a time, what
// they add to the check (check wall less pure-pass wall) is far over the bound of 16 at once,
// though they start during the parse, and the verdict says so.
func TestLookupVerdict(t *testing.T) {
	t.Parallel()
	assert.Equal(t, time.Duration(0), lookupCost(90*time.Millisecond, 100*time.Millisecond), "never negative")
	r, met := lookupVerdict(200*time.Millisecond, 100*time.Millisecond, 80*time.Millisecond)
	assert.InDelta(t, 1.25, r, 1e-9)
	assert.Equal(t, "yes", met)
	_, met = lookupVerdict(201*time.Millisecond, 100*time.Millisecond, 80*time.Millisecond)
	assert.Equal(t, "no", met)

	dir, err := findFixture("")
	require.NoError(t, err)
	fx, err := loadFixture(dir)
	require.NoError(t, err)
	const latency = 20 * time.Millisecond
	e, err := newCheckEnv(fx, latency, 1) // lookups serialised
	require.NoError(t, err)
	defer e.Close()
	start := time.Now()
	_, err = purePass(e.files, depgraph.LoadImageInfoRecords, depgraph.MapLookup(e.current))
	require.NoError(t, err)
	pure := time.Since(start)
	run, err := e.run("serial", e.want, e.checkBaseflow(context.Background(), e.files, depgraph.LoadImageInfoRecords))
	require.NoError(t, err)
	bound := lookupBound(run.lookups, 16, latency)
	assert.Equal(t, 4*latency, bound, "22 lookups, 16 at once: two waves, a challenge and the tokens")
	r, met = lookupVerdict(run.wall, pure, bound)
	assert.Equal(t, "no", met, "serialised lookups add %v, %.1fx the bound", lookupCost(run.wall, pure), r)
}
