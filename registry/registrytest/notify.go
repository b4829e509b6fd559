package registrytest

import (
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// NotificationEndpoint is where a Distribution registry sends its event notifications (the
// notifications.endpoints entries of its configuration).
type NotificationEndpoint struct {
	// Name names the endpoint in the registry's logs; empty means "endpoint-N".
	Name string
	// URL receives the notifications as POST requests.
	URL string
	// Headers are sent with every notification, such as an Authorization header.
	Headers http.Header
	// Timeout bounds each request; zero means 1s.
	Timeout time.Duration
	// Threshold is how many failures in a row make the registry back off; zero means 3.
	Threshold int
	// Backoff is how long the registry waits after Threshold failures; zero means 100ms.
	Backoff time.Duration
	// IgnoredMediaTypes are target media types not notified, such as
	// "application/octet-stream" for blobs.
	IgnoredMediaTypes []string
}

// StartDistributionNotifying is StartDistribution for a plain-HTTP registry without
// authentication that sends event notifications (pushes, pulls) to the endpoints.
func StartDistributionNotifying(t testing.TB, endpoints ...NotificationEndpoint) *Distribution {
	t.Helper()
	bin := requireBinary(t, "docker-registry", "apt-get install docker-registry")
	dir := t.TempDir()
	d := &Distribution{PlainHTTP: true}
	notifications := notificationsConfig(endpoints)
	client := &http.Client{Timeout: 2 * time.Second}
	var lastErr error
	for range 3 { // the free port may be taken between probing and the registry binding it
		addr, err := freePort()
		if err != nil {
			t.Fatalf("free port: %v", err)
		}
		conf := fmt.Sprintf("version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"+
			"storage:\n  inmemory: {}\n  delete:\n    enabled: true\n"+
			"http:\n  addr: %q\n  secret: registrytest-not-a-secret\n%s", addr, notifications)
		confFile := filepath.Join(dir, "config.yml")
		writeFile(t, confFile, []byte(conf))
		if lastErr = d.start(t, bin, confFile, addr, client); lastErr == nil {
			return d
		}
	}
	t.Fatalf("docker-registry did not start: %v", lastErr)
	return nil
}

// notificationsConfig renders the notifications section of a registry configuration.
func notificationsConfig(endpoints []NotificationEndpoint) string {
	if len(endpoints) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("notifications:\n  endpoints:\n")
	for i, e := range endpoints {
		name := e.Name
		if name == "" {
			name = fmt.Sprintf("endpoint-%d", i+1)
		}
		timeout, threshold, backoff := e.Timeout, e.Threshold, e.Backoff
		if timeout == 0 {
			timeout = time.Second
		}
		if threshold == 0 {
			threshold = 3
		}
		if backoff == 0 {
			backoff = 100 * time.Millisecond
		}
		fmt.Fprintf(&b, "    - name: %q\n      url: %q\n      timeout: %s\n      threshold: %d\n      backoff: %s\n",
			name, e.URL, timeout, threshold, backoff)
		if len(e.Headers) > 0 {
			b.WriteString("      headers:\n")
			for _, k := range slices.Sorted(maps.Keys(e.Headers)) {
				fmt.Fprintf(&b, "        %q: [", k)
				for j, v := range e.Headers[k] {
					if j > 0 {
						b.WriteString(", ")
					}
					fmt.Fprintf(&b, "%q", v)
				}
				b.WriteString("]\n")
			}
		}
		if len(e.IgnoredMediaTypes) > 0 {
			b.WriteString("      ignoredmediatypes:\n")
			for _, m := range e.IgnoredMediaTypes {
				fmt.Fprintf(&b, "        - %q\n", m)
			}
		}
	}
	return b.String()
}
