package githubtest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/baseflow/baseflow/dispatch/github/githubtest"
)

func TestNewServerForwards(t *testing.T) {
	t.Parallel()
	srv := githubtest.NewServer(t, "tok")
	assert.Equal(t, "tok", srv.Token)
	srv.Workflow("o", "r", "build.yml", githubtest.Run{ID: 1, Status: "queued"})
	assert.Empty(t, srv.Dispatches())
}
