//go:build linux

package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// resetPeakRSS resets the process's peak resident set size (VmHWM) to its current one, so
// that peakRSS reports the peak of what runs next (Linux 4.0 and later).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS returns the process's peak resident set size in bytes since the last reset, or 0.
func peakRSS() uint64 { return statusBytes("VmHWM:") }

// statusBytes reads a kB field of /proc/self/status, in bytes; 0 when unknown.
func statusBytes(field string) uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}

// currentRSS returns the process's resident set size in bytes, or 0.
func currentRSS() uint64 { return statusBytes("VmRSS:") }

// childUsage returns the CPU time of the child processes waited for so far (git), and the
// largest resident set any of them reached, in bytes.
func childUsage() (time.Duration, uint64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return -1, 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), uint64(ru.Maxrss) * 1024
}
