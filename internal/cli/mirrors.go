package cli

import (
	"strings"

	"github.com/baseflow/baseflow/registry"
)

// ParseMirrors reads the values of a repeatable --mirror REGISTRY=TARGET flag. An empty side
// or a missing "=" is a usage error naming the value; a later value for the same REGISTRY
// replaces an earlier one.
func ParseMirrors(values []string) (registry.Mirrors, error) {
	m := registry.Mirrors{}
	for _, v := range values {
		from, to, ok := strings.Cut(v, "=")
		if !ok || from == "" || to == "" {
			return nil, Usagef("--mirror %q: want REGISTRY=TARGET", v)
		}
		m[from] = to
	}
	return m, nil
}
