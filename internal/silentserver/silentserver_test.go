package silentserver_test

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/internal/silentserver"
)

func TestStartAcceptsAndNeverAnswers(t *testing.T) {
	t.Parallel()
	s := silentserver.Start(t)
	c, err := net.Dial("tcp", s.Addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(100*time.Millisecond)))
	_, err = c.Read(make([]byte, 1))
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout(), "the server answered: %v", err)
	assert.Eventually(t, func() bool { return s.Accepted() == 1 }, time.Second, 5*time.Millisecond)
}
