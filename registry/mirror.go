package registry

import (
	"fmt"
	"strings"
)

// Mirrors redirects lookups from one registry (or repository prefix) to another, as
// ImageBuilder's --source-repo-prefix does: a key is a registry host or a host/path prefix of
// normalized names ("docker.io", "docker.io/library", "ubuntu.azurecr.io"), its value the
// host/path prefix that replaces it ("myacr.azurecr.io/mirror"). The longest matching key wins.
//
// With {"docker.io": "myacr.azurecr.io/mirror"}, "alpine:3.20" is looked up as
// myacr.azurecr.io/mirror/library/alpine:3.20 and "amd64/alpine:3.23" as
// myacr.azurecr.io/mirror/amd64/alpine:3.23.
type Mirrors map[string]string

// Rewrite returns the normalized reference ref is looked up as. References under no key are
// returned normalized and otherwise unchanged.
func (m Mirrors) Rewrite(ref string) (string, error) {
	r, err := Normalize(ref)
	if err != nil {
		return "", err
	}
	name := r.Name()
	var from, to string
	for f, t := range m {
		f = strings.TrimSuffix(f, "/")
		if (name == f || strings.HasPrefix(name, f+"/")) && len(f) > len(from) {
			from, to = f, strings.TrimSuffix(t, "/")
		}
	}
	if from == "" {
		return r.String(), nil
	}
	target, err := Normalize(to + name[len(from):] + suffix(r))
	if err != nil {
		return "", fmt.Errorf("mirror %s -> %s: %w", from, to, err)
	}
	return target.String(), nil
}

// suffix returns the ":tag@digest" part of r.
func suffix(r Ref) string {
	s := ""
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest.String()
	}
	return s
}
