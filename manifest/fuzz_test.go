package manifest_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/baseflow/baseflow/manifest"
)

// fuzzManifest builds a one-platform manifest whose variables are name1 and name2, in that
// order, and whose tags are tag and "x-$(<name2>)". Every string is JSON-encoded, so the fuzzer explores
// substitution rather than JSON syntax.
func fuzzManifest(name1, value1, name2, value2, tag string) []byte {
	str := func(s string) string {
		b, _ := json.Marshal(s)
		return string(b)
	}
	return []byte(`{"registry": "reg.io", "variables": {` + str(name1) + `: ` + str(value1) + `, ` + str(name2) + `: ` + str(value2) + `},
  "repos": [{"id": "base", "name": "team/base", "images": [{"productVersion": ` + str("$("+name1+")") + `, "platforms": [
    {"dockerfile": "d", "os": "linux", "osVersion": "v", "buildArgs": {"A": ` + str(value2) + `}, "tags": {` + str(tag) + `: {}, ` + str("x-$("+name2+")") + `: {}}}]}]}]}`)
}

// plainName reports whether s is a variable name made of ASCII name characters other than
// ':' (which would make it a built-in reference such as $(Repo:x)).
func plainName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_.|- ", r)
		if !ok {
			return false
		}
	}
	return true
}

// FuzzVariables loads manifests generated from fuzzed variable names, values, overrides and
// tag templates. Load must never panic; every error must be a *manifest.Error, located at the
// field a *manifest.VariableError names; and where the outcome can be computed independently
// (plain names, values without references) it must be exactly that: a chain of references
// resolves to the concatenated values, text without references is left alone, and two variables that refer to each other fail.
func FuzzVariables(f *testing.F) {
	// Seeds from the real manifests: dotnet-docker's versions file and docker-tools.
	var versions struct {
		Variables map[string]any `json:"variables"`
	}
	data, err := os.ReadFile("../testdata/dotnet-docker/manifest.versions.json")
	if err != nil {
		f.Fatal(err)
	}
	if err := json.Unmarshal(data, &versions); err != nil {
		f.Fatal(err)
	}
	for _, name := range []string{"alpine|10.0|floating-tag-version", "dotnet|8.0|fixed-tag", "dotnet|8.0|minor-tag",
		"aspire-dashboard|build-version", "azurelinux|3.0|repo", "base-url|public|preview|main"} {
		value, ok := versions.Variables[name].(string)
		if !ok {
			f.Fatalf("fixture has no variable %q", name)
		}
		f.Add("alpine|floating-tag-version", "alpine3.24", name, value, "$("+name+")-bookworm-slim", "", false)
	}
	f.Add("TagPrefix", "", "LatestTag", "latest", "$(TagPrefix)linux-amd64-$(UniqueId)", "", false)
	f.Add("TagPrefix", "", "UniqueId", "", "$(TagPrefix)linux-amd64-$(UniqueId)", "-123", false)
	f.Add("a", "1", "b", "2", "$(Repo:base)", "", false)
	f.Add("a", "$(", "b", "$(a)c)", "$(b)", "", false)
	f.Add("a", "x", "b", "y", "t", "", true)
	f.Add("a.b-c d", "x", "é", "$(a.b-c d)", "$(é)$(a", "o", false)

	f.Fuzz(func(t *testing.T, name1, value1, name2, value2, tag, override string, loop bool) {
		if loop {
			value1, value2 = "$("+name2+")", "$("+name1+")"
		} else {
			value2 += "$(" + name1 + ")"
		}
		opts := manifest.Options{}
		if override != "" {
			opts.Variables = map[string]string{name1: override}
		}
		fsys := mapFS(map[string]string{"manifest.json": string(fuzzManifest(name1, value1, name2, value2, tag)), "d/Dockerfile": "FROM alpine"})
		m, err := manifest.Load(fsys, "manifest.json", opts)

		if err != nil {
			var me *manifest.Error
			if !errors.As(err, &me) {
				t.Fatalf("error of type %T, not *manifest.Error: %v", err, err)
			}
			if me.File != "manifest.json" {
				t.Fatalf("error names file %q: %v", me.File, err)
			}
			var ve *manifest.VariableError
			if errors.As(err, &ve) && me.Path != ve.Where {
				t.Fatalf("error located at %q, variable error at %q", me.Path, ve.Where)
			}
		}

		// Compute the outcome independently where that is simple.
		simple := plainName(name1) && plainName(name2) && name1 != name2
		for _, s := range []string{name1, value1, name2, value2, tag, override} {
			simple = simple && utf8.ValidString(s)
		}
		if !simple {
			return
		}
		if loop {
			if override != "" {
				return // the override breaks the loop: name1 no longer refers to name2
			}
			var ve *manifest.VariableError
			if !errors.As(err, &ve) || ve.Name != name2 || !strings.Contains(ve.Reason, "declared later") {
				t.Fatalf("variables that refer to each other: got %v", err)
			}
			return
		}
		v1 := value1
		if override != "" {
			v1 = override
		}
		origValue2 := strings.TrimSuffix(value2, "$("+name1+")")
		if strings.Contains(v1, "$(") || strings.Contains(origValue2, "$(") || strings.Contains(tag, "$(") {
			return
		}
		if err != nil {
			t.Fatalf("plain variables %q=%q, %q=%q: %v", name1, v1, name2, value2, err)
		}
		p := m.Platforms()[0]
		if got, want := p.Tags[0].Name, tag; got != want {
			t.Fatalf("tag %q resolved to %q, want it unchanged", tag, got)
		}
		if got, want := p.BuildArgs[0].Value, origValue2+v1; got != want {
			t.Fatalf("build arg resolved to %q, want %q", got, want)
		}
		if got, want := p.Tags[1].Name, "x-"+origValue2+v1; got != want {
			t.Fatalf("tag x-$(%s) resolved to %q, want %q", name2, got, want)
		}
		if got := p.Image.ProductVersion; got != v1 {
			t.Fatalf("product version resolved to %q, want %q", got, v1)
		}
	})
}
