package dispatch

import (
	"bytes"
	"encoding/json"
	"strings"
)

// PathArgs formats paths the way ImageBuilder's queueBuild does: each as --path '<p>',
// separated by single spaces. The paths must have passed [ValidatePath]; the quotes are not
// escaped.
func PathArgs(paths []string) string {
	var b strings.Builder
	for i, p := range paths {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("--path '")
		b.WriteString(p)
		b.WriteByte('\'')
	}
	return b.String()
}

// Parameters is the JSON object {"<variable>": "<value>"} that carries the paths to the
// pipeline: the Azure DevOps queue-time "parameters" string, and the GitHub Actions "inputs"
// object. It is laid out byte for byte as ImageBuilder builds it (one space after the colon),
// but the strings are properly JSON-encoded, so it stays valid JSON whatever they contain.
func Parameters(variable, value string) string {
	return "{" + jsonString(variable) + ": " + jsonString(value) + "}"
}

func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
