//go:build unix

package gitsource

import (
	"os/exec"
	"syscall"
)

// killProcessGroup starts cmd in its own process group and makes cancellation kill the whole
// group: git runs remote helpers (git-remote-https, ssh) as children that would otherwise
// outlive it and hold its output open.
func killProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	dieWithParent(cmd.SysProcAttr)
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
