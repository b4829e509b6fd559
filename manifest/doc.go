// Package manifest loads ImageBuilder manifests: the manifest.json that lists a repository's
// images, their platforms (one Dockerfile built for one OS, OS version and architecture) and
// their tags.
//
// Load reads a manifest from an fs.FS and resolves it the way ImageBuilder does (reference
// §3 of the behaviour notes):
//
//   - includes: each file named in "includes" is read once (not recursively); its variables
//     join the manifest's (a duplicate name is an error) and its repos are merged by name;
//   - variables: $(name) references, with names of word characters, ':', '-', '.', '|' and
//     space, are substituted in declaration order, each seeing only earlier variables;
//     Options.Variables override and extend them; $(Repo:<id>) is the repo's qualified name
//     "[<registry>/]<name>", the registry being Options.RegistryOverride when set;
//   - Dockerfile paths: a platform's "dockerfile" names a file, or a directory holding a
//     Dockerfile; paths must stay inside the manifest's directory;
//   - validation: at least one repo, unique tags within a repo, every Dockerfile present.
//
// The result, a Manifest, keeps manifest order for repos, images and platforms, and answers
// the questions the rest of the flow asks: which repo a FROM reference belongs to
// (InternalRepo, by IsRepoTag's prefix rule), which platform a tag names (PlatformByTag), and
// which platforms a Filter keeps (globs over OS type, architecture, OS version, path and
// product version; exact repo names).
// Errors are *Error values naming the file and the JSON path of the element at fault.
//
// The package is pure: it reads only the fs.FS it is given and does no other I/O.
package manifest
