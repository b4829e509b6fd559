package gitsource

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// userinfoPattern matches "scheme://userinfo@" in free text; the userinfo stops at the first
// '/', '?', '#' or white space, and extends to the last '@' before it.
var userinfoPattern = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.\-]*://)[^/?#\s]*@`)

// redactedUserinfo replaces the whole userinfo: a token can be the user name as well as the
// password ("TOKEN:x-oauth-basic", "https://TOKEN@host/").
const redactedUserinfo = "***"

// redactor removes credentials from text that mentions a repository URL.
type redactor struct {
	// secrets are literal strings (the URL's password or token-only user name, raw and
	// percent-decoded) removed wherever they appear, in case git prints them without the URL.
	secrets []string
}

// newRedactor returns a redactor for messages about rawURL.
func newRedactor(rawURL string) redactor {
	var r redactor
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return r
	}
	raw := strings.TrimPrefix(rawURL, u.Scheme+"://")
	if i := strings.LastIndex(raw, "@"); i >= 0 {
		raw = raw[:i]
	}
	add := func(s string) {
		// Short values (such as "git" or "x") are ordinary words; the URL pattern covers them.
		if len(s) >= 6 && !slices.Contains(r.secrets, s) {
			r.secrets = append(r.secrets, s)
		}
	}
	if pw, ok := u.User.Password(); ok {
		add(pw)
		if _, rawPW, ok := strings.Cut(raw, ":"); ok {
			add(rawPW)
		}
	} else {
		add(u.User.Username())
		add(raw)
	}
	return r
}

// redact returns s with the userinfo of every URL and every known secret replaced.
func (r redactor) redact(s string) string {
	s = userinfoPattern.ReplaceAllString(s, "${1}"+redactedUserinfo+"@")
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, redactedUserinfo)
	}
	return s
}

// RedactURL returns rawURL with any credentials in it (user name and password, or a token used
// as the user name) replaced by "***". Text that is not a URL with userinfo is returned as is.
func RedactURL(rawURL string) string {
	return newRedactor(rawURL).redact(rawURL)
}
