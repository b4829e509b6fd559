// Package depgraph computes which images are stale, why, and in what order to rebuild them.
//
// Build turns a loaded manifest and its Dockerfiles into a graph with a node per platform and
// an edge from each platform to the platforms its FROMs name (internal FROMs, in any stage,
// matched through platform tags). Stale then checks the candidates, the platforms whose final
// stage is built on an external image, against what image-info recorded and the current
// digests, and expands every stale candidate to its weakly connected component, following
// the rules of ImageBuilder's getStaleImages:
//
//   - a candidate is stale when image-info has no entry for it, or when its baseImageDigest
//     is not exactly "<repository of the base as written>@<current digest>";
//   - a base used only by an earlier stage never makes an image stale, and a platform built
//     on another platform of the manifest is never checked on its own;
//   - the rebuild set of a stale candidate is its whole component, visited depth first,
//     children (manifest order) before parents (FROM order), over all platforms of the
//     manifest whatever the filter;
//   - the paths are the raw manifest dockerfile values, in that order, without repeats.
//
// Every path carries a Reason, and Result.Waves splits the set into build waves.
//
// Graph.Draw turns the graph into a drawing for Graphviz DOT or Mermaid: all of it, the
// platforms a manifest.Filter keeps (with the platforms they build on as context), without
// builder-stage bases, or with one node per image or repo, so that a large manifest still
// fits Mermaid's default limits (MermaidMaxTextSize, MermaidMaxEdges).
//
// The package is pure: it reads Dockerfiles only from the fs.FS it is given and takes digests
// as a function, so the registry lookups happen outside (see the registry package).
package depgraph
