//go:build linux

package gitsource_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/internal/silentserver"
	"github.com/baseflow/baseflow/subscription/gitsource"
)

// childURLEnv names the repository URL template the child process of
// TestGitDiesWithTheProcess fetches from.
const childURLEnv = "BASEFLOW_TEST_ORPHAN_URL"

// TestGitDiesWithTheProcess kills a process with SIGKILL while its git fetch waits on a server
// that never answers: the fetch must not outlive it.
func TestGitDiesWithTheProcess(t *testing.T) {
	if u := os.Getenv(childURLEnv); u != "" {
		src, err := gitsource.New(gitsource.WithURLTemplate(u), gitsource.WithTempDir(os.Getenv("BASEFLOW_TEST_ORPHAN_TMP")),
			gitsource.WithEnv(isolatedGitEnv...))
		require.NoError(t, err)
		src.Tree(context.Background(), "acme", "app", "main") // killed before it returns
		return
	}
	addr := silentserver.Start(t).Addr
	url := "http://" + addr + "/{owner}/{repo}"
	child := exec.Command(os.Args[0], "-test.run=^TestGitDiesWithTheProcess$")
	child.Env = append(os.Environ(), childURLEnv+"="+url, "BASEFLOW_TEST_ORPHAN_TMP="+t.TempDir())
	require.NoError(t, child.Start())
	marker := "http://" + addr + "/acme/app"
	var gitPID int
	require.Eventually(t, func() bool {
		gitPID = findProcess(t, child.Process.Pid, marker)
		return gitPID != 0
	}, 10*time.Second, 20*time.Millisecond, "git never started")
	require.NoError(t, child.Process.Kill())
	child.Wait()
	require.Eventually(t, func() bool {
		_, err := os.Stat(filepath.Join("/proc", strconv.Itoa(gitPID)))
		if err != nil {
			return true
		}
		stat, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(gitPID), "stat"))
		return strings.Contains(string(stat), ") Z ") // dead, not yet reaped
	}, 5*time.Second, 20*time.Millisecond, "git (pid %d) outlived the process that started it", gitPID)
}

// findProcess returns the pid of a child of parent whose command line contains marker, or 0.
func findProcess(t *testing.T, parent int, marker string) int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		cmdline, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil || !strings.Contains(string(cmdline), marker) {
			continue
		}
		stat, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(parent) {
			pid, _ := strconv.Atoi(filepath.Base(d))
			return pid
		}
	}
	return 0
}
