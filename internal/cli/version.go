package cli

import (
	"runtime/debug"
	"strings"
)

// Version describes the running binary from its build information, on one line:
// "NAME MODULE VERSION (commit REVISION[, modified], TIME) GOVERSION", the parts the
// toolchain did not record left out. `go install module/cmd@version` records the module
// version; a build from a git checkout records the commit.
func Version(name string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return name + " (no build information)"
	}
	return name + " " + describeBuild(info)
}

func describeBuild(info *debug.BuildInfo) string {
	parts := []string{info.Main.Path}
	if v := info.Main.Version; v != "" {
		parts = append(parts, v)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	var vcs []string
	if rev := settings["vcs.revision"]; rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		c := "commit " + rev
		if settings["vcs.modified"] == "true" {
			c += ", modified"
		}
		vcs = append(vcs, c)
	}
	if t := settings["vcs.time"]; t != "" {
		vcs = append(vcs, t)
	}
	if len(vcs) > 0 {
		parts = append(parts, "("+strings.Join(vcs, ", ")+")")
	}
	parts = append(parts, info.GoVersion)
	return strings.Join(parts, " ")
}
