package dockerfile

import "github.com/baseflow/baseflow/platform"

// DefaultMaxSize is the largest Dockerfile, in bytes, that [Parse] accepts
// when [Options.MaxSize] is zero or negative. The largest Dockerfile in the
// dotnet-docker repository is under 10 KiB; 1 MiB leaves ample room while
// bounding the memory a hostile input can take.
const DefaultMaxSize = 1 << 20

// Options are the caller-supplied values a Dockerfile is expanded with. The
// zero value expands for a linux/amd64 build with no build arguments.
type Options struct {
	// BuildArgs are the values passed with docker build --build-arg. A build
	// argument replaces the default of an ARG declared before the first FROM
	// and the automatic platform argument of the same name; one that matches
	// neither is ignored, as docker build ignores it in FROM.
	BuildArgs map[string]string

	// Platform is the target platform that seeds TARGETPLATFORM, TARGETOS,
	// TARGETARCH and TARGETVARIANT. Empty fields default to linux and amd64.
	Platform Platform

	// BuildPlatform seeds BUILDPLATFORM, BUILDOS, BUILDARCH and BUILDVARIANT.
	// The zero value means the same as Platform (a native build).
	BuildPlatform Platform

	// MaxSize is the largest input Parse reads, in bytes; a longer input is
	// refused with ErrTooLarge after reading MaxSize+1 bytes. Zero or negative
	// means DefaultMaxSize.
	MaxSize int64
}

// Platform is the OCI platform the automatic platform arguments spell out
// (TARGETPLATFORM, TARGETOS, ...). Here an empty OS means linux and an empty
// architecture amd64.
type Platform = platform.Platform

// withDefaults fills an empty OS with linux and an empty architecture with
// amd64.
func withDefaults(p Platform) Platform {
	if p.OS == "" {
		p.OS = "linux"
	}
	if p.Architecture == "" {
		p.Architecture = "amd64"
	}
	return p
}

func (o Options) maxSize() int64 {
	if o.MaxSize <= 0 {
		return DefaultMaxSize
	}
	return o.MaxSize
}
