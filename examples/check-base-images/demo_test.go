package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/baseflow/baseflow/check"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemo(t *testing.T) {
	var stdout bytes.Buffer
	before := demoDirs(t)
	run, err := runDemo(context.Background(), &stdout, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err, stdout.String())
	require.Len(t, run.Checks, 3)

	for i, out := range run.Checks[:2] {
		require.Len(t, out.Results, 1)
		r := out.Results[0]
		assert.Equal(t, check.StatusUpToDate, r.Status(), "check %d", i+1)
		assert.Empty(t, r.Paths())
		assert.Len(t, r.Lookups, 2, "alpine:3.20 and nanoserver, never the builder-only debian")
	}
	last := run.Checks[2].Results[0]
	require.NoError(t, last.Err)
	want := []string{
		"src/runtime-deps/linux/amd64", "src/runtime/linux/amd64", "src/aspnet/linux/amd64", "src/sdk/linux/amd64",
		"src/runtime-deps/linux/arm64", "src/runtime/linux/arm64", "src/aspnet/linux/arm64", "src/sdk/linux/arm64",
	}
	assert.Equal(t, want, last.Paths())
	assert.Equal(t, [][]string{
		{"src/runtime-deps/linux/amd64", "src/runtime-deps/linux/arm64"},
		{"src/runtime/linux/amd64", "src/runtime/linux/arm64"},
		{"src/aspnet/linux/amd64", "src/aspnet/linux/arm64"},
		{"src/sdk/linux/amd64", "src/sdk/linux/arm64"},
	}, last.Summary.Waves, "the result keeps what the outputs need")
	assert.Nil(t, last.Graph, "and not its graph")

	require.Len(t, run.Queued, 1, "one build queued, on the last check only")
	q := run.Queued[0]
	assert.Equal(t, "azure-devops definition 42", q.Pipeline)
	assert.Equal(t, "main", q.Branch)
	assert.Equal(t, `{"imageBuilder.pathArgs": "--path 'src/runtime-deps/linux/amd64' --path 'src/runtime/linux/amd64' --path 'src/aspnet/linux/amd64' --path 'src/sdk/linux/amd64' --path 'src/runtime-deps/linux/arm64' --path 'src/runtime/linux/arm64' --path 'src/aspnet/linux/arm64' --path 'src/sdk/linux/arm64'"}`, q.Parameters)

	assert.Contains(t, stdout.String(), "base moved: alpine:3.20")
	assert.Contains(t, stdout.String(), "wave 4: src/sdk/linux/amd64, src/sdk/linux/arm64")
	assert.Equal(t, before, demoDirs(t), "the demo removes its temporary directory")

	// The README's excerpt of the last check is what the demo prints, but for digests,
	// timings and the lines it elides.
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(readme), "prints (excerpt):\n\n```\n")
	require.True(t, ok, "the README shows the demo's output")
	excerpt, _, _ := strings.Cut(rest, "```")
	for line := range strings.Lines(excerpt) {
		if strings.Contains(line, "sha256") || strings.Contains(line, "...") || strings.Contains(line, "ms)") {
			continue
		}
		assert.Contains(t, stdout.String(), strings.TrimSpace(line), "README excerpt line")
	}
}

// demoDirs lists the demo's temporary directories present now.
func demoDirs(t *testing.T) []string {
	matches, err := filepath.Glob(filepath.Join(os.TempDir(), "baseflow-demo-*"))
	require.NoError(t, err)
	return matches
}

func TestDemoIsTheDefault(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), nil, &stdout, &stderr, func(string) string { return "" }, nil)
	require.Equal(t, 0, code, stderr.String())
	assert.Contains(t, stdout.String(), "1 build queued on the recording pipeline")
	assert.Empty(t, stderr.String(), "the demo logs nothing when all goes well")
}
