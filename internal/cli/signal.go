package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// SignalContext returns a context that is cancelled on the first SIGINT or SIGTERM, so that a
// command stopped by a terminal, a CI cancel, timeout(1) or Kubernetes ends its work and runs
// its cleanups (temporary clones are removed) instead of dying half way. After that first
// signal the default handling is back: a second one kills the process at once. Call stop when
// the command is done.
func SignalContext(parent context.Context) (ctx context.Context, stop context.CancelFunc) {
	ctx, stop = signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	return ctx, stop
}
