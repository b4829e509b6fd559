package checkflags

import (
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/internal/cli"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/setup"
	"github.com/baseflow/baseflow/subscription/githubsource"
	"github.com/baseflow/baseflow/subscription/gitsource"
)

func parseCheck(t *testing.T, args ...string) *CheckFlags {
	t.Helper()
	var f CheckFlags
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.Register(fs)
	require.NoError(t, fs.Parse(args))
	return &f
}

func TestCheckFlagsSettings(t *testing.T) {
	t.Parallel()
	f := parseCheck(t, "--subscriptions", "subs.json", "--repo-url", "file:///git/{owner}/{repo}",
		"--image-info-source", "github", "--github-api-url", "https://ghe.example/api/v3",
		"--os-type", "linux", "--architecture", "arm64", "--os-version", "noble", "--os-version", "jammy",
		"--path", "src/*", "--registry-override", "mcr.example", "--base-override-regex", `^docker\.io/(.*)`,
		"--base-override-sub", "mirror.example/$1", "--mirror", "docker.io=myacr.azurecr.io/mirror",
		"--mirror", "mcr.microsoft.com=myacr.azurecr.io/mcr", "--plain-http", "localhost:5000",
		"--concurrency", "5", "--lookup-concurrency", "3", "--cache-dir", "/var/cache/baseflow", "--shard", "2/4")
	require.NoError(t, f.Validate())
	getenv := func(string) string { return "" }
	log := slog.New(slog.DiscardHandler)
	static, err := registry.NewStatic(nil)
	require.NoError(t, err)

	s := f.Settings(getenv, log, static)
	assert.Equal(t, "subs.json", s.SubscriptionsFile)
	assert.Equal(t, setup.Shard{Index: 2, Count: 4}, s.Shard)
	assert.Equal(t, "file:///git/{owner}/{repo}", s.Sources.RepoURL)
	assert.Equal(t, setup.ImageInfoGitHub, s.Sources.ImageInfo)
	assert.Equal(t, "https://ghe.example/api/v3", s.Sources.GitHubAPIURL)
	assert.Same(t, log, s.Sources.Logger)
	assert.NotNil(t, s.Sources.Getenv)
	assert.Equal(t, []string{"localhost:5000"}, s.Registry.PlainHTTP)
	assert.Equal(t, registry.Mirrors{"docker.io": "myacr.azurecr.io/mirror", "mcr.microsoft.com": "myacr.azurecr.io/mcr"}, s.Registry.Mirrors)
	assert.Equal(t, 3, s.Registry.Concurrency)
	assert.Equal(t, 5, s.Concurrency)
	assert.Equal(t, "/var/cache/baseflow", s.CacheDir)
	assert.Same(t, static, s.Registry.Resolver)
	assert.Equal(t, "linux", s.OSType)
	assert.Equal(t, "arm64", s.Architecture)
	assert.Equal(t, []string{"noble", "jammy"}, s.OSVersions)
	assert.Equal(t, []string{"src/*"}, s.Paths)
	assert.Equal(t, "mcr.example", s.RegistryOverride)
	require.NotNil(t, s.BaseOverride)
	assert.Equal(t, "mirror.example/library/alpine:3.20", s.BaseOverride.Apply("docker.io/library/alpine:3.20"))
}

func TestCheckFlagsDefaults(t *testing.T) {
	t.Parallel()
	f := parseCheck(t, "--subscriptions", "subs.json")
	require.NoError(t, f.Validate())
	s := f.Settings(nil, nil, nil)
	assert.Equal(t, gitsource.DefaultURLTemplate, s.Sources.RepoURL)
	assert.Equal(t, setup.ImageInfoGit, s.Sources.ImageInfo)
	assert.Equal(t, githubsource.DefaultBaseURL, s.Sources.GitHubAPIURL)
	assert.Equal(t, registry.DefaultConcurrency, s.Registry.Concurrency)
	assert.Equal(t, check.DefaultConcurrency, s.Concurrency)
	assert.Empty(t, s.CacheDir)
	assert.Empty(t, s.Registry.Mirrors)
	assert.Zero(t, s.Shard, "no --shard: every subscription")
	assert.Nil(t, s.Registry.Resolver)
	assert.Empty(t, s.OSType)
}

func TestCheckFlagsValidate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "--subscriptions is required"},
		{[]string{"--image-info-source", "svn"}, `--image-info-source "svn": want git or github`},
		{[]string{"--concurrency", "0"}, "--concurrency must be at least 1"},
		{[]string{"--lookup-concurrency", "0"}, "--lookup-concurrency must be at least 1"},
		{[]string{"--base-override-sub", "x"}, "--base-override-sub needs --base-override-regex"},
		{[]string{"--mirror", "docker.io"}, `--mirror "docker.io": want REGISTRY=TARGET`},
		{[]string{"--shard", "5/4"}, "--shard: "},
		{[]string{"--base-override-regex", "(", "--base-override-sub", "x"}, "--base-override-regex: "},
		{[]string{"--base-override-regex", "^docker.io/"}, "--base-override-regex needs --base-override-sub, the replacement (--base-override-sub '' to delete what matches)"},
	} {
		args := tt.args
		if tt.want != "--subscriptions is required" {
			args = append([]string{"--subscriptions", "s.json"}, args...)
		}
		err := parseCheck(t, args...).Validate()
		var usage *cli.UsageError
		require.ErrorAs(t, err, &usage, "%v", tt.args)
		assert.Contains(t, err.Error(), tt.want)
	}
}

// TestOutputFilesSpareInputs: --output and --report never name a file the check reads
// (by any path), nor each other; files that do not exist yet are fine.
func TestOutputFilesSpareInputs(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"manifest.json", "image-info.json", "subscriptions.json"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("{}"), 0o644))
	}
	require.NoError(t, os.Symlink(filepath.Join(dir, "image-info.json"), filepath.Join(dir, "link.json")))
	p := func(name string) string { return filepath.Join(dir, name) }
	wc := &CheckFlags{Manifest: p("manifest.json"), ImageInfo: p("image-info.json")}
	subs := &CheckFlags{Subscriptions: p("subscriptions.json")}
	for _, tc := range []struct {
		check *CheckFlags
		out   OutputFlags
		want  string
	}{
		{wc, OutputFlags{Output: p("manifest.json")}, "--output " + p("manifest.json") + " is the --manifest file"},
		{wc, OutputFlags{Report: p("link.json")}, "--report " + p("link.json") + " is the --image-info file"},
		{wc, OutputFlags{Report: filepath.Join(dir, ".", "image-info.json")}, "is the --image-info file"},
		{subs, OutputFlags{Output: p("subscriptions.json")}, "--output " + p("subscriptions.json") + " is the --subscriptions file"},
		{wc, OutputFlags{Output: p("out.json"), Report: p("out.json")}, "--output and --report name the same file"},
	} {
		err := tc.out.ValidateFiles(tc.check)
		require.Error(t, err, tc.want)
		assert.Contains(t, err.Error(), tc.want)
		var ue *cli.UsageError
		assert.ErrorAs(t, err, &ue)
	}
	assert.NoError(t, (&OutputFlags{Output: p("out.json"), Report: p("report.json")}).ValidateFiles(wc))
	assert.NoError(t, (&OutputFlags{}).ValidateFiles(subs))
}

func TestBaseOverrideSubMayBeEmpty(t *testing.T) {
	t.Parallel()
	f := parseCheck(t, "--subscriptions", "s.json", "--base-override-regex", `^mirror\.example/`, "--base-override-sub", "")
	require.NoError(t, f.Validate())
	s := f.Settings(func(string) string { return "" }, nil, nil)
	assert.Equal(t, "alpine:3.20", s.BaseOverride.Apply("mirror.example/alpine:3.20"))
}

// TestOutputValidatedAtStart: what would fail only after the whole check is refused before it.
func TestOutputValidatedAtStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tt := range []struct {
		out  OutputFlags
		env  map[string]string
		want string
	}{
		{OutputFlags{Format: "github-actions", Variable: "v"}, nil, "--format github-actions: GITHUB_OUTPUT is not set (run inside a GitHub Actions step, or choose --format json)"},
		{OutputFlags{Format: "json", Variable: "v", Output: "/dev/stderr"}, nil, "--output /dev/stderr: not a regular file (files are replaced atomically; for standard output give - to --output)"},
		{OutputFlags{Format: "json", Variable: "v", Output: dir + "/missing/out.json"}, nil, "--output " + dir + "/missing/out.json: directory " + dir + "/missing does not exist"},
		{OutputFlags{Format: "json", Variable: "v", Report: dir}, nil, "--report " + dir + ": not a regular file"},
		{OutputFlags{Format: "json", Variable: "v", Output: "-"}, nil, ""},
		{OutputFlags{Format: "json", Variable: "v", Output: "/dev/stdout"}, nil, ""},
		{OutputFlags{Format: "github-actions", Variable: "v", Output: dir + "/out.json"}, map[string]string{"GITHUB_OUTPUT": dir + "/gh"}, ""},
	} {
		err := errors.Join(tt.out.Validate(), tt.out.ValidateEnvironment(func(k string) string { return tt.env[k] }))
		if tt.want == "" {
			assert.NoError(t, err, "%+v", tt.out)
			continue
		}
		var usage *cli.UsageError
		require.ErrorAs(t, err, &usage, "%+v", tt.out)
		assert.Contains(t, err.Error(), tt.want)
	}
}
