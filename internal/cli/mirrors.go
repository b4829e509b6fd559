package cli

import "strings"

// ParseMirrors reads the values of a repeatable --mirror REGISTRY=TARGET flag. An empty side
// or a missing "=" is a usage error naming the value; a later value for the same REGISTRY
// replaces an earlier one. The map is registry.Mirrors' shape (registry → target); this
// package stays free of the registry package, which the queue command must not compile in.
func ParseMirrors(values []string) (map[string]string, error) {
	m := map[string]string{}
	for _, v := range values {
		from, to, ok := strings.Cut(v, "=")
		if !ok || from == "" || to == "" {
			return nil, Usagef("--mirror %q: want REGISTRY=TARGET", v)
		}
		m[from] = to
	}
	return m, nil
}
