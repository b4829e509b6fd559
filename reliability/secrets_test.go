package reliability_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/dispatch/azdo/azdotest"
	"github.com/baseflow/baseflow/githubtest"
	"github.com/baseflow/baseflow/registry/registrytest"
)

// The secrets of the run. Each is distinctive, so that finding it anywhere is a leak; the git
// password has characters that a URL must escape.
const (
	registryUser     = "puller"
	registryPassword = "reg-Pa55word-7c1e9f"
	wrongRegistryPwd = "wrong-reg-Pa55word-22b1"
	gitUser          = "gituser"
	gitPassword      = "git+s3cret/41d8:x"
	wrongGitPassword = "wrong-git-s3cret-93aa"
	githubToken      = "ghp_reliabilityToken0c0ffee7"
	wrongGitHubToken = "ghp_wrongReliabilityToken5d1"
	azdoToken        = "azdoPatReliability9d2e41"
	wrongAzdoToken   = "azdoPatWrongReliability11c"
	systemToken      = "systemAccessTokenReliability5b7a"
)

// secretForms returns every spelling of the secrets a leak could take: as is, URL-escaped,
// and base64 (standard, URL-safe, unpadded) alone and in the Basic "user:secret" forms.
func secretForms(secrets ...string) map[string]string {
	forms := map[string]string{}
	prefixes := []string{"", ":", registryUser + ":", gitUser + ":", "x-access-token:", "x-oauth-basic:"}
	for _, s := range secrets {
		forms[s] = s
		forms[url.QueryEscape(s)] = s
		forms[url.PathEscape(s)] = s
		forms[url.UserPassword(gitUser, s).String()] = s
		for _, p := range prefixes {
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
				forms[enc.EncodeToString([]byte(p+s))] = s
			}
		}
	}
	return forms
}

// assertNoSecret checks every output of a run for every form of every secret.
func assertNoSecret(t *testing.T, outputs map[string]string, secrets ...string) {
	t.Helper()
	for form, secret := range secretForms(secrets...) {
		for name, out := range outputs {
			if strings.Contains(out, form) {
				t.Errorf("%s holds secret %q (as %q):\n%s", name, secret, form, out)
			}
		}
	}
}

var allSecrets = []string{registryPassword, wrongRegistryPwd, gitPassword, wrongGitPassword, githubToken, wrongGitHubToken, azdoToken, wrongAzdoToken, systemToken}

// secretsWorld is everything a full check with secrets talks to: a registry behind token
// authentication (its token requests watched, to learn the bearer tokens it hands out), a
// git host behind Basic authentication, a GitHub API for image-info, and fakes of Azure
// DevOps and GitHub Actions for queueing.
type secretsWorld struct {
	proxy      *faultProxy
	git        *gitHTTPServer
	infoAPI    *githubtest.Server
	azdo       *azdotest.Server
	actions    *githubtest.Server
	subs       string
	mu         sync.Mutex
	bearer     []string
	dockerConf string
}

func newSecretsWorld(t *testing.T) *secretsWorld {
	t.Helper()
	w := &secretsWorld{}
	reg := registrytest.New(registrytest.WithTokenAuth(registryUser, registryPassword))
	t.Cleanup(reg.Close)
	_, err := reg.PushIndex("library/base", "1.0", ocispec.MediaTypeImageIndex, linuxAMD64, linuxARM64)
	require.NoError(t, err)
	w.proxy = newFaultProxy(t, reg.URL(), rule{name: "watch tokens", match: tokenEndpoint, times: -1, fault: w.watchTokens})

	// The application, on the git host; its image-info, on the GitHub API.
	app, versions := appFiles(from("a", w.proxy.Host()+"/library/base:1.0", w.proxy.Host()+"/library/base@sha256:"+zeros))
	root := t.TempDir()
	writeRepo(t, filepath.Join(root, "acme", "app"), app)
	commit(t, filepath.Join(root, "acme", "app"))
	w.git = newGitHTTPServer(t, root, gitUser, gitPassword)
	w.infoAPI = githubtest.NewServer(t, githubtest.WithToken(githubToken))
	w.infoAPI.SetBranch("acme", "versions", "main", map[string]githubtest.File{"image-info.json": {Content: string(versions["image-info.json"].Data)}})

	w.azdo = azdotest.NewServer(t, "dnceng", "internal", azdoToken)
	w.azdo.Definition(7)
	w.actions = githubtest.NewServer(t, githubtest.WithToken(githubToken))

	dir := t.TempDir()
	w.subs = filepath.Join(dir, "subscriptions.json")
	data, err := json.Marshal([]any{appSubscription})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(w.subs, data, 0o644))
	w.dockerConf = dockerConfig(t, w.proxy.Host(), registryUser, registryPassword)
	return w
}

// watchTokens forwards a token request and remembers the bearer token in the answer.
func (w *secretsWorld) watchTokens(_ *faultProxy, rw http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	var tok struct {
		Token string `json:"token"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &tok) == nil && tok.Token != "" {
		w.mu.Lock()
		w.bearer = append(w.bearer, tok.Token)
		w.mu.Unlock()
	}
	for k, v := range rec.Header() {
		rw.Header()[k] = v
	}
	rw.WriteHeader(rec.Code)
	_, _ = rw.Write(rec.Body.Bytes())
}

func (w *secretsWorld) bearerTokens() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.bearer...)
}

// dockerConfig writes a docker config.json with Basic credentials for host and returns its
// directory.
func dockerConfig(t *testing.T, host, user, pass string) string {
	t.Helper()
	dir := t.TempDir()
	data, err := json.Marshal(map[string]any{"auths": map[string]any{host: map[string]string{
		"auth": base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))}}})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), data, 0o600))
	return dir
}

// gitURL is the repository URL template with credentials in it.
func (w *secretsWorld) gitURL(host, pass string) string {
	return "http://" + url.UserPassword(gitUser, pass).String() + "@" + host + "/{owner}/{repo}"
}

// run runs a command with env (on top of a bare environment: PATH, an empty HOME, no git
// configuration) and returns its exit status and every output it wrote: stdout, stderr, and
// the files named in files.
func run(t *testing.T, bin string, env map[string]string, files []string, args ...string) (int, map[string]string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	home := t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TMPDIR=" + home, "GIT_CONFIG_GLOBAL=" + os.DevNull, "GIT_CONFIG_NOSYSTEM=1"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	outputs := map[string]string{"stdout": stdout.String(), "stderr": stderr.String()}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err == nil {
			outputs[filepath.Base(f)] = string(data)
		}
	}
	return code, outputs
}

// TestSecretsStayOutOfOutputs runs get-stale-images and queue-build, as built binaries, with
// every kind of secret in play (registry password and bearer tokens, a git URL with
// credentials, GitHub tokens, Azure DevOps PATs) and debug logging, the report, the output
// file, --explain and the GitHub Actions outputs on, both when everything works and when each
// secret is refused, and looks for every secret in every output.
func TestSecretsStayOutOfOutputs(t *testing.T) {
	t.Parallel()
	staleImages := command(t, "get-stale-images")
	queueBuild := command(t, "queue-build")
	w := newSecretsWorld(t)

	dir := t.TempDir()
	report, output := filepath.Join(dir, "report.json"), filepath.Join(dir, "stale.json")
	ghOutput, ghSummary := filepath.Join(dir, "github-output"), filepath.Join(dir, "step-summary.md")
	files := []string{report, output, ghOutput, ghSummary}
	check := func(t *testing.T, env map[string]string, repoURL string) (int, map[string]string) {
		t.Helper()
		for _, f := range files {
			os.Remove(f)
		}
		base := map[string]string{"DOCKER_CONFIG": w.dockerConf, "GITHUB_TOKEN": githubToken,
			"GITHUB_OUTPUT": ghOutput, "GITHUB_STEP_SUMMARY": ghSummary}
		for k, v := range env {
			base[k] = v
		}
		return run(t, staleImages, base, files,
			"--subscriptions", w.subs, "--repo-url", repoURL,
			"--image-info-source", "github", "--github-api-url", w.infoAPI.URL,
			"--verbose", "--explain", "--report", report, "--output", output, "--format", "github-actions")
	}

	t.Run("check that works", func(t *testing.T) {
		code, outputs := check(t, nil, w.gitURL(w.git.Host(), gitPassword))
		require.Equal(t, 0, code, "%v", outputs)
		assert.Contains(t, outputs["stale.json"], `"ImagePaths":["src/a"]`, "the base was looked up with the credentials")
		assert.Contains(t, outputs["stderr"], "level=DEBUG")
		assert.Contains(t, outputs["report.json"], `"status": "stale"`)
		assert.Contains(t, outputs["github-output"], "staleImagePaths=")
		require.NotEmpty(t, w.bearerTokens(), "the registry handed out bearer tokens")
		assert.Positive(t, w.git.authorized.Load(), "git used the credentials in the URL")
		assert.Empty(t, w.infoAPI.Violations())
		assertNoSecret(t, outputs, append(allSecrets, w.bearerTokens()...)...)
	})
	for _, tt := range []struct {
		name    string
		env     map[string]string
		repoURL string
		want    string
	}{
		{name: "registry refuses the password", env: map[string]string{"DOCKER_CONFIG": dockerConfig(t, w.proxy.Host(), registryUser, wrongRegistryPwd)},
			repoURL: w.gitURL(w.git.Host(), gitPassword), want: "unauthorized"},
		{name: "git host refuses the password", repoURL: w.gitURL(w.git.Host(), wrongGitPassword), want: "***@" + w.git.Host()},
		{name: "git host unreachable", repoURL: w.gitURL("127.0.0.1:1", gitPassword), want: "***@127.0.0.1:1"},
		{name: "GitHub refuses the token", env: map[string]string{"GITHUB_TOKEN": wrongGitHubToken},
			repoURL: w.gitURL(w.git.Host(), gitPassword), want: "401"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, outputs := check(t, tt.env, tt.repoURL)
			assert.Equal(t, 1, code, "%v", outputs)
			assert.Contains(t, outputs["stderr"], tt.want)
			assert.Contains(t, outputs["report.json"], `"status": "failed"`)
			assertNoSecret(t, outputs, append(allSecrets, w.bearerTokens()...)...)
		})
	}

	stale := `[{"SubscriptionId":"` + appSubscription.ID() + `","ImagePaths":["src/a"]}]`
	for _, tt := range []struct {
		name string
		env  map[string]string
		code int
		want string
	}{
		{name: "queue with a PAT", env: map[string]string{"AZURE_DEVOPS_TOKEN": azdoToken, "SYSTEM_ACCESSTOKEN": systemToken, "GITHUB_TOKEN": githubToken},
			want: "queued"},
		{name: "queue with the pipeline's token", env: map[string]string{"SYSTEM_ACCESSTOKEN": azdoToken, "GITHUB_TOKEN": githubToken},
			want: "queued"},
		{name: "Azure DevOps refuses the PAT", env: map[string]string{"AZURE_DEVOPS_TOKEN": wrongAzdoToken, "GITHUB_TOKEN": githubToken},
			code: 1, want: "401"},
		{name: "GitHub refuses the token for notifications", env: map[string]string{"AZURE_DEVOPS_TOKEN": azdoToken, "GITHUB_TOKEN": wrongGitHubToken},
			code: 1, want: "notification failed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, outputs := run(t, queueBuild, tt.env, nil,
				"--subscriptions", w.subs, "--image-paths", stale, "--verbose",
				"--azdo-url", w.azdo.URL, "--azdo-org", "dnceng", "--azdo-project", "internal",
				"--github-api-url", w.actions.URL, "--notify-repo", "acme/notifications", "--failure-limit", "0")
			assert.Equal(t, tt.code, code, "%v", outputs)
			assert.Contains(t, outputs["stdout"]+outputs["stderr"], tt.want)
			assert.Contains(t, outputs["stderr"], "level=DEBUG")
			assertNoSecret(t, outputs, allSecrets...)
		})
	}
}
