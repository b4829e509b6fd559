//go:build !linux

package main

import "time"

func resetPeakRSS()                       {}
func peakRSS() uint64                     { return 0 }
func currentRSS() uint64                  { return 0 }
func childUsage() (time.Duration, uint64) { return -1, 0 }
