package main

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync"
	"time"
)

// sample is what one run of an operation cost.
type sample struct {
	wall time.Duration
	// cpu is the process's user+system time during the run, all goroutines included (the
	// in-process registry's too); negative where the platform cannot tell.
	cpu time.Duration
	// allocs and bytes are the heap allocations made during the run (whole process).
	allocs, bytes uint64
	// peakHeap is the largest live heap a collection found during the run, above what was
	// live before it (see heapPeak), and retained the live heap after it (what the caller
	// still holds of its result); both 0 unless the run tracked them.
	peakHeap, retained uint64
}

// measure runs fn once and reports its cost. With trackPeak it collects garbage before and
// after fn, and samples the live heap while fn runs; what fn keeps in variables of its caller
// counts as live at the end.
func measure(fn func() error, trackPeak bool) (sample, error) {
	var peak *heapPeak
	if trackPeak {
		peak = trackHeap()
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := cpuTime()
	start := time.Now()
	err := fn()
	s := sample{wall: time.Since(start)}
	cpu1 := cpuTime()
	runtime.ReadMemStats(&after)
	if peak != nil {
		s.peakHeap, s.retained = peak.stop()
	}
	s.cpu = -1
	if cpu0 >= 0 && cpu1 >= 0 {
		s.cpu = cpu1 - cpu0
	}
	s.allocs = after.Mallocs - before.Mallocs
	s.bytes = after.TotalAlloc - before.TotalAlloc
	return s, err
}

// interleave runs each operation once to warm up, then runs them in turn, reps times each, so
// that load from other processes falls on all of them alike. It returns the median cost of
// each.
func interleave(reps int, ops ...func() error) ([]sample, error) {
	for _, op := range ops {
		if err := op(); err != nil {
			return nil, err
		}
	}
	runs := make([][]sample, len(ops))
	for range max(reps, 1) {
		for i, op := range ops {
			s, err := measure(op, false)
			if err != nil {
				return nil, err
			}
			runs[i] = append(runs[i], s)
		}
	}
	out := make([]sample, len(ops))
	for i, r := range runs {
		out[i] = median(r)
	}
	return out, nil
}

// median returns the median of each field of samples, taken separately.
func median(samples []sample) sample {
	pick := func(field func(sample) int64) int64 {
		v := make([]int64, len(samples))
		for i, s := range samples {
			v[i] = field(s)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return sample{
		wall:     time.Duration(pick(func(s sample) int64 { return int64(s.wall) })),
		cpu:      time.Duration(pick(func(s sample) int64 { return int64(s.cpu) })),
		allocs:   uint64(pick(func(s sample) int64 { return int64(s.allocs) })),
		bytes:    uint64(pick(func(s sample) int64 { return int64(s.bytes) })),
		peakHeap: uint64(pick(func(s sample) int64 { return int64(s.peakHeap) })),
		retained: uint64(pick(func(s sample) int64 { return int64(s.retained) })),
	}
}

// liveHeapMetric is the heap memory the last garbage collection found live.
const liveHeapMetric = "/gc/heap/live:bytes"

// heapPeak samples the live heap every millisecond (runtime/metrics does not stop the world):
// the peak is the largest live heap a collection found during the run, the run's memory need
// without the garbage the collector lets pile up between collections (which grows with
// everything else in the heap, the fleets' input included).
type heapPeak struct {
	base uint64
	done chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

func trackHeap() *heapPeak {
	runtime.GC()
	h := &heapPeak{base: readLiveHeap(), done: make(chan struct{})}
	h.peak = h.base
	h.wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.done:
				return
			case <-t.C:
				h.peak = max(h.peak, readLiveHeap())
			}
		}
	})
	return h
}

// stop ends the sampling, collects once more (what the run returned and its caller still
// holds is live), and returns the peak and the live heap now, above the live heap at the
// start.
func (h *heapPeak) stop() (peak, retained uint64) {
	close(h.done)
	h.wg.Wait()
	runtime.GC()
	now := readLiveHeap()
	h.peak = max(h.peak, now)
	return h.peak - h.base, max(now, h.base) - h.base
}

func readLiveHeap() uint64 {
	s := []metrics.Sample{{Name: liveHeapMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// span is the time from the start of the first of a set of calls to the end of the last.
type span struct {
	mu          sync.Mutex
	first, last time.Time
	calls       int
}

// start records a call starting now; call the function it returns when the call ends.
func (s *span) start() func() {
	now := time.Now()
	s.mu.Lock()
	if s.first.IsZero() || now.Before(s.first) {
		s.first = now
	}
	s.calls++
	s.mu.Unlock()
	return func() {
		end := time.Now()
		s.mu.Lock()
		if end.After(s.last) {
			s.last = end
		}
		s.mu.Unlock()
	}
}

func (s *span) duration() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.first.IsZero() {
		return 0
	}
	return s.last.Sub(s.first)
}

func (s *span) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// fmtDuration prints d in milliseconds below 10 s, else in seconds.
func fmtDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "-"
	case d < 10*time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// fmtBytes prints n in MB (10^6 bytes), or KB below one MB.
func fmtBytes(n uint64) string {
	if n < 1e6 {
		return fmt.Sprintf("%.0f KB", float64(n)/1e3)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// fmtCount prints n with thousands separators.
func fmtCount(n uint64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// ratio returns a/b, or 0 when b is not positive.
func ratio[T ~int64 | ~uint64 | ~int](a, b T) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}
