package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// verdict is one line of the summary: a ratio measured in this run, with its target.
type verdict struct {
	row, what string
	value     string
	target    string
	// ok is "yes" or "no" against the target, "" when there is none.
	ok string
}

// table writes tab-separated rows aligned, indented under a section heading.
type table struct {
	w   io.Writer
	buf bytes.Buffer
	tw  *tabwriter.Writer
}

func newTable(w io.Writer, header ...string) *table {
	t := &table{w: w}
	t.tw = tabwriter.NewWriter(&t.buf, 0, 0, 2, ' ', 0)
	t.row(header...)
	return t
}

func (t *table) row(cells ...string) { fmt.Fprintln(t.tw, "   "+strings.Join(cells, "\t")) }

// flush writes the table out, without the padding empty last cells leave at line ends.
func (t *table) flush() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	var out strings.Builder
	for line := range strings.Lines(t.buf.String()) {
		out.WriteString(strings.TrimRight(line, " \n") + "\n")
	}
	_, err := io.WriteString(t.w, out.String())
	return err
}

// writeSummary prints the verdicts as one table.
func writeSummary(w io.Writer, vs []verdict) error {
	t := newTable(w, "row", "ratio", "value", "target", "met")
	for _, v := range vs {
		t.row(v.row, v.what, v.value, v.target, v.ok)
	}
	return t.flush()
}

// atMost returns the verdict of value against an upper target.
func atMost(value, target float64) string {
	if value <= target {
		return "yes"
	}
	return "no"
}

// atLeast returns the verdict of value against a lower target.
func atLeast(value, target float64) string {
	if value >= target {
		return "yes"
	}
	return "no"
}

func times(x float64) string { return fmt.Sprintf("%.1fx", x) }

// machine describes where the run happens, for the header: date, CPU, cores, Go version and
// the load average when the system tells it.
func machine() string {
	s := fmt.Sprintf("%s  %s/%s  %d cores (GOMAXPROCS %d)  %s", time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(data)) {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				s += "  " + strings.TrimSpace(strings.TrimLeft(name, " \t:"))
				break
			}
		}
	}
	return s
}

// loadAverage returns the 1-minute load average when the system tells it, else "".
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
