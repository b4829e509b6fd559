package e2e_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/internal/fixture"
	"github.com/baseflow/baseflow/registry/registrytest"
	// The commands are built with go build, which go test's cache does not see: importing
	// what they are made of (and reading their main files) makes a change rerun this test.
	_ "github.com/baseflow/baseflow/setup"
)

// requireBuildah returns buildah's path, or skips the test when it is not installed
// (fails under BASEFLOW_INTEGRATION=1).
func requireBuildah(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("buildah")
	if err != nil {
		if os.Getenv(registrytest.IntegrationEnv) == "1" {
			t.Fatalf("buildah is not installed (apt-get install buildah) and %s=1", registrytest.IntegrationEnv)
		}
		t.Skip("buildah is not installed (apt-get install buildah)")
	}
	return path
}

// buildCommands builds the three commands of the loop into a temporary directory.
func buildCommands(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	for _, name := range []string{"record-image-info", "merge-image-info", "get-stale-images"} {
		_, err := os.ReadFile(filepath.Join("..", "examples", name, "main.go"))
		require.NoError(t, err)
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	cmd := exec.Command(goTool, "build", "-o", bin+string(filepath.Separator),
		"github.com/baseflow/baseflow/examples/record-image-info",
		"github.com/baseflow/baseflow/examples/merge-image-info",
		"github.com/baseflow/baseflow/examples/get-stale-images")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// loop is one team's repository, its registry and the tools, as the test drives them.
type loop struct {
	t       *testing.T
	dir     string // the team's working copy (manifest, Dockerfiles, image-info.json)
	host    string // the registry, 127.0.0.1:PORT
	bin     string
	buildah []string // buildah with its storage under the test's directory
	gitDir  string   // git repositories for the subscription, <owner>/<repo>
	stderr  string   // of the last command
}

func (l *loop) run(name string, args ...string) string {
	l.t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Dir = l.dir
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+filepath.Join(l.dir, ".docker"), "TMPDIR="+l.t.TempDir())
	err := cmd.Run()
	require.NoError(l.t, err, "%s %s\nstdout: %s\nstderr: %s", filepath.Base(name), strings.Join(args, " "), stdout.String(), stderr.String())
	l.t.Logf("%s %s\n%s%s", filepath.Base(name), strings.Join(args, " "), stderr.String(), stdout.String())
	l.stderr = stderr.String()
	return stdout.String()
}

func (l *loop) tool(name string, args ...string) string {
	l.t.Helper()
	return l.run(filepath.Join(l.bin, name), args...)
}

func (l *loop) bah(args ...string) {
	l.t.Helper()
	l.run(l.buildah[0], append(append([]string{}, l.buildah[1:]...), args...)...)
}

func (l *loop) write(name, content string) {
	l.t.Helper()
	p := filepath.Join(l.dir, filepath.FromSlash(name))
	require.NoError(l.t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(l.t, os.WriteFile(p, []byte(content), 0o644))
}

// pushBase builds the external bases from scratch with content version: os:1, an index of
// amd64 and arm64, and (withARM64) arm64v8/os:1, a single arm64 image, as Docker Hub's
// per-architecture repositories are.
func (l *loop) pushBase(version string, withARM64 bool) {
	l.t.Helper()
	l.write("base/os-release", "VERSION="+version+"\n")
	l.write("base/Dockerfile", "FROM scratch\nCOPY os-release /etc/os-release\nLABEL version="+version+"\n")
	list := "os-" + version
	l.bah("build", "--quiet", "--platform", "linux/amd64,linux/arm64", "--manifest", list, "base")
	l.bah("manifest", "push", "--quiet", "--all", "--tls-verify=false", list, "docker://"+l.host+"/os:1")
	if withARM64 {
		l.bah("build", "--quiet", "--platform", "linux/arm64", "-t", l.host+"/arm64v8/os:1", "base")
		l.bah("push", "--quiet", "--tls-verify=false", l.host+"/arm64v8/os:1")
	}
}

// build builds and pushes one platform under its tag, as a build job does: the base pulled
// from the registry.
func (l *loop) build(platform, dockerfile, tag string) {
	l.t.Helper()
	for _, args := range buildJob(l.host, platform, dockerfile, tag) {
		l.bah(append([]string{args[0], "--quiet"}, args[1:]...)...)
	}
}

// buildJob is the buildah commands (arguments after "buildah") that build and push one
// platform under its tag to the plain-HTTP registry host.
func buildJob(host, platform, dockerfile, tag string) [][]string {
	ref := host + "/" + tag
	return [][]string{
		{"build", "--pull=always", "--tls-verify=false", "--platform", platform, "-t", ref, dockerfile},
		{"push", "--tls-verify=false", ref},
	}
}

// TestDocShowsTheBuild: the buildah commands of the run shown in
// docs/recording-base-digests.md are those the loop runs, so that they work as shown against
// a registry on 127.0.0.1 (plain HTTP).
func TestDocShowsTheBuild(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "docs", "recording-base-digests.md"))
	require.NoError(t, err)
	const host = "127.0.0.1:41131" // the port of the run shown
	ran := map[string]bool{}
	for _, job := range [][3]string{{"linux/amd64", "src/runtime/amd64", "demo/runtime:1.0-amd64"}, {"linux/amd64", "src/app/amd64", "demo/app:1.0-amd64"}} {
		for _, args := range buildJob(host, job[0], job[1], job[2]) {
			ran["$ buildah "+strings.Join(args, " ")] = true
		}
	}
	shown := 0
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "$ buildah ") {
			shown++
			assert.True(t, ran[line], "the doc shows %q, which the loop does not run", line)
		}
	}
	assert.Equal(t, len(ran), shown, "the doc shows each buildah command of the amd64 job once")
}

// shown checks that the README and docs/recording-base-digests.md show the summary lines the
// last command printed (those without digests, which change from run to run) as it printed them.
func (l *loop) shown() {
	l.t.Helper()
	for _, name := range []string{"README.md", "docs/recording-base-digests.md"} {
		doc, err := os.ReadFile(filepath.Join("..", name))
		require.NoError(l.t, err)
		for _, line := range strings.Split(strings.TrimSpace(l.stderr), "\n") {
			if strings.HasPrefix(line, "merged ") || strings.HasPrefix(line, "wrote ") || strings.HasPrefix(line, "record-image-info: wrote ") {
				assert.True(l.t, strings.Contains(string(doc), "\n"+line+"\n"), "%s does not show %q, which the command prints", name, line)
			}
		}
	}
}

// publish writes the merged image-info into the working copy and the versions repository.
func (l *loop) publish(merged string) {
	l.t.Helper()
	data, err := os.ReadFile(merged)
	require.NoError(l.t, err)
	l.write("image-info.json", string(data))
	versions := filepath.Join(l.gitDir, "contoso", "versions")
	file := filepath.Join(versions, "build-info", "image-info.json")
	require.NoError(l.t, os.MkdirAll(filepath.Dir(file), 0o755))
	require.NoError(l.t, os.WriteFile(file, data, 0o644))
	require.NoError(l.t, fixture.GitRepo(versions, fixture.Files(nil)))
}

// check runs get-stale-images on the working copy and through the git subscription, and
// returns the Dockerfile paths each reports.
func (l *loop) check() (workingCopy, subscribed string) {
	l.t.Helper()
	workingCopy = l.tool("get-stale-images", "--manifest", "manifest.json", "--image-info", "image-info.json", "--explain")
	subscribed = l.tool("get-stale-images", "--subscriptions", "subscriptions.json",
		"--repo-url", "file://"+filepath.ToSlash(l.gitDir)+"/{owner}/{repo}", "--explain")
	return workingCopy, subscribed
}

// TestLoop runs build → record → merge → check with real builds, moves a base, and checks
// that exactly the platforms built on it and their dependents are named, then rebuilds,
// records and merges them and checks that nothing is left to do. Last, a base that moves
// during a build is recorded so that the check asks for the rebuild.
func TestLoop(t *testing.T) {
	buildah := requireBuildah(t)
	reg := registrytest.StartDistribution(t, registrytest.DistributionOptions{})
	start := time.Now()
	root := t.TempDir()
	l := &loop{t: t, dir: filepath.Join(root, "work"), host: reg.Host, gitDir: filepath.Join(root, "git")}
	l.buildah = []string{buildah, "--root", filepath.Join(root, "storage"), "--runroot", filepath.Join(root, "run"), "--storage-driver", "vfs"}
	require.NoError(t, os.MkdirAll(l.dir, 0o755))
	l.bin = buildCommands(t)
	t.Logf("commands built in %s", time.Since(start).Round(time.Millisecond))

	// The team's repository: a runtime on the os base for two architectures, and an app
	// built on the amd64 runtime. Only COPY, ENV and LABEL: buildah builds them for any
	// architecture without emulation.
	l.write("manifest.json", `{
  "registry": "`+l.host+`",
  "repos": [
    {"id": "runtime", "name": "demo/runtime", "images": [{"productVersion": "1.0", "sharedTags": {"1.0": {}}, "platforms": [
      {"os": "linux", "osVersion": "scratch", "architecture": "amd64", "dockerfile": "src/runtime/amd64", "tags": {"1.0-amd64": {}}},
      {"os": "linux", "osVersion": "scratch", "architecture": "arm64", "variant": "v8", "dockerfile": "src/runtime/arm64", "tags": {"1.0-arm64": {}}}]}]},
    {"id": "app", "name": "demo/app", "images": [{"productVersion": "1.0", "platforms": [
      {"os": "linux", "osVersion": "scratch", "architecture": "amd64", "dockerfile": "src/app/amd64", "buildArgs": {"RUNTIME": "$(Repo:runtime)"}, "tags": {"1.0-amd64": {}}}]}]}]}
`)
	l.write("src/runtime/amd64/Dockerfile", "ARG OS_REPO="+l.host+"/os\nFROM $OS_REPO:1\nCOPY runtime.txt /runtime.txt\nENV RUNTIME_VERSION=1.0\n")
	l.write("src/runtime/amd64/runtime.txt", "runtime amd64\n")
	l.write("src/runtime/arm64/Dockerfile", "FROM "+l.host+"/arm64v8/os:1\nCOPY runtime.txt /runtime.txt\nENV RUNTIME_VERSION=1.0\n")
	l.write("src/runtime/arm64/runtime.txt", "runtime arm64\n")
	l.write("src/app/amd64/Dockerfile", "ARG RUNTIME="+l.host+"/demo/runtime\nFROM $RUNTIME:1.0-amd64\nCOPY app.txt /app.txt\nLABEL app=demo\n")
	l.write("src/app/amd64/app.txt", "app\n")
	l.write("subscriptions.json", `[{"manifest": {"owner": "contoso", "repo": "demo", "branch": "main", "path": "manifest.json"},
  "imageInfo": {"owner": "contoso", "repo": "versions", "branch": "main", "path": "build-info/image-info.json"}}]
`)
	files := map[string]string{}
	for _, name := range []string{"manifest.json", "src/runtime/amd64/Dockerfile", "src/runtime/amd64/runtime.txt",
		"src/runtime/arm64/Dockerfile", "src/runtime/arm64/runtime.txt", "src/app/amd64/Dockerfile", "src/app/amd64/app.txt"} {
		data, err := os.ReadFile(filepath.Join(l.dir, name))
		require.NoError(t, err)
		files[name] = string(data)
	}
	require.NoError(t, fixture.GitRepo(filepath.Join(l.gitDir, "contoso", "demo"), fixture.Files(files)))
	l.write(".docker/config.json", "{}\n")
	l.pushBase("1", true)
	commit := "--commit-url=https://github.com/contoso/demo/blob/0123456789abcdef0123456789abcdef01234567"

	// Two build jobs, one per architecture, each recording what it pushed.
	l.build("linux/amd64", "src/runtime/amd64", "demo/runtime:1.0-amd64")
	l.build("linux/amd64", "src/app/amd64", "demo/app:1.0-amd64")
	l.tool("record-image-info", "--manifest", "manifest.json", "--architecture", "amd64", commit, "--output", "jobs/amd64/image-info.json")
	l.shown()
	l.build("linux/arm64", "src/runtime/arm64", "demo/runtime:1.0-arm64")
	l.tool("record-image-info", "--manifest", "manifest.json", "--architecture", "arm64", commit, "--output", "jobs/arm64/image-info.json")
	l.shown()
	l.tool("merge-image-info", "--manifest", "manifest.json", "jobs", "image-info.json")
	l.shown()
	l.publish(filepath.Join(l.dir, "image-info.json"))

	merged, err := os.ReadFile(filepath.Join(l.dir, "image-info.json"))
	require.NoError(t, err)
	assert.Contains(t, string(merged), `"baseImageDigest": "`+l.host+`/os@sha256:`)
	assert.Contains(t, string(merged), `"baseImageDigest": "`+l.host+`/arm64v8/os@sha256:`)
	assert.Contains(t, string(merged), `"baseImageDigest": "`+l.host+`/demo/runtime@sha256:`)
	assert.Contains(t, string(merged), `"sharedTags": [`)

	wc, sub := l.check()
	assert.Equal(t, "[]\n", wc, "working copy right after the build")
	assert.Equal(t, "[]\n", sub, "git subscription right after the build")

	// A new os:1 is pushed (the index; arm64v8/os:1 does not move). The amd64 runtime is
	// built on it, and the app on the amd64 runtime.
	l.pushBase("2", false)
	wc, sub = l.check()
	assert.Equal(t, `[{"SubscriptionId":"manifest.json","ImagePaths":["src/runtime/amd64","src/app/amd64"]}]`+"\n", wc)
	assert.Equal(t, `[{"SubscriptionId":"contoso/demo/main/manifest.json","ImagePaths":["src/runtime/amd64","src/app/amd64"]}]`+"\n", sub)

	// The rebuild the check asked for, recorded and merged into the published file.
	l.build("linux/amd64", "src/runtime/amd64", "demo/runtime:1.0-amd64")
	l.build("linux/amd64", "src/app/amd64", "demo/app:1.0-amd64")
	l.tool("record-image-info", "--manifest", "manifest.json", "--path", "src/runtime/amd64", "--path", "src/app/amd64", commit, "--output", "publish/amd64.json")
	l.write("publish/image-info.json", string(merged))
	l.tool("merge-image-info", "--manifest", "manifest.json", "--publish", "--initial", "publish/image-info.json", "publish", "merged/image-info.json")
	l.publish(filepath.Join(l.dir, "merged/image-info.json"))
	wc, sub = l.check()
	assert.Equal(t, "[]\n", wc, "working copy after the rebuild")
	assert.Equal(t, "[]\n", sub, "git subscription after the rebuild")

	// The base moves again between the build pulling it and the record: the record keeps the
	// digest built on, and the check asks for the rebuild rather than calling it up to date.
	published, err := os.ReadFile(filepath.Join(l.dir, "image-info.json"))
	require.NoError(t, err)
	l.build("linux/amd64", "src/runtime/amd64", "demo/runtime:1.0-amd64")
	l.pushBase("3", false)
	l.tool("record-image-info", "--manifest", "manifest.json", "--path", "src/runtime/amd64", commit, "--output", "publish2/amd64.json")
	assert.Contains(t, l.stderr, "the base has moved since: the next check will find it stale")
	l.write("publish2/image-info.json", string(published))
	l.tool("merge-image-info", "--manifest", "manifest.json", "--publish", "--initial", "publish2/image-info.json", "publish2", "merged/image-info.json")
	l.publish(filepath.Join(l.dir, "merged/image-info.json"))
	wc, sub = l.check()
	assert.Equal(t, `[{"SubscriptionId":"manifest.json","ImagePaths":["src/runtime/amd64","src/app/amd64"]}]`+"\n", wc)
	assert.Equal(t, `[{"SubscriptionId":"contoso/demo/main/manifest.json","ImagePaths":["src/runtime/amd64","src/app/amd64"]}]`+"\n", sub)
	t.Logf("whole loop in %s", time.Since(start).Round(time.Millisecond))
}
