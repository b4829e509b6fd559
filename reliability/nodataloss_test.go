package reliability_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/internal/atomicfile"
)

const (
	// writerEnv names the destination a re-executed test binary writes to, then hangs.
	writerEnv = "BASEFLOW_RELIABILITY_KILLED_WRITER"
	// pauseEnv is the byte offset at which it hangs.
	pauseEnv = "BASEFLOW_RELIABILITY_PAUSE_AT"

	dotnetDockerInfo = "../testdata/dotnet-docker/image-info.dotnet-dotnet-docker-main.json"
	dockerToolsInfo  = "../testdata/docker-tools/image-info.dotnet-docker-tools-main-imagebuilder.json"
)

// writeAndHang is the child process: it writes the dotnet-docker image-info (1.4 MB) to dest
// the way the commands write image-info (atomicfile.Write around imageinfo.Write), says
// "paused" on stdout after pauseEnv bytes, and waits there to be killed.
func writeAndHang(dest string) int {
	pauseAt, err := strconv.ParseInt(os.Getenv(pauseEnv), 10, 64)
	if err == nil {
		var doc *imageinfo.Document
		var data []byte
		if data, err = os.ReadFile(dotnetDockerInfo); err == nil {
			doc, err = imageinfo.Parse(dotnetDockerInfo, data)
		}
		if err == nil {
			err = atomicfile.Write(dest, 0o644, func(w io.Writer) error {
				return imageinfo.Write(&pausingWriter{w: w, pauseAt: pauseAt}, doc)
			})
		}
	}
	fmt.Fprintln(os.Stderr, "writer: not killed:", err)
	return 1
}

// pausingWriter passes writes on until pauseAt bytes are written, then reports it and hangs.
type pausingWriter struct {
	w       io.Writer
	n       int64
	pauseAt int64
}

func (p *pausingWriter) Write(b []byte) (int, error) {
	if p.n+int64(len(b)) >= p.pauseAt {
		k := p.pauseAt - p.n
		if _, err := p.w.Write(b[:k]); err != nil {
			return 0, err
		}
		fmt.Println("paused")
		select {} // killed here
	}
	p.n += int64(len(b))
	return p.w.Write(b)
}

// TestKilledImageInfoWriterLosesNothing kills a process that is writing a large image-info
// file over an existing one, at several points of the write: the existing file is intact and
// reads as the same document every time.
func TestKilledImageInfoWriterLosesNothing(t *testing.T) {
	t.Parallel()
	newData, err := os.ReadFile(dotnetDockerInfo)
	require.NoError(t, err)
	old, err := os.ReadFile(dockerToolsInfo)
	require.NoError(t, err)
	oldDoc, err := imageinfo.Parse("old", old)
	require.NoError(t, err)
	size := int64(len(imageinfo.Marshal(mustParse(t, newData))))

	for _, pauseAt := range []int64{0, 1, size / 2, size - 1, size} {
		t.Run(fmt.Sprintf("killed after %d of %d bytes", pauseAt, size), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			dest := filepath.Join(dir, "image-info.json")
			require.NoError(t, os.WriteFile(dest, old, 0o644))

			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), writerEnv+"="+dest, pauseEnv+"="+strconv.FormatInt(pauseAt, 10))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			line, err := bufio.NewReader(out).ReadString('\n')
			if err != nil || line != "paused\n" {
				_ = cmd.Wait()
				t.Fatalf("writer did not pause: %q, %v: %s", line, err, stderr.String())
			}

			// The new content is half written to a temporary file next to dest.
			tmp, err := filepath.Glob(filepath.Join(dir, ".image-info.json.tmp-*"))
			require.NoError(t, err)
			require.Len(t, tmp, 1)
			st, err := os.Stat(tmp[0])
			require.NoError(t, err)
			assert.Equal(t, pauseAt, st.Size())

			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			err = cmd.Wait()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit)
			assert.Equal(t, syscall.SIGKILL, exit.Sys().(syscall.WaitStatus).Signal())

			got, err := os.ReadFile(dest)
			require.NoError(t, err)
			assert.Equal(t, old, got, "the previous file is intact")
			doc, err := imageinfo.Parse(dest, got)
			require.NoError(t, err)
			assert.Equal(t, oldDoc.Count(), doc.Count())
		})
	}
}

func mustParse(t *testing.T, data []byte) *imageinfo.Document {
	t.Helper()
	d, err := imageinfo.Parse("t", data)
	require.NoError(t, err)
	return d
}

// TestKilledMergeLeavesDestWholeOrNew runs the merge-image-info command on the real
// dotnet-docker image-info and kills it at moments spread over its run time: DEST is always
// either the previous file or the complete new one, never a part of it.
func TestKilledMergeLeavesDestWholeOrNew(t *testing.T) {
	t.Parallel()
	bin := command(t, "merge-image-info")
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	require.NoError(t, os.MkdirAll(src, 0o755))
	for name, from := range map[string]string{"a.json": dotnetDockerInfo, "b.json": dockerToolsInfo} {
		data, err := os.ReadFile(from)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(src, name), data, 0o644))
	}
	old, err := os.ReadFile(dockerToolsInfo)
	require.NoError(t, err)

	// The complete result, and how long the command takes.
	ref := filepath.Join(dir, "ref.json")
	start := time.Now()
	out, err := exec.Command(bin, src, ref).CombinedOutput()
	require.NoError(t, err, "%s", out)
	took := time.Since(start)
	want, err := os.ReadFile(ref)
	require.NoError(t, err)

	dest := filepath.Join(dir, "dest.json")
	const runs = 24
	outcomes := map[string]int{}
	for i := range runs {
		require.NoError(t, os.WriteFile(dest, old, 0o644))
		cmd := exec.Command(bin, src, dest)
		require.NoError(t, cmd.Start())
		time.Sleep(took * time.Duration(i) / (runs - 4)) // the last runs finish before the kill
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		got, err := os.ReadFile(dest)
		require.NoError(t, err)
		switch {
		case bytes.Equal(got, old):
			outcomes["previous file"]++
		case bytes.Equal(got, want):
			outcomes["complete new file"]++
		default:
			t.Fatalf("run %d: DEST is neither the previous file nor the new one (%d bytes)", i, len(got))
		}
		_, err = imageinfo.Parse(dest, got)
		require.NoError(t, err)
	}
	t.Logf("%d kills spread over a %v run: %v", runs, took, outcomes)
	assert.Equal(t, runs, outcomes["previous file"]+outcomes["complete new file"])
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".dest.json.tmp-*"))
	t.Logf("temporary files left by killed runs: %d", len(leftovers))
}

// TestFailedMergeLeavesDestUntouched runs the merge-image-info command on inputs that fail
// part way (a bad file after a good one; a missing source): DEST keeps its bytes and no
// temporary file is left. examples/merge-image-info's TestDestUntouchedOnError covers more
// failures in-process.
func TestFailedMergeLeavesDestUntouched(t *testing.T) {
	t.Parallel()
	bin := command(t, "merge-image-info")
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	require.NoError(t, os.MkdirAll(src, 0o755))
	data, err := os.ReadFile(dotnetDockerInfo)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(src, "a.json"), data, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(src, "b.json"), data[:len(data)/2], 0o644))
	dest := filepath.Join(dir, "dest.json")
	old := []byte("previous content\n")
	require.NoError(t, os.WriteFile(dest, old, 0o644))

	for _, args := range [][]string{{src, dest}, {filepath.Join(dir, "missing"), dest}} {
		out, err := exec.Command(bin, args...).CombinedOutput()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, "%s", out)
		assert.Equal(t, 1, exit.ExitCode())
		assert.True(t, strings.HasPrefix(string(out), "merge-image-info: "), "%s", out)
		got, err := os.ReadFile(dest)
		require.NoError(t, err)
		assert.Equal(t, old, got)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "only src and dest: no temporary file left")
}
