package cleartext_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/baseflow/baseflow/internal/cleartext"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	for raw, ok := range map[string]bool{
		"https://dev.azure.com":           true,
		"https://github.example/api/v3":   true,
		"http://127.0.0.1:8080":           true,
		"http://127.3.4.5":                true,
		"http://[::1]:9000/api":           true,
		"http://localhost:3000":           true,
		"http://LOCALHOST.":               true,
		"http://ci.localhost":             true,
		"http://dev.azure.com":            false,
		"http://api.github.com":           false,
		"HTTP://github.example/api/v3":    false,
		"http://10.0.0.1":                 false,
		"http://[::ffff:10.0.0.1]":        false,
		"http://localhost.example.com":    false,
		"http://127.0.0.1.nip.io":         false,
		"http://0.0.0.0:8080":             false,
		"http://user:pw@github.example":   false,
		"http://[fe80::1%25eth0]:80/path": false,
	} {
		u, err := url.Parse(raw)
		if !assert.NoError(t, err) {
			continue
		}
		if ok {
			assert.NoError(t, cleartext.Check(u), raw)
		} else {
			assert.ErrorIs(t, cleartext.Check(u), cleartext.ErrPlainHTTP, raw)
		}
	}
}
