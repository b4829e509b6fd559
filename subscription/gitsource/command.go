package gitsource

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// waitDelay bounds how long a cancelled git may keep its output pipes open.
const waitDelay = 5 * time.Second

// gitEnv is the environment git runs with: the process environment, prompts disabled (a missing
// credential fails instead of waiting for input), messages in the C locale (so the cause of a
// failed clone can be told from its message), then the configured additions.
func (s *Source) gitEnv() []string {
	env := processEnv()
	env = append(env, "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	if _, ok := os.LookupEnv("GCM_INTERACTIVE"); !ok {
		// Git Credential Manager's equivalent of GIT_TERMINAL_PROMPT=0.
		env = append(env, "GCM_INTERACTIVE=never")
	}
	env = append(env, s.opts.env...)
	// A server that stops sending fails the fetch instead of holding it (and, should this
	// process be killed, an orphaned remote helper) until the run's deadline. The variables
	// the user sets win.
	if !hasEnv(env, "GIT_HTTP_LOW_SPEED_LIMIT") && !hasEnv(env, "GIT_HTTP_LOW_SPEED_TIME") {
		env = append(env, "GIT_HTTP_LOW_SPEED_LIMIT=1", "GIT_HTTP_LOW_SPEED_TIME="+strconv.Itoa(int(stallTimeout/time.Second)))
	}
	// The clones are temporary: no fsync of what git writes, and no maintenance after a fetch.
	return append(env, configEnv(env, "core.fsync", "none", "maintenance.auto", "false", "gc.auto", "0")...)
}

// stallTimeout is how long an http(s) transfer may go without receiving a byte before git
// gives up (GIT_HTTP_LOW_SPEED_TIME); git's servers send keep-alive packets while they prepare
// a pack, so only a stalled server or network trips it.
var stallTimeout = 60 * time.Second

// hasEnv reports whether env sets name.
func hasEnv(env []string, name string) bool {
	return slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, name+"=") })
}

// run runs git with args in the environment env, feeding it stdin when not nil. Cancelling
// ctx kills git and the processes it started (remote helpers, credential helpers).
func (s *Source) run(ctx context.Context, env []string, stdin io.Reader, args ...string) (stdout []byte, stderr string, err error) {
	cmd := exec.CommandContext(ctx, s.git, args...)
	cmd.Env = env
	cmd.Stdin = stdin
	var out, errOut bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errOut
	cmd.WaitDelay = waitDelay
	killProcessGroup(cmd)
	s.processes.Add(1)
	err = cmd.Run()
	if ctxErr := ctx.Err(); err != nil && ctxErr != nil {
		err = ctxErr
	}
	return out.Bytes(), errOut.String(), err
}
