package watch

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/baseflow/baseflow/registry"
)

// Format is a webhook payload format.
type Format string

// The formats a Watcher understands.
const (
	// Distribution is a CNCF distribution registry notification: an envelope of events.
	Distribution Format = "distribution"
	// DockerHub is a Docker Hub repository webhook.
	DockerHub Format = "dockerhub"
	// ACR is an Azure Container Registry webhook.
	ACR Format = "acr"
)

// Formats lists the formats in detection order.
var Formats = []Format{Distribution, DockerHub, ACR}

// ActionPush is the action of an event that pushed a manifest.
const ActionPush = "push"

// Event is one registry event, whatever format it arrived in.
type Event struct {
	Format Format `json:"format"`
	// Action is what happened: "push" for a manifest push; distribution also sends "pull",
	// "delete" and "mount", ACR "delete", "chart_push", "ping" and others.
	Action string `json:"action"`
	// Host is the registry as its clients address it: "myacr.azurecr.io", "docker.io",
	// "127.0.0.1:5000". It is lower-cased, and Docker Hub's API hosts read as docker.io.
	Host       string `json:"host"`
	Repository string `json:"repository"`
	// Tag is the pushed tag; empty for a push by digest (an index's platform manifests, a
	// blob), which moves no tag.
	Tag string `json:"tag,omitempty"`
	// Digest is the pushed manifest's digest; Docker Hub webhooks do not send one.
	Digest    string `json:"digest,omitempty"`
	MediaType string `json:"mediaType,omitempty"`
	// ID is the registry's identifier of the event, when it sends one.
	ID string `json:"id,omitempty"`
	// Time is when the registry says the event happened (Docker Hub's pushed_at).
	Time time.Time `json:"time,omitzero"`
}

// IsTagPush reports whether the event moved a tag: a push naming a repository and a tag. Only
// such events can make a base image stale; a push by digest alone matches no tag.
func (e Event) IsTagPush() bool {
	return e.Action == ActionPush && e.Repository != "" && e.Tag != ""
}

// Ref returns the normalized reference of the pushed tag: a Docker Hub push of alpine:3.20
// is docker.io/library/alpine:3.20, as the FROM line "alpine:3.20" normalizes. It fails for
// an event that is not a tag push or whose names do not parse.
func (e Event) Ref() (registry.Ref, error) {
	if !e.IsTagPush() {
		return registry.Ref{}, errors.New("not a tag push")
	}
	if strings.TrimSpace(e.Host) == "" {
		return registry.Ref{}, fmt.Errorf("%s:%s: the event names no registry host", e.Repository, e.Tag)
	}
	r, err := registry.Normalize(normalizeHost(e.Host) + "/" + e.Repository + ":" + e.Tag)
	if err != nil {
		return registry.Ref{}, err
	}
	r.Digest = ""
	return r, nil
}

// String describes the event for logs: "push 127.0.0.1:5000/library/alpine:3.20@sha256:…".
func (e Event) String() string {
	s := e.Action + " " + e.Host + "/" + e.Repository
	if e.Tag != "" {
		s += ":" + e.Tag
	}
	if e.Digest != "" {
		s += "@" + e.Digest
	}
	return s
}

// Key identifies a delivery of the event, so that a registry delivering it again is
// idempotent. The registry's event id names one push whatever its digest: a distribution
// registry and ACR send every event with an id of its own and keep it when they deliver it
// again, so pushes A → B → A of one tag make three keys. Without an id the pushed digest
// stands for the push (the tag's latest digest: see Watcher.AcceptAll for pushes of a digest
// the tag had before), then the push time (Docker Hub's pushed_at); an event with none of
// them gets a key of its own arrival and is never taken for a duplicate.
func (e Event) Key() string {
	name := e.Host + "/" + e.Repository
	if r, err := e.Ref(); err == nil {
		name = r.Name()
	}
	k := name + ":" + e.Tag + "@"
	switch {
	case e.ID != "":
		k += "id:" + e.ID
	case e.Digest != "":
		k += e.Digest
	case !e.Time.IsZero():
		k += "time:" + strconv.FormatInt(e.Time.UnixNano(), 10)
	default:
		k += "arrival:" + strconv.FormatInt(time.Now().UnixNano(), 10) + "-" + strconv.FormatUint(arrivals.Add(1), 10)
	}
	return k
}

// arrivals numbers the keys made of arrival times, which a coarse clock could repeat.
var arrivals atomic.Uint64

// normalizeHost lower-cases a registry host and names Docker Hub's hosts docker.io.
func normalizeHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	switch h {
	case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", "hub.docker.com":
		return "docker.io"
	}
	return h
}

// FormatError reports a webhook body that is not in the expected format, or in no known
// format when Format is empty.
type FormatError struct {
	Format Format
	Err    error
}

func (e *FormatError) Error() string {
	if e.Format == "" {
		return "webhook body in no known format: " + e.Err.Error()
	}
	return "not a " + string(e.Format) + " webhook body: " + e.Err.Error()
}

func (e *FormatError) Unwrap() error { return e.Err }
