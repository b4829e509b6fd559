package watch_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/watch"
)

func TestEventRef(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		e    watch.Event
		want string // "" when Ref fails
	}{
		{"docker hub official image", watch.Event{Action: "push", Host: "docker.io", Repository: "alpine", Tag: "3.20"}, "docker.io/library/alpine:3.20"},
		{"docker hub library path", watch.Event{Action: "push", Host: "docker.io", Repository: "library/alpine", Tag: "3.20"}, "docker.io/library/alpine:3.20"},
		{"registry with port", watch.Event{Action: "push", Host: "127.0.0.1:5000", Repository: "x/y", Tag: "1"}, "127.0.0.1:5000/x/y:1"},
		{"digest dropped", watch.Event{Action: "push", Host: "mcr.microsoft.com", Repository: "dotnet/runtime", Tag: "8.0", Digest: string(alpineV1)}, "mcr.microsoft.com/dotnet/runtime:8.0"},
		{"digest-only push", watch.Event{Action: "push", Host: "docker.io", Repository: "alpine", Digest: string(alpineV1)}, ""},
		{"pull", watch.Event{Action: "pull", Host: "docker.io", Repository: "alpine", Tag: "3.20"}, ""},
		{"no host", watch.Event{Action: "push", Repository: "alpine", Tag: "3.20"}, ""},
		{"invalid name", watch.Event{Action: "push", Host: "docker.io", Repository: "Alpine", Tag: "3.20"}, ""},
	}
	for _, tt := range tests {
		r, err := tt.e.Ref()
		if tt.want == "" {
			assert.Error(t, err, tt.name)
			continue
		}
		require.NoError(t, err, tt.name)
		assert.Equal(t, tt.want, r.String(), tt.name)
	}
}

func TestParseNormalizesHosts(t *testing.T) {
	t.Parallel()
	for _, host := range []string{"registry-1.docker.io", "index.docker.io", "Docker.IO"} {
		events, err := watch.Parse(watch.ACR, []byte(`{"action": "push", "target": {"repository": "library/alpine", "tag": "3.20"}, "request": {"host": "`+host+`"}}`))
		require.NoError(t, err)
		r, err := events[0].Ref()
		require.NoError(t, err)
		assert.Equal(t, "docker.io/library/alpine:3.20", r.String(), host)
	}
}

func TestEventKey(t *testing.T) {
	t.Parallel()
	a := watch.Event{Action: "push", Host: "docker.io", Repository: "alpine", Tag: "3.20", Digest: string(alpineV1)}
	b := a
	b.Host, b.Repository = "index.docker.io", "library/alpine" // redelivered, spelt otherwise
	assert.Equal(t, "docker.io/library/alpine:3.20@"+string(alpineV1), a.Key())
	assert.Equal(t, a.Key(), b.Key(), "without an event id, the same tag and digest is the same push")
	c := a
	c.Digest = string(alpineV2)
	assert.NotEqual(t, a.Key(), c.Key(), "a new digest is a new push")
	d := a
	d.Tag = "3"
	assert.NotEqual(t, a.Key(), d.Key(), "another tag is another push")

	// With the registry's event id, the id names the push: A, B, then A again are three.
	first, second, third := a, c, a
	first.ID, second.ID, third.ID = "ev-1", "ev-2", "ev-3"
	assert.Equal(t, "docker.io/library/alpine:3.20@id:ev-1", first.Key())
	assert.NotEqual(t, first.Key(), third.Key(), "the same digest pushed again is another event")
	again := first
	again.Host, again.Repository = "index.docker.io", "library/alpine"
	assert.Equal(t, first.Key(), again.Key(), "a redelivery keeps its id")

	hub := watch.Event{Action: "push", Host: "docker.io", Repository: "octo/base", Tag: "noble", Time: time.Unix(1772442847, 0)}
	assert.Equal(t, hub.Key(), hub.Key(), "Docker Hub: the push time stands in for the digest")
	later := hub
	later.Time = hub.Time.Add(time.Second)
	assert.NotEqual(t, hub.Key(), later.Key())

	bare := watch.Event{Action: "push", Host: "docker.io", Repository: "octo/base", Tag: "noble"}
	assert.NotEqual(t, bare.Key(), bare.Key(), "an event with nothing to tell deliveries apart is never a duplicate")
}
