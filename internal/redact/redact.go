// Package redact removes credentials from text bound for errors and logs: the userinfo of
// every URL ("scheme://user:password@host" becomes "scheme://***@host") and every known secret
// (a token, a password), replaced by one marker, [Marker], wherever they appear.
//
// Every client in this module that can see a credential (the git source, the REST clients of
// the GitHub source and the dispatch backends) redacts through a [Redactor]; the registry
// client relies on oras-go, which never puts credentials in its errors.
package redact

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Marker replaces every credential.
const Marker = "***"

// minURLSecret is the shortest URL user name or password hunted for in free text: shorter ones
// ("git", "x") are ordinary words, and the URL pattern already covers them inside URLs.
const minURLSecret = 6

// userinfoPattern matches "scheme://userinfo@" in free text; the userinfo stops at the first
// '/', '?', '#' or white space, and extends to the last '@' before it.
var userinfoPattern = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.\-]*://)[^/?#\s]*@`)

// Redactor removes the userinfo of URLs and a set of secrets from text. The zero Redactor
// removes URL userinfo only. Add secrets before sharing it; Redact is safe for concurrent use.
type Redactor struct {
	secrets []string
}

// New returns a Redactor for the given secrets (empty ones are ignored).
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		r.Add(s)
	}
	return r
}

// Add adds a secret to remove wherever it appears. An empty secret is ignored.
func (r *Redactor) Add(secret string) {
	if secret != "" && !slices.Contains(r.secrets, secret) {
		r.secrets = append(r.secrets, secret)
		// Replace longer secrets first, so that one containing another goes whole.
		slices.SortStableFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
	}
}

// AddURL adds the credentials of rawURL (its password, raw and percent-decoded, or a user
// name used as a token), in case a tool prints them without the URL around them.
func (r *Redactor) AddURL(rawURL string) {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return
	}
	raw := strings.TrimPrefix(rawURL, u.Scheme+"://")
	if i := strings.LastIndex(raw, "@"); i >= 0 {
		raw = raw[:i]
	}
	add := func(s string) {
		if len(s) >= minURLSecret {
			r.Add(s)
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
}

// Secrets returns the secrets added, longest first.
func (r *Redactor) Secrets() []string {
	if r == nil {
		return nil
	}
	return slices.Clone(r.secrets)
}

// Redact returns s with the userinfo of every URL and every secret replaced by Marker. A nil
// Redactor removes URL userinfo only.
func (r *Redactor) Redact(s string) string {
	s = userinfoPattern.ReplaceAllString(s, "${1}"+Marker+"@")
	if r == nil {
		return s
	}
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, Marker)
	}
	return s
}

// URL returns rawURL with any credentials in it (user name and password, or a token used as
// the user name) replaced by Marker. Text that is not a URL with userinfo is returned as is.
func URL(rawURL string) string {
	r := &Redactor{}
	r.AddURL(rawURL)
	return r.Redact(rawURL)
}
