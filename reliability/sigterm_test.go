package reliability_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/internal/silentserver"
)

// TestSIGTERMRemovesTemporaryClones runs the commands that clone (get-stale-images,
// check-base-images) against a git host that never answers, sends SIGTERM while the clone is
// in progress, and checks that the command ends on its own, in time, and leaves no temporary
// clone behind (a clone's .git/config may hold the credentials of the git URL).
func TestSIGTERMRemovesTemporaryClones(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"get-stale-images", "check-base-images"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			bin := command(t, name)
			host := silentserver.Start(t) // a git host that stalls in the middle of a clone
			tmp := t.TempDir()
			subs := filepath.Join(tmp, "subscriptions.json")
			require.NoError(t, os.WriteFile(subs, []byte(`[{"manifest": {"owner": "acme", "repo": "app", "branch": "main", "path": "manifest.json"},
  "imageInfo": {"owner": "acme", "repo": "versions", "branch": "main", "path": "image-info.json"},
  "pipelineTrigger": {"id": 7, "pathVariable": "imageBuilder.pathArgs"}}]`), 0o644))
			clones := filepath.Join(tmp, "tmp")
			require.NoError(t, os.Mkdir(clones, 0o700))

			args := []string{"--subscriptions", subs, "--repo-url", "http://gituser:s3cret@" + host.Addr + "/{owner}/{repo}"}
			if name == "check-base-images" {
				args = append(args, "--dry-run")
			}
			cmd := exec.Command(bin, args...)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + tmp, "TMPDIR=" + clones,
				"GIT_CONFIG_GLOBAL=" + os.DevNull, "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0"}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			require.NoError(t, cmd.Start())
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()

			// Wait until git has connected and the temporary clone directory exists.
			deadline := time.Now().Add(20 * time.Second)
			for host.Accepted() == 0 || len(tempClones(t, clones)) == 0 {
				select {
				case err := <-done:
					t.Fatalf("%s ended before the signal: %v\n%s", name, err, stderr.String())
				case <-time.After(20 * time.Millisecond):
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("no clone started\n%s", stderr.String())
				}
			}
			require.NotEmpty(t, tempClones(t, clones), "a clone is in progress")

			require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
			select {
			case err := <-done:
				var exit *exec.ExitError
				require.ErrorAs(t, err, &exit, "the command reports the stopped run as a failure")
				ws := exit.Sys().(syscall.WaitStatus)
				assert.False(t, ws.Signaled(), "ended on its own, not killed by the signal (%v)", ws.Signal())
				assert.Equal(t, 1, exit.ExitCode(), stderr.String())
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("%s still running 10 s after SIGTERM\n%s", name, stderr.String())
			}
			assert.Empty(t, tempClones(t, clones), "temporary clones left behind")
			assert.NotContains(t, stderr.String(), "s3cret")
		})
	}
}

// tempClones lists the temporary clone directories under dir.
func tempClones(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "baseflow-git-") {
			out = append(out, e.Name())
		}
	}
	return out
}
