package watch_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/baseflow/baseflow/watch"
)

// FuzzParse feeds webhook bodies to the parsers: whatever the body, parsing returns events
// or an error, never panics, speaks of JSON rather than Go types in its errors, and what it
// returns can be keyed and matched.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"action": "ping"}`))
	f.Add([]byte(`{"events": [{"action": "push", "target": {"repository": "A/b", "tag": "-"}, "request": {"host": "::1"}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		detected, derr := watch.Parse("", body)
		format, ferr := watch.Detect(body)
		if derr != nil && (strings.Contains(derr.Error(), "watch.") || strings.Contains(derr.Error(), "struct {")) {
			t.Fatalf("the error a sender reads names a Go type: %v", derr)
		}
		if derr == nil && ferr != nil {
			t.Fatalf("Parse succeeded where Detect failed: %v", ferr)
		}
		if derr == nil {
			for _, e := range detected {
				if e.Format != format {
					t.Fatalf("event of format %q from a %q body", e.Format, format)
				}
			}
		}
		for _, f := range watch.Formats {
			events, err := watch.Parse(f, body)
			if err != nil {
				continue
			}
			for _, e := range events {
				_ = e.Key()
				_ = e.String()
				r, err := e.Ref()
				if err == nil && (!e.IsTagPush() || r.Tag != e.Tag || r.Digest != "") {
					t.Fatalf("Ref of %+v is %v", e, r)
				}
			}
		}
	})
}
