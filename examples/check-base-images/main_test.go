package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/baseflow/baseflow/internal/cli/clitest"
)

func TestCommandLineConventions(t *testing.T) {
	t.Parallel()
	clitest.Conventions(t, "check-base-images", func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr, func(string) string { return "" }, nil)
		return code, stdout.String(), stderr.String()
	})
}
