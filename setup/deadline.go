package setup

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DefaultRunTimeout is the default bound of a check run in the commands: far above what a
// check of a large fleet takes, far below the hours a CI job may run before its own limit
// kills it (without the report, and without cleaning up).
const DefaultRunTimeout = 30 * time.Minute

// DeadlineError is the cause of a run's context ending at its time limit.
type DeadlineError struct {
	Timeout time.Duration
	// Flag names the setting in messages, e.g. "--timeout"; empty: "time limit".
	Flag string
}

func (e *DeadlineError) Error() string {
	name := e.Flag
	if name == "" {
		name = "time limit"
	}
	return fmt.Sprintf("the run did not finish within %s %v", name, e.Timeout)
}

// WithRunTimeout returns ctx bounded by timeout (no bound when it is zero or less). When the
// deadline passes, context.Cause of the returned context is a *DeadlineError, which the
// registry lookups it stops carry in their errors (see registry.Cache), so a run cut short
// says why. flag names the setting in the message.
func WithRunTimeout(ctx context.Context, timeout time.Duration, flag string) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, timeout, &DeadlineError{Timeout: timeout, Flag: flag})
}

// DeadlinePassed returns the *DeadlineError when ctx ended at the limit WithRunTimeout set,
// else nil.
func DeadlinePassed(ctx context.Context) error {
	var de *DeadlineError
	if errors.As(context.Cause(ctx), &de) {
		return de
	}
	return nil
}
