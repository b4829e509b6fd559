// Package e2e holds the end-to-end test of the whole loop on real parts: images built with
// buildah and pushed to Debian's docker-registry on 127.0.0.1, recorded with
// record-image-info, merged with merge-image-info, and checked with get-stale-images (on a
// working copy and through a git subscription), before and after the base image moves.
// It has no code of its own.
package e2e
