// Package checkflags maps the flags that get-stale-images, queue-build, check-base-images and
// watch-registry share onto the settings of package setup — the check's sources, registry
// client, filters and overrides (CheckFlags), the queue's backends and guards (QueueFlags) —
// and formats what the commands print: stale-path output formats (OutputFlags), progress lines
// and dispatch results. Flags mean the same in every command; what they build is in setup.
package checkflags
