// Package record writes the build side of the loop: for the platforms a build job just built
// and pushed, it reads the pushed images from the registry and returns the image-info entries
// ImageBuilder's build would write for them, so that a merge takes them in and the stale
// check reads those platforms as up to date.
//
// Per platform the Recorder reads, under the platform's first tag: the image digest (one
// HEAD), the manifest pinned to that digest (layers, annotations) and its config (platform,
// creation time). The final-stage base the image was built on comes from the OCI
// annotations org.opencontainers.image.base.name and org.opencontainers.image.base.digest,
// which buildah and podman write on every image and docker buildx writes with --annotation
// (or config labels of the same names, which a classic docker build can write with --label);
// without them, from BaseDigests (a --base-digest flag). A recorded baseImageDigest is always
// the digest the image was built on, in the form the check compares:
//
//   - the base tag still points to that digest: "<repository>@<digest>";
//   - the base tag points to an index that lists that digest (buildah records the platform
//     manifest it pulled): "<repository>@<index digest>", the tag's top-level digest that the
//     check looks up;
//   - neither (the base moved during or since the build, or the tag is gone):
//     "<repository>@<digest built on>", which never equals the tag's current digest, so the
//     next check reads the image as stale rather than up to date.
//
// The repository is spelled as the check spells it (depgraph.Graph.RecordedRepo). Nothing
// is ever looked up "now" in place of a missing base digest: that is an error naming the
// platform.
//
// For builders that cannot annotate, Pins returns, per platform, the docker buildx flags
// that make the build use, and label, one base digest.
package record
