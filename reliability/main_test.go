package reliability_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// TestMain runs the test binary as a killed writer when writerEnv is set (see
// nodataloss_test.go), and removes the example commands built for the tests when done.
func TestMain(m *testing.M) {
	if dest := os.Getenv(writerEnv); dest != "" {
		os.Exit(writeAndHang(dest))
	}
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// commands are the example commands the tests run as a user would.
var commands = []string{"get-stale-images", "check-base-images", "queue-build", "merge-image-info"}

// command returns the path of an example command, built once per test run with go build.
func command(t *testing.T, name string) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "reliability-bin-")
		if buildErr != nil {
			return
		}
		args := []string{"build", "-o", binDir + string(filepath.Separator)}
		for _, c := range commands {
			args = append(args, "github.com/baseflow/baseflow/examples/"+c)
		}
		out, err := exec.Command("go", args...).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go %v: %v\n%s", args, err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, name)
}
