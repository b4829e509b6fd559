package subscription_test

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/baseflow/baseflow/subscription"
)

// FuzzParse checks that Parse never panics, that every error names the input, and that what
// it accepts is safe to hand on: every subscription's sources valid, and its pipeline trigger
// too when it has one (a check needs none; queueing does), ids unique, no quote or control
// character and no escaping path in the fields that reach pipelines and git, and the same
// subscriptions read back after writing them as JSON.
func FuzzParse(f *testing.F) {
	real, err := os.ReadFile("../testdata/check-base-image-subscriptions.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(real)
	f.Add([]byte("[" + valid + "]"))
	f.Add([]byte("[" + strings.Replace(valid, `"id": 7, `, `"workflow": "rebuild.yml", `, 1) + "]"))
	f.Add([]byte("[" + strings.Replace(valid, `"path": "manifest.json"`, `"path": "a\"b\nc"`, 1) + "]"))
	f.Add([]byte(`[{"manifest": {"owner": "o"`))
	f.Add([]byte(`null`))

	f.Fuzz(func(t *testing.T, data []byte) {
		subs, err := subscription.Parse("subs.json", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "subs.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
			if subs != nil {
				t.Fatal("subscriptions returned with an error")
			}
			return
		}
		ids := map[string]bool{}
		for i, s := range subs {
			if err := s.ValidateSources(); err != nil {
				t.Fatalf("[%d] accepted but invalid: %v", i, err)
			}
			if !s.PipelineTrigger.IsZero() {
				if err := s.Validate(); err != nil {
					t.Fatalf("[%d] accepted with an invalid pipeline trigger: %v", i, err)
				}
			}
			if ids[s.ID()] {
				t.Fatalf("[%d] repeats id %s", i, s.ID())
			}
			ids[s.ID()] = true
			for _, v := range []string{s.Manifest.Owner, s.Manifest.Repo, s.Manifest.Branch, s.Manifest.Path,
				s.ImageInfo.Owner, s.ImageInfo.Repo, s.ImageInfo.Branch, s.ImageInfo.Path, s.PipelineTrigger.PathVariable} {
				if strings.ContainsAny(v, "\"'`\n\r\x00") {
					t.Fatalf("[%d] accepted a quote or control character: %q", i, v)
				}
			}
			for _, p := range []string{s.Manifest.Path, s.ImageInfo.Path} {
				if strings.HasPrefix(p, "/") || p == ".." || strings.HasPrefix(p, "../") || strings.Contains(p, "/../") || strings.HasSuffix(p, "/..") {
					t.Fatalf("[%d] accepted a path outside the repository: %q", i, p)
				}
			}
			if !s.PipelineTrigger.IsZero() && s.PipelineTrigger.Workflow == "" && s.PipelineTrigger.ID <= 0 {
				t.Fatalf("[%d] accepted a pipeline trigger without a pipeline", i)
			}
		}
		out, err := json.Marshal(subs)
		if err != nil {
			t.Fatal(err)
		}
		again, err := subscription.Parse("again.json", out)
		if err != nil {
			t.Fatalf("cannot read back %s: %v", out, err)
		}
		if !reflect.DeepEqual(normalize(subs), normalize(again)) {
			t.Fatalf("read back differently:\n%+v\n%+v", subs, again)
		}
	})
}

// normalize makes empty variable maps nil, which JSON does not tell apart after omitempty.
func normalize(subs []subscription.Subscription) []subscription.Subscription {
	out := make([]subscription.Subscription, len(subs))
	for i, s := range subs {
		if len(s.Manifest.Variables) == 0 {
			s.Manifest.Variables = nil
		}
		out[i] = s
	}
	return out
}
