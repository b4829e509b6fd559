// Package dockerfile extracts the base images of a Dockerfile: each stage's
// FROM after ARG expansion, the final stage's base followed through stage
// references, and the images named by COPY --from and RUN --mount from=.
//
// The package is pure: [Parse] reads a Dockerfile from an io.Reader and
// returns values; it does no file or network I/O. Parsing is buildkit's
// (frontend/dockerfile/parser and instructions), so everything docker build
// accepts is read the same way: instructions and AS in any case, line
// continuations, comments (a FROM inside a comment is not a FROM), the
// "# escape=" and "# syntax=" directives, "# check=" comments, heredocs
// (RUN <<EOF … EOF; their bodies are not instructions) and JSON-form
// arguments.
//
// # Grammar handled
//
//	FROM [--platform=<platform>] <base> [AS <name>]
//	ARG <name>[=<default>] ...              (before the first FROM: meta args)
//	COPY --from=<stage name | stage index | image> ...
//	RUN --mount=...,from=<stage name | image>,... ...
//
// # Expansion
//
// <base> and <platform> are expanded as docker build expands them, with
// buildkit's shell lexer and these arguments only:
//
//  1. The automatic platform arguments, from [Options.Platform] and
//     [Options.BuildPlatform] (default linux/amd64): TARGETPLATFORM,
//     TARGETOS, TARGETARCH, TARGETVARIANT, TARGETOSVERSION (empty),
//     BUILDPLATFORM, BUILDOS, BUILDARCH, BUILDVARIANT, BUILDOSVERSION (empty)
//     and TARGETSTAGE (the last stage's name, or "default"). A build
//     argument of the same name replaces each.
//  2. The meta args, in order. A build argument ([Options.BuildArgs])
//     replaces the default of a declared ARG; otherwise the default is
//     expanded with the arguments so far, so defaults may use earlier ARGs.
//     An ARG with neither a default nor a build argument stays unset. A
//     build argument no ARG declares is ignored.
//
// The lexer supports $NAME, ${NAME}, ${NAME:-word}, ${NAME-word},
// ${NAME:+word}, ${NAME+word}, ${NAME:?message}, ${NAME?message},
// ${NAME#pattern}, ${NAME##pattern}, ${NAME%pattern}, ${NAME%%pattern},
// ${NAME/pattern/replacement} and ${NAME//pattern/replacement}, with quotes
// and the escape character.
//
// Where docker build would silently substitute an empty string, Parse
// refuses to guess: a FROM whose expansion needs an unset variable — $X,
// ${X} or a pattern form with X unset, directly or through a meta arg
// default built from it — is an [*Error] naming the file, the line and the
// variable. Forms that say what to do when X is unset (${X:-word},
// ${X+word}, …) are not errors. An expansion that yields an empty base or
// platform is an error, as in docker build.
//
// This is a superset of ImageBuilder's rule, which scans for upper-case
// FROM lines and replaces only $NAME, from the manifest platform's buildArgs
// alone (ARG defaults ignored, a missing one an error). For Dockerfiles
// written to that rule, with each $NAME declared as an ARG and given in
// buildArgs, the two agree; the tests check every dotnet-docker and
// docker-tools Dockerfile against ImageBuilder's rule.
//
// # Stages
//
// A FROM whose expanded base equals the AS name of an earlier stage is a
// stage reference ([Stage.StageRef]); names compare case-insensitively. The
// classic docker builder matched names this way; BuildKit matches the
// written base against lower-cased names and so rejects FROM Build after
// AS Build (moby/buildkit#2003), a reference that cannot name a valid
// image either. A FROM scratch (any case) that is not a stage reference has
// no base image ([Stage.Scratch]).
//
// A base that is an image must be a valid reference once expanded
// (distribution/reference's ParseNormalizedNamed, as docker build parses it):
// FROM ${BASE}:18-alpine with an empty BASE is refused with the file and line
// of the FROM, as docker build refuses it, rather than read as an image
// named ":18-alpine".
//
// COPY --from and RUN --mount from= name a stage when the value is one of
// the file's AS names (any stage, as docker build resolves them after
// reading every FROM), scratch, or, for COPY only, a stage index; anything
// else is an image ([File.Uses]), kept as written. docker build refuses
// variables in these values, and so does Parse. ONBUILD triggers are not
// followed: they run in a later build.
//
// [Classify] and [RepoOf] apply ImageBuilder's string rules to expanded
// images: internal versus external against a manifest's repositories, and
// the repository part of a reference.
//
// # Limits
//
// Parse is meant for Dockerfiles from any source. Input must be UTF-8 text
// without NUL bytes and at most [Options.MaxSize] bytes ([DefaultMaxSize]
// by default); a longer input is refused after reading MaxSize+1 bytes
// ([ErrTooLarge]). ARG defaults that reference each other, and the
// ${X//pattern/replacement} forms, can make expansions grow exponentially,
// so each word's expansion is bounded before the lexer runs, and all
// expansions of one file together may produce at most 4 × MaxSize bytes
// ([ErrExpansionTooLarge]).
package dockerfile
