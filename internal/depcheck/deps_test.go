package depcheck

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/baseflow/baseflow"

// Third-party modules, by what needs them.
var (
	// buildkit is the Dockerfile parser and what it compiles in.
	buildkit = []string{
		"github.com/agext/levenshtein", "github.com/containerd/typeurl/v2", "github.com/docker/go-units",
		"github.com/moby/buildkit", "github.com/moby/docker-image-spec", "github.com/opencontainers/go-digest",
		"github.com/opencontainers/image-spec", "github.com/pkg/errors", "github.com/planetscale/vtprotobuf",
		"github.com/tonistiigi/go-csvvalue", "google.golang.org/protobuf",
	}
	// references are image references and digests.
	references = []string{"github.com/distribution/reference", "github.com/opencontainers/go-digest", "github.com/opencontainers/image-spec"}
	// oras is the registry client.
	oras = []string{"oras.land/oras-go/v2", "golang.org/x/sync"}
	// testify is what the conformance suites assert with; only tests import them.
	testify = []string{"github.com/stretchr/testify", "go.yaml.in/yaml/v3"}
)

// rule is what the packages under a path (relative to the module; "x/..." is x and below)
// may import: third-party modules, and packages of this module (same path syntax).
type rule struct {
	thirdParty []string
	baseflow   []string
}

var internalPkgs = "internal/..."

// rules pin the layering. A package no rule covers may import anything.
var rules = map[string]rule{
	// Queueing builds: the subscriptions format and nothing of the check engine.
	"dispatch/...": {baseflow: []string{"dispatch/...", "subscription", internalPkgs}},
	// The queue command and its flags: no check engine either.
	"internal/queueflags":  {baseflow: []string{"dispatch/...", "subscription", "manifest", internalPkgs}},
	"examples/queue-build": {baseflow: []string{"dispatch/...", "subscription", "manifest", internalPkgs}},
	// Test helpers beside the backends: the conformance suite asserts with testify, the
	// former fake GitHub forwards to the one at the module root.
	"dispatch/pipelinetest":      {thirdParty: testify, baseflow: []string{"dispatch/...", "subscription", internalPkgs}},
	"dispatch/github/githubtest": {baseflow: []string{"githubtest", internalPkgs}},
	// The subscriptions format and its sources.
	"subscription":                         {baseflow: []string{internalPkgs}},
	"subscription/gitsource":               {baseflow: []string{"subscription", internalPkgs}},
	"subscription/githubsource/...":        {thirdParty: []string{"golang.org/x/sync"}, baseflow: []string{"subscription/...", internalPkgs}},
	"subscription/githubsource/githubtest": {baseflow: []string{"githubtest", internalPkgs}},
	"githubtest":                           {baseflow: []string{internalPkgs}},
	// Pure packages.
	"manifest":      {baseflow: []string{internalPkgs}},
	"platform":      {},
	"imageinfo/...": {baseflow: []string{"manifest", "imageinfo/...", internalPkgs}},
	// dockerfile checks each expanded FROM with distribution/reference, as docker build does.
	"dockerfile": {thirdParty: concat(buildkit, references), baseflow: []string{"manifest", "platform", internalPkgs}},
	"depgraph":   {thirdParty: concat(buildkit, references), baseflow: []string{"manifest", "platform", "dockerfile", "imageinfo", internalPkgs}},
	// Digest resolution: the interface and cache need references only, the client oras.
	"registry":              {thirdParty: references, baseflow: []string{"platform", internalPkgs}},
	"registry/remote":       {thirdParty: concat(references, oras), baseflow: []string{"registry", "platform", internalPkgs}},
	"registry/registrytest": {thirdParty: concat(references, oras), baseflow: []string{"registry", "platform", internalPkgs}},
	// The engine and the watcher: no registry client, no CI backend, no wiring.
	"check": {thirdParty: concat(buildkit, references), baseflow: []string{"subscription", "manifest", "platform", "dockerfile", "imageinfo", "depgraph", "registry", internalPkgs}},
	// The watcher also bounds its server's connections with x/net's netutil.LimitListener.
	"watch": {thirdParty: concat(buildkit, references, []string{"golang.org/x/net"}), baseflow: []string{"", "check", "dispatch", "subscription", "manifest", "platform", "dockerfile", "imageinfo", "depgraph", "registry", internalPkgs}},
}

func concat(lists ...[]string) []string { return slices.Concat(lists...) }

// matches reports whether the module-relative path p is covered by pattern.
func matches(pattern, p string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return p == base || strings.HasPrefix(p, base+"/")
	}
	return p == pattern
}

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		t.Fatalf("go list: %v: %s", err, ee.Stderr)
	}
	require.NoError(t, err)
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

func TestDependencies(t *testing.T) {
	t.Parallel()
	// The module of every package any package of ours depends on.
	moduleOf := map[string]string{}
	for _, line := range goList(t, "-deps", "-f", "{{.ImportPath}} {{with .Module}}{{.Path}}{{end}}", "./...") {
		if pkg, mod, ok := strings.Cut(line, " "); ok && mod != "" {
			moduleOf[pkg] = mod
		}
	}
	checked := 0
	for _, line := range goList(t, "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", "./...") {
		fields := strings.Fields(line)
		pkg, deps := strings.TrimPrefix(strings.TrimPrefix(fields[0], module), "/"), fields[1:]
		var r rule
		var pattern string
		for p, candidate := range rules {
			if matches(p, pkg) && len(p) > len(pattern) {
				pattern, r = p, candidate
			}
		}
		if pattern == "" {
			continue
		}
		checked++
		for _, dep := range deps {
			mod, ok := moduleOf[dep]
			if !ok {
				continue // the standard library
			}
			if mod != module {
				if !slices.Contains(r.thirdParty, mod) {
					t.Errorf("%s imports %s (module %s); its rule %q allows only %v", pkg, dep, mod, pattern, r.thirdParty)
				}
				continue
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(dep, module), "/")
			if matches(pattern, rel) || slices.ContainsFunc(r.baseflow, func(p string) bool { return matches(p, rel) }) {
				continue
			}
			t.Errorf("%s imports %s; its rule %q allows only %v", pkg, dep, pattern, r.baseflow)
		}
	}
	require.GreaterOrEqual(t, checked, len(rules), "every rule covers a package")
}

func TestMatches(t *testing.T) {
	t.Parallel()
	require.True(t, matches("dispatch/...", "dispatch"))
	require.True(t, matches("dispatch/...", "dispatch/azdo/azdotest"))
	require.False(t, matches("dispatch/...", "dispatcher"))
	require.True(t, matches("subscription", "subscription"))
	require.False(t, matches("subscription", "subscription/gitsource"))
	require.True(t, matches("", ""))
}
