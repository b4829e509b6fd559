//go:build !unix

package main

import "time"

// cpuTime returns -1: the process's CPU time is not read on this platform.
func cpuTime() time.Duration { return -1 }
