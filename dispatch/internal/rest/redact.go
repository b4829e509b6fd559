package rest

import "strings"

// redact replaces every secret in s. Servers rarely echo credentials, but an error body is
// untrusted text that ends up in logs.
func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[REDACTED]")
		}
	}
	return s
}

// trim collapses whitespace to single spaces and cuts s to at most n runes.
func trim(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
