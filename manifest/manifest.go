package manifest

// Manifest is a loaded manifest: includes merged, variables resolved, Dockerfile paths
// resolved and checked. Repos, images and platforms keep manifest order.
type Manifest struct {
	// Model is the manifest as written, with its includes' repos and variables merged in.
	Model *Model
	// Path is the manifest's path in the filesystem it was loaded from, and Dir its directory.
	Path, Dir string
	// Registry is the registry images are published to: the registry override when given,
	// else the manifest's registry (may be empty).
	Registry string
	// Variables holds every variable after substitution, in resolution order.
	Variables Ordered[string]
	Repos     []*Repo

	platforms []*Platform
	byTag     map[string]*Platform
	// byQualified maps a QualifiedName to the index of the first repo that has it.
	byQualified map[string]int
}

// Repo is a resolved repository.
type Repo struct {
	Manifest *Manifest
	Model    *RepoModel
	// ID is the id $(Repo:<id>) refers to (the name when the model has none).
	ID   string
	Name string
	// QualifiedName is "<registry>/<name>", or the bare name when there is no registry. FROM
	// lines that start with "<QualifiedName>:" refer to images of this manifest.
	QualifiedName string
	Images        []*Image
}

// Image is a resolved image.
type Image struct {
	Repo  *Repo
	Model *ImageModel
	// Index is the image's position in its repo.
	Index          int
	ProductVersion string
	// SharedTags are the multi-platform tags, resolved, in manifest order.
	SharedTags []Tag
	Platforms  []*Platform
}

// Platform is a resolved platform: one Dockerfile for one OS and architecture.
type Platform struct {
	Image *Image
	Model *PlatformModel
	// Index is the platform's position among all platforms of the manifest, in manifest order.
	Index int
	// Dockerfile is the raw "dockerfile" value, as the stale-image output reports it.
	Dockerfile string
	// DockerfilePath is the resolved Dockerfile, relative to the manifest's directory with
	// forward slashes ("src/runtime/8.0/alpine/amd64/Dockerfile"), as image-info records it.
	DockerfilePath string
	// FilePath is the Dockerfile's path in the filesystem the manifest was loaded from.
	FilePath string
	// OS is "linux" or "windows"; Architecture is "amd64", "arm64" or "arm".
	OS, OSVersion, Architecture, Variant string
	// BuildArgs are the build arguments after variable substitution, in manifest order.
	BuildArgs Ordered[string]
	// Tags are the platform tags, resolved, in manifest order.
	Tags []Tag
	// CustomBuildLegGroups with their dependencies after variable substitution.
	CustomBuildLegGroups []CustomBuildLegGroupModel
}

// Tag is a resolved tag.
type Tag struct {
	// Name is the tag after variable substitution, without the repository.
	Name string
	// Model is the tag's settings as written.
	Model TagModel
	// Syndication is the tag's syndication with variables substituted, or nil.
	Syndication *SyndicationModel
}

// TagNames returns the names of tags.
func TagNames(tags []Tag) []string {
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = t.Name
	}
	return names
}

// Platforms returns every platform of the manifest in manifest order (repos, images,
// platforms), ignoring any filter.
func (m *Manifest) Platforms() []*Platform { return m.platforms }

// RepoByName returns the repo with the given name, or nil.
func (m *Manifest) RepoByName(name string) *Repo {
	for _, r := range m.Repos {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// InternalRepo returns the repo of this manifest an image reference belongs to: the repo whose
// "<QualifiedName>:" starts the reference (see IsRepoTag). It returns nil for references to
// other images.
func (m *Manifest) InternalRepo(ref string) *Repo {
	if m.byQualified != nil {
		// Each colon of ref may end a repo's name; the first repo in manifest order wins, as
		// in the scan below. A lookup per colon keeps a FROM's cost independent of the
		// number of repos.
		best := -1
		for i := 0; i < len(ref); i++ {
			if ref[i] != ':' {
				continue
			}
			if k, ok := m.byQualified[ref[:i]]; ok && (best < 0 || k < best) {
				best = k
			}
		}
		if best < 0 {
			return nil
		}
		return m.Repos[best]
	}
	for _, r := range m.Repos {
		if IsRepoTag(ref, r.QualifiedName) {
			return r
		}
	}
	return nil
}

// IsRepoTag reports whether ref is a tag reference of repository repo: whether "<repo>:"
// starts it. This is ImageBuilder's rule for a base image built by the same manifest, a pure
// string prefix test, so a digest-only or differently spelled reference to the same
// repository does not match.
func IsRepoTag(ref, repo string) bool {
	// Compared in place: building repo+":" for every repo and call allocated enough, with
	// hundreds of repos, to dominate building their graph.
	return len(ref) > len(repo) && ref[len(repo)] == ':' && ref[:len(repo)] == repo
}

// PlatformByTag returns the platform that has ref ("<QualifiedName>:<tag>") among its platform
// tags, or nil. Shared tags do not count, as in ImageBuilder.
func (m *Manifest) PlatformByTag(ref string) *Platform {
	return m.byTag[ref]
}

// Repo returns the platform's repository.
func (p *Platform) Repo() *Repo { return p.Image.Repo }

// ArchitectureDisplay is the architecture as image-info writes it: amd64, arm64 or arm32.
func (p *Platform) ArchitectureDisplay() string {
	if p.Architecture == "arm" {
		return "arm32"
	}
	return p.Architecture
}

// OSType is the OS as image-info writes it: Linux or Windows.
func (p *Platform) OSType() string {
	if p.OS == "windows" {
		return "Windows"
	}
	return "Linux"
}

// TagRefs returns the platform's tags as full references, "<QualifiedName>:<tag>".
func (p *Platform) TagRefs() []string {
	refs := make([]string, len(p.Tags))
	for i, t := range p.Tags {
		refs[i] = p.Repo().QualifiedName + ":" + t.Name
	}
	return refs
}

// String identifies the platform in messages: its repo, its first tag and its Dockerfile.
func (p *Platform) String() string {
	tag := ""
	if len(p.Tags) > 0 {
		tag = ":" + p.Tags[0].Name
	}
	return p.Repo().Name + tag + " (" + p.Dockerfile + ")"
}
