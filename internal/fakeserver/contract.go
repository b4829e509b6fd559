package fakeserver

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// Case is one request a contract test sends to a fake and the status it must get. Every answer
// of 400 or more but 401 must be recorded as a broken contract, unless Allowed says the real
// service gives it to correct clients too (a 404 for a resource that does not exist). It is an
// alias of an unnamed struct so that tests may write their tables positionally.
type Case = struct {
	Name    string
	Method  string
	Path    string
	Body    string
	Header  map[string]string // set over the default headers
	Want    int
	Allowed bool
}

// CheckContract starts a fake with start, sends it each case with header (and a JSON
// Content-Type when there is a body), and checks the status, that each broken contract was
// recorded by the time its answer came, and that the fake fails the test at cleanup once per
// broken contract. start gets a testing.TB that collects the fake's failures instead of failing
// t, and returns the fake's URL and its Violations method.
func CheckContract(t *testing.T, start func(tb testing.TB) (url string, violations func() []string), header map[string]string, cases []Case) {
	t.Helper()
	tb := &collectTB{TB: t}
	url, violations := start(tb)
	want := 0
	for _, c := range cases {
		req, err := http.NewRequest(c.Method, url+c.Path, strings.NewReader(c.Body))
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		if c.Body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, v := range c.Header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.Want {
			t.Errorf("%s: status %d, want %d", c.Name, resp.StatusCode, c.Want)
		}
		if c.Want >= 400 && c.Want != http.StatusUnauthorized && !c.Allowed {
			want++
		}
		if got := len(violations()); got != want {
			t.Errorf("%s: %d violations recorded, want %d", c.Name, got, want)
		}
	}
	for _, f := range tb.cleanups {
		f()
	}
	if len(tb.errors) != want {
		t.Errorf("the fake failed the test %d times at cleanup, want once per violation (%d)", len(tb.errors), want)
	}
}

// collectTB collects what a fake reports at cleanup instead of failing the test.
type collectTB struct {
	testing.TB
	cleanups []func()
	errors   []string
}

func (c *collectTB) Cleanup(f func())                  { c.cleanups = append(c.cleanups, f) }
func (c *collectTB) Errorf(format string, args ...any) { c.errors = append(c.errors, format) }
