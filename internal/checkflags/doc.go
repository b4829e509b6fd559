// Package checkflags holds the flags and wiring that get-stale-images, queue-build,
// check-base-images and watch-registry share: the check's sources, registry client,
// filters and overrides (CheckFlags), the queue's backends and guards (QueueFlags), and the
// stale-path output formats (OutputFlags). Flags mean the same in every command.
package checkflags
