package watch_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/watch"
)

// The child process: the test binary re-executed to serve a watcher of the fixture, so that
// it can be killed, and its memory measured, apart from the test.
const (
	helperAddrEnv    = "BASEFLOW_WATCH_HELPER_ADDR"      // file the child writes its address to
	helperJournalEnv = "BASEFLOW_WATCH_HELPER_JOURNAL"   // its journal directory
	helperNoLimitEnv = "BASEFLOW_WATCH_HELPER_NO_LIMITS" // "1": no bound on connections and unverified reads
)

func TestHelperServe(t *testing.T) {
	addrFile := os.Getenv(helperAddrEnv)
	if addrFile == "" {
		t.Skip("the child process of TestKilledWatcherKeepsAcknowledgedEvents and BenchmarkSlowSenders")
	}
	f := newFixture(t)
	cfg := f.config()
	cfg.Debounce = time.Hour
	cfg.JournalDir = os.Getenv(helperJournalEnv)
	cfg.Logger = slog.New(slog.DiscardHandler)
	if os.Getenv(helperNoLimitEnv) == "1" {
		cfg.MaxConnections, cfg.MaxUnverified = -1, 1<<20
	}
	w, err := watch.New(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(addrFile+".tmp", []byte(ln.Addr().String()), 0o600))
	require.NoError(t, os.Rename(addrFile+".tmp", addrFile))
	require.NoError(t, w.Serve(context.Background(), ln)) // until killed
}

// startHelper starts the child process and returns its address and process.
func startHelper(tb testing.TB, journal string, env ...string) (string, *exec.Cmd) {
	tb.Helper()
	addrFile := filepath.Join(tb.TempDir(), "addr")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServe$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperAddrEnv+"="+addrFile, helperJournalEnv+"="+journal)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	require.NoError(tb, cmd.Start())
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if data, err := os.ReadFile(addrFile); err == nil {
			addr := string(data)
			// Ready once the index is built: /healthz says ok.
			for time.Now().Before(deadline) {
				if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if bytes.Contains(body, []byte(`"status":"ok"`)) {
						return addr, cmd
					}
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		if time.Now().After(deadline) {
			tb.Fatal("the child process did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestKilledWatcherKeepsAcknowledgedEvents kills (SIGKILL) a watcher while eight senders post
// events to it, and checks that every event it answered 202 is in the journal it left.
func TestKilledWatcherKeepsAcknowledgedEvents(t *testing.T) {
	t.Parallel()
	journal := filepath.Join(t.TempDir(), "journal")
	addr, cmd := startHelper(t, journal)

	var (
		mu    sync.Mutex
		acked []string
	)
	killed := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for g := range 8 {
		wg.Go(func() {
			for n := 0; ; n++ {
				id := fmt.Sprintf("k-%d-%d", g, n)
				req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/webhook", bytes.NewReader(distributionBody(id, "3.20")))
				if err != nil {
					return
				}
				req.Header.Set("Authorization", "Bearer "+secret)
				resp, err := client.Do(req)
				if err != nil {
					return // killed
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					continue
				}
				mu.Lock()
				acked = append(acked, id+"-0")
				if len(acked) == 60 {
					once.Do(func() {
						_ = cmd.Process.Signal(syscall.SIGKILL)
						close(killed)
					})
				}
				mu.Unlock()
			}
		})
	}
	<-killed
	wg.Wait()
	_ = cmd.Wait()

	j, err := watch.OpenJournal(journal)
	require.NoError(t, err, "no file is corrupt")
	_, events := j.Pending()
	recorded := map[string]bool{}
	for _, e := range events {
		recorded[e.ID] = true
	}
	require.GreaterOrEqual(t, len(acked), 60)
	for _, id := range acked {
		assert.True(t, recorded[id], "event %s was answered 202 but is not in the journal", id)
	}
	corrupt, err := filepath.Glob(filepath.Join(journal, "*.corrupt"))
	require.NoError(t, err)
	assert.Empty(t, corrupt)
	t.Logf("%d events acknowledged before the kill, %d in the journal", len(acked), len(events))
}

// BenchmarkSlowSenders floods a watcher (a child process, with the default limits: 1,024
// connections, 8 unverified bodies, 5 s for headers, 10 s for a body; and, for comparison,
// without the bounds on connections and unverified bodies) with 1,000 senders that do not have
// the secret, then sends one event with it. It reports the child's peak resident memory
// (peak-rss-MB, VmHWM) against its memory before the flood (idle-rss-MB), and how long the
// legitimate event took to be answered 202 (legit-s); it fails if that event is not
// accepted. The senders, 250 of each:
//
//   - slowloris: half a request line, then nothing;
//   - a wrong bearer token announcing 1 MiB, then 64 KiB of it;
//   - a signature announcing 1 MiB, then all of it but the last byte, then nothing;
//   - a wrong signature on a full 1 MiB body.
//
// Run it with: go test -run '^$' -bench BenchmarkSlowSenders -benchtime 1x ./watch
func BenchmarkSlowSenders(b *testing.B) {
	b.Run("limits", func(b *testing.B) { benchmarkSlowSenders(b) })
	b.Run("no-limits", func(b *testing.B) { benchmarkSlowSenders(b, helperNoLimitEnv+"=1") })
}

func benchmarkSlowSenders(b *testing.B, env ...string) {
	for b.Loop() {
		addr, cmd := startHelper(b, "", env...)
		idle := rssKB(b, cmd.Process.Pid, "VmRSS")

		var conns []net.Conn
		var mu sync.Mutex
		var wg sync.WaitGroup
		chunk := bytes.Repeat([]byte(" "), 64<<10)
		full := append(bytes.Repeat([]byte(" "), (1<<20)-2), '{', '}')
		for i := range 1000 {
			wg.Go(func() {
				c, err := net.DialTimeout("tcp", addr, 30*time.Second)
				if err != nil {
					return
				}
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
				_ = c.SetWriteDeadline(time.Now().Add(30 * time.Second))
				head := "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(1<<20) + "\r\n"
				switch i % 4 {
				case 0:
					_, _ = io.WriteString(c, "POST /webh")
				case 1:
					_, _ = io.WriteString(c, head+"Authorization: Bearer wrong-wrong-wrong-wrong\r\n\r\n")
					_, _ = c.Write(chunk)
				case 2:
					_, _ = io.WriteString(c, head+watch.SignatureHeader+": sha256="+strings.Repeat("0", 64)+"\r\n\r\n")
					_, _ = c.Write(full[:len(full)-1])
				case 3:
					_, _ = io.WriteString(c, head+watch.SignatureHeader+": "+watch.Sign("wrong-wrong-wrong-wrong", full)+"\r\n\r\n")
					_, _ = c.Write(full)
				}
			})
		}
		// Give the flood a moment to be accepted and read before the legitimate event.
		time.Sleep(time.Second)
		start := time.Now()
		c, err := net.Dial("tcp", addr)
		require.NoError(b, err)
		body := distributionBody("legit", "3.20")
		fmt.Fprintf(c, "POST /webhook HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n%s", secret, len(body), body)
		require.NoError(b, c.SetReadDeadline(time.Now().Add(2*time.Minute)))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		require.NoError(b, err, "the legitimate event got no answer")
		resp.Body.Close()
		legit := time.Since(start)
		c.Close()
		require.Equal(b, http.StatusAccepted, resp.StatusCode)
		wg.Wait()
		peak := rssKB(b, cmd.Process.Pid, "VmHWM")
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		b.ReportMetric(float64(idle)/1024, "idle-rss-MB")
		b.ReportMetric(float64(peak)/1024, "peak-rss-MB")
		b.ReportMetric(legit.Seconds(), "legit-s")
		_ = cmd.Process.Kill()
	}
}

// rssKB reads a memory field (VmRSS, VmHWM) of a process from /proc, in kB.
func rssKB(tb testing.TB, pid int, field string) int {
	tb.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(tb, err)
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			require.NoError(tb, err)
			return n
		}
	}
	tb.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
