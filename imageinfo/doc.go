// Package imageinfo reads, writes, merges and cleans image-info files: the JSON record of what
// .NET's ImageBuilder built for each repo, image and platform of a manifest, including the
// digest of each platform's final-stage base image that the stale-image check compares with
// the registry.
//
// # Format
//
// A document is
//
//	{"schemaVersion": "2.0", "repos": [Repo...]}
//	Repo     = {"repo", "images": [Image...]}
//	Image    = {"productVersion", "manifest": Manifest, "platforms": [Platform...]}
//	Manifest = {"digest", "syndicatedDigests", "created", "sharedTags"}
//	Platform = {"dockerfile", "simpleTags", "digest", "baseImageDigest", "osType",
//	            "osVersion", "architecture", "created", "commitUrl", "layers", "isUnchanged"}
//	Layer    = {"digest", "size"}
//
// Parse and Read accept schema 1.0 (layers as digest strings, read as layers of size 0) and
// 2.0; property names match case-insensitively (ASCII), unknown properties are ignored, and a
// UTF-8 byte order mark is skipped. The schemaVersion property is required: a JSON file
// without it is not taken for an image-info file. The required properties (repo, dockerfile,
// digest, osType, osVersion, architecture, commitUrl) must be present and not null. Input is
// otherwise strict JSON: values of the wrong type are errors rather than converted, and every
// error gives the file, line, column and JSON path. Inputs over a size limit (DefaultMaxSize,
// WithMaxSize) are refused before they are read in full.
//
// Marshal writes what ImageBuilder writes, byte for byte: schema "2.0", properties in the
// order above, required strings always (even ""), optional strings only when non-nil
// (ProductVersion, Digest, BaseImageDigest and layer digests are *string so that "" and null
// both survive a round trip), lists only when non-empty, isUnchanged only when true, a layer
// size only when non-zero, created only when non-empty. created values are kept as the
// strings that were read, never reformatted. Indentation is two spaces, "key": value, LF, with
// a trailing newline; strings are escaped like Newtonsoft.Json's defaults (no HTML escaping,
// non-ASCII as is, U+0085, U+2028 and U+2029 escaped). Reading a file ImageBuilder wrote and
// writing it back reproduces it exactly.
//
// # Binding and identity
//
// Bind links a document to a loaded manifest.Manifest: repos by name, platforms by Dockerfile
// path, architecture, OS, OS version, tag presence and equivalent product version, images
// through their first bound platform. A bound document's items have the identity ImageBuilder
// gives them:
//
//   - repo: its name;
//   - image: the manifest image it is bound to;
//   - platform: Dockerfile, architecture, OS type, OS version, major.minor of the product
//     version (MajorMinor) and tag presence; tag names do not count.
//
// Without a manifest (an unbound document, or items that did not bind) the manifest-free
// identity applies. Repos and platforms keep the same rules, a platform's major.minor coming
// from its own image's productVersion. Two images are the same when their product versions
// are equivalent (equal, or both 2-4 part numeric versions with the same major.minor) and they
// have a platform in common or a shared tag in common. That is what joins the per-job files of
// one build, which each carry some platforms of an image and its shared tags. Images that
// share neither (an image without shared tags whose platforms were built by different jobs)
// stay separate, which is the one difference from a merge with a manifest.
//
// Lists are ordered with ordinal string comparison (Sort): repos by name, images by product
// version then first platform, platforms by the identifier
// "{dockerfile}-{architecture}-{osType}-{osVersion}-{major.minor}". Where ImageBuilder's
// comparison is not well defined (platforms whose identifiers are equal but tag presence
// differs, images without product version or platforms, unbound images, which make it throw),
// the order is: no tags before tags, nil product version first, images without platforms
// last, and otherwise the existing order (the sort is stable).
//
// # Merging and clean-up
//
// Merge folds one document into another with the build-time rules (tag lists unioned) or the
// publish-time rules (tag lists replaced); see Merge for the rules. RemoveOutOfDateContent
// drops what the manifest no longer has before a publish-time merge, TrimUnchanged drops the
// platforms a build reused, and OverrideCommits rewrites the commit in the commitUrl of the
// platforms a merge changed. NewIndex finds the entry of a manifest platform, for the
// stale-image check.
//
// # Recording and validating
//
// Record turns the facts of a build (per manifest platform: the pushed digest, layers,
// creation time, base digest, commit URL) into the document ImageBuilder's build writes for
// it; FormatCreated writes dates as ImageBuilder does. ForStaleCheck reads files whose
// platforms lack digest or commitUrl, which the check does not need. NearMisses finds the
// entries that miss a manifest platform by a likely mistake (letter case, "/Dockerfile", the
// repo name, the osVersion), and Validate lists unbound entries and platforms without one.
//
// The package does no I/O beyond the io.Reader and io.Writer it is given.
package imageinfo
