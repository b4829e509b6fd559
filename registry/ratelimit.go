package registry

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RateLimit is a pull budget a registry reported, as Docker Hub does in its
// "ratelimit-limit: 100;w=21600" and "ratelimit-remaining: 76;w=21600" response headers.
type RateLimit struct {
	// Limit is the number of pulls allowed per window.
	Limit int
	// Remaining is the number of pulls left in the current window.
	Remaining int
	// Window is the length of the window, 0 when the registry did not say.
	Window time.Duration
}

// ParseRateLimit reads the rate-limit headers of a registry response. It reports false when
// the headers are absent or malformed.
func ParseRateLimit(h http.Header) (RateLimit, bool) {
	limit, window, ok := parseQuota(h.Get("Ratelimit-Limit"))
	if !ok {
		return RateLimit{}, false
	}
	remaining, w, ok := parseQuota(h.Get("Ratelimit-Remaining"))
	if !ok {
		return RateLimit{}, false
	}
	if window == 0 {
		window = w
	}
	return RateLimit{Limit: limit, Remaining: remaining, Window: window}, true
}

// parseQuota parses "100;w=21600" (RFC draft "RateLimit header fields" as Docker Hub sends it).
func parseQuota(v string) (n int, window time.Duration, ok bool) {
	if v == "" {
		return 0, 0, false
	}
	parts := strings.Split(v, ";")
	n, err := strconv.Atoi(strings.TrimSpace(parts[0]))
	if err != nil || n < 0 {
		return 0, 0, false
	}
	for _, p := range parts[1:] {
		k, val, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found || strings.TrimSpace(k) != "w" {
			continue
		}
		if secs, err := strconv.Atoi(strings.TrimSpace(val)); err == nil && secs > 0 {
			window = time.Duration(secs) * time.Second
		}
	}
	return n, window, true
}
