package redact_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/baseflow/baseflow/internal/redact"
)

func TestURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://github.com/acme/app.git", "https://github.com/acme/app.git"},
		{"https://user:secret@host/x", "https://***@host/x"},
		{"https://ghp_token1234@host/x", "https://***@host/x"},
		{"https://ghp_token1234:x-oauth-basic@host/x", "https://***@host/x"},
		{"https://user:p%40ss@host:8443/x?y=1", "https://***@host:8443/x?y=1"},
		{"ssh://git@host/acme/app.git", "ssh://***@host/acme/app.git"},
		{"git@github.com:acme/app.git", "git@github.com:acme/app.git"},
		{"file:///srv/git/acme/app", "file:///srv/git/acme/app"},
		{"/srv/git/a@b/app", "/srv/git/a@b/app"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, redact.URL(tt.in), tt.in)
	}
}

func TestRedactor(t *testing.T) {
	t.Parallel()
	r := redact.New("tok-SECRET-0123456789", "")
	r.AddURL("https://me:hunter22%21@git.example.com/acme/app.git")
	tests := []struct{ in, want string }{
		{
			"fatal: unable to access 'https://me:hunter22%21@git.example.com/acme/app.git/': Failed",
			"fatal: unable to access 'https://***@git.example.com/acme/app.git/': Failed",
		},
		{"fatal: password hunter22! rejected", "fatal: password *** rejected"},
		{"fatal: password hunter22%21 rejected", "fatal: password *** rejected"},
		{"see http://a:b@one/ and https://c@two/x", "see http://***@one/ and https://***@two/x"},
		{"bad credentials: Bearer tok-SECRET-0123456789", "bad credentials: Bearer ***"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, r.Redact(tt.in), tt.in)
	}
	assert.Equal(t, []string{"tok-SECRET-0123456789", "hunter22%21", "hunter22!"}, r.Secrets(), "longest first")

	// A short URL user name is an ordinary word, not a secret to hunt for in messages.
	short := &redact.Redactor{}
	short.AddURL("ssh://git@host/x")
	assert.Empty(t, short.Secrets())
	token := &redact.Redactor{}
	token.AddURL("https://tokenvalue99@host/x")
	assert.Equal(t, []string{"tokenvalue99"}, token.Secrets())

	// A secret that contains another goes whole.
	nested := redact.New("abc123", "xxabc123yy")
	assert.Equal(t, "key ***", nested.Redact("key xxabc123yy"))

	var none *redact.Redactor
	assert.Equal(t, "https://***@h/ tok", none.Redact("https://u:p@h/ tok"))
}
