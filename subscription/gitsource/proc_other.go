//go:build !unix

package gitsource

import "os/exec"

// killProcessGroup leaves cmd as it is: cancellation kills git itself, and cmd.WaitDelay bounds
// the wait for any child still holding its output.
func killProcessGroup(cmd *exec.Cmd) {}
