//go:build linux

package gitsource

import "syscall"

// dieWithParent makes the kernel kill git when this process ends without stopping it (killed
// by SIGKILL, say): git runs in its own process group, so nothing else would, and an orphaned
// fetch would go on, holding the credentials in its environment, until its server answers.
// The signal is sent when the thread that started git exits; Go keeps its threads for the
// life of the process unless a goroutine locked to one returns.
func dieWithParent(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGKILL }
