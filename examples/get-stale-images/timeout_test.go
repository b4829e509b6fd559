package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/internal/silentserver"
	"github.com/baseflow/baseflow/registry/registrytest"
)

// silentRegistry accepts connections and never answers.
func silentRegistry(t *testing.T) string { return silentserver.Start(t).Addr }

// TestRegistryThatNeverAnswers checks that a registry that accepts connections and never
// answers ends the run within the per-lookup budget, or within --timeout, as a failure that
// says which limit was reached, and never as "up to date".
func TestRegistryThatNeverAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		args  []string
		wants []string
	}{
		{
			name: "per-lookup budget",
			args: []string{"--lookup-timeout", "300ms"},
			wants: []string{
				"get-stale-images: base debian:12 (1 platform not checked, in contoso/tool/main/manifest.json): registry: lookup SILENT/library/debian:12: network error: no answer within the lookup budget of 300ms",
				"get-stale-images: 1 of 1 subscriptions failed",
			},
		},
		{
			name: "run deadline",
			// Long enough for the clones of a loaded machine; the registry then takes the rest.
			args: []string{"--timeout", "5s", "--lookup-timeout", "0"},
			wants: []string{
				"registry: lookup SILENT/library/debian:12: canceled: the run did not finish within --timeout 5s",
				"get-stale-images: stopped: the run did not finish within --timeout 5s",
				"get-stale-images: 1 of 1 subscriptions failed",
			},
		},
		{
			name: "run deadline, JSON log",
			args: []string{"--timeout", "5s", "--lookup-timeout", "0", "--log-format", "json"},
			wants: []string{
				`"msg":"get-stale-images: stopped: the run did not finish within --timeout 5s"`,
				`"msg":"get-stale-images: 1 of 1 subscriptions failed`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := registrytest.New()
			defer reg.Close()
			pushBases(t, reg)
			w := newWorld(t, reg, named{"tool", oneImage("debian:12")})
			subs := w.subscribe(t)
			silent := silentRegistry(t)
			report := filepath.Join(w.dir, "report.json")

			start := time.Now()
			args := append([]string{"--subscriptions", subs, "--report", report, "--mirror", "docker.io=" + silent}, tt.args...)
			code, stdout, stderr := w.run(t, nil, nil, args...)
			elapsed := time.Since(start)
			assert.Equal(t, 1, code, stderr)
			assert.Equal(t, "[]\n", stdout, "no path from a base that was not looked up")
			for _, want := range tt.wants {
				want = strings.ReplaceAll(want, "SILENT", silent)
				assert.Contains(t, stderr, want)
			}
			assert.Less(t, elapsed, 20*time.Second, "the run ends at its limit, not after the client's retries")
			if slices.Contains(tt.args, "json") {
				for line := range strings.Lines(stderr) {
					assert.True(t, json.Valid([]byte(line)), "every stderr line is JSON: %s", line)
				}
			}

			var rep check.Report
			data, err := os.ReadFile(report)
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(data, &rep))
			require.Len(t, rep.Subscriptions, 1)
			assert.Equal(t, check.StatusFailed, rep.Subscriptions[0].Status, "never up to date")
		})
	}
}
