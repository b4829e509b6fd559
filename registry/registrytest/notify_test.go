package registrytest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
)

func TestDistributionNotifications(t *testing.T) {
	t.Parallel()
	type delivery struct {
		auth string
		body []byte
	}
	got := make(chan delivery, 100)
	listener := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		select {
		case got <- delivery{r.Header.Get("Authorization"), body}:
		default: // the test is over
		}
	}))
	t.Cleanup(listener.Close)
	d := registrytest.StartDistributionNotifying(t, registrytest.NotificationEndpoint{
		URL:               listener.URL + "/events",
		Headers:           http.Header{"Authorization": {"Bearer s3cret"}},
		IgnoredMediaTypes: []string{"application/octet-stream"},
	})
	target, err := d.Target("library/base")
	require.NoError(t, err)
	idx, err := registrytest.PushRandomIndex(context.Background(), target, "1.0", ocispec.MediaTypeImageIndex, registry.Platform{OS: "linux", Architecture: "amd64"})
	require.NoError(t, err)

	timeout := time.After(10 * time.Second)
	for {
		select {
		case <-timeout:
			t.Fatal("no notification of the index push")
		case dl := <-got:
			assert.Equal(t, "Bearer s3cret", dl.auth)
			var env struct {
				Events []struct {
					Action  string
					Target  struct{ MediaType, Digest, Repository, Tag string }
					Request struct{ Host string }
				}
			}
			require.NoError(t, json.Unmarshal(dl.body, &env), string(dl.body))
			for _, e := range env.Events {
				assert.NotEqual(t, "application/octet-stream", e.Target.MediaType, "blob events are ignored")
				if e.Action == "push" && e.Target.Tag == "1.0" {
					assert.Equal(t, idx.Digest.String(), e.Target.Digest)
					assert.Equal(t, "library/base", e.Target.Repository)
					assert.Equal(t, d.Host, e.Request.Host)
					return
				}
			}
		}
	}
}
