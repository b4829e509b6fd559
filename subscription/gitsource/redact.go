package gitsource

import "github.com/baseflow/baseflow/internal/redact"

// newRedactor returns a redactor for messages about rawURL: the userinfo of every URL, and the
// credentials of rawURL wherever git prints them.
func newRedactor(rawURL string) *redact.Redactor {
	r := &redact.Redactor{}
	r.AddURL(rawURL)
	return r
}

// RedactURL returns rawURL with any credentials in it (user name and password, or a token used
// as the user name) replaced by "***". Text that is not a URL with userinfo is returned as is.
func RedactURL(rawURL string) string { return redact.URL(rawURL) }
