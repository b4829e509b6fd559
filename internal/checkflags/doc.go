// Package checkflags maps the flags that get-stale-images, check-base-images and
// watch-registry share onto the settings of package setup — the check's sources, registry
// client, filters and overrides (CheckFlags) — and formats what a check found: the stale-path
// output formats (OutputFlags) and progress lines. Flags mean the same in every command; what
// they build is in setup. The queue's flags are in queueflags.
package checkflags
