package manifest

// Model is a manifest file as written: the JSON model of ImageBuilder's manifest.json.
// Field values are raw: variables are not substituted and includes are not merged. Load
// returns the resolved view (Manifest) with the Model it was built from.
type Model struct {
	Includes  []string        `json:"includes,omitempty"`
	Readme    *ReadmeModel    `json:"readme,omitempty"`
	Registry  string          `json:"registry,omitempty"`
	Repos     []RepoModel     `json:"repos,omitempty"`
	Variables Ordered[string] `json:"variables,omitempty"`
}

// ReadmeModel names a readme and the template it is generated from.
type ReadmeModel struct {
	Path         string `json:"path"`
	TemplatePath string `json:"templatePath,omitempty"`
}

// RepoModel is one repository of images.
type RepoModel struct {
	// ID is the name $(Repo:<id>) refers to; it defaults to Name.
	ID                      string        `json:"id,omitempty"`
	Name                    string        `json:"name"`
	Images                  []ImageModel  `json:"images"`
	McrTagsMetadataTemplate string        `json:"mcrTagsMetadataTemplate,omitempty"`
	Readmes                 []ReadmeModel `json:"readmes,omitempty"`
}

// ImageModel is one image: platforms that share tags and a product version.
type ImageModel struct {
	Platforms      []PlatformModel   `json:"platforms"`
	SharedTags     Ordered[TagModel] `json:"sharedTags,omitempty"`
	ProductVersion string            `json:"productVersion,omitempty"`
}

// PlatformModel is one Dockerfile built for one OS and architecture.
type PlatformModel struct {
	// Architecture is amd64 (the default), arm64 or arm.
	Architecture string          `json:"architecture,omitempty"`
	BuildArgs    Ordered[string] `json:"buildArgs,omitempty"`
	// Dockerfile is a path relative to the manifest's directory, naming a file or a directory
	// that holds a file named Dockerfile. It gets no variable substitution.
	Dockerfile           string                     `json:"dockerfile"`
	DockerfileTemplate   string                     `json:"dockerfileTemplate,omitempty"`
	OS                   string                     `json:"os"`
	OSVersion            string                     `json:"osVersion"`
	BuildOSVersion       string                     `json:"buildOsVersion,omitempty"`
	Tags                 Ordered[TagModel]          `json:"tags"`
	CustomBuildLegGroups []CustomBuildLegGroupModel `json:"customBuildLegGroups,omitempty"`
	Variant              string                     `json:"variant,omitempty"`
}

// TagModel holds a tag's documentation and syndication settings; the tag name is its key.
type TagModel struct {
	DocumentationGroup string            `json:"documentationGroup,omitempty"`
	DocType            string            `json:"docType,omitempty"`
	Syndication        *SyndicationModel `json:"syndication,omitempty"`
}

// SyndicationModel copies a tag to another repository under other names.
type SyndicationModel struct {
	Repo            string   `json:"repo"`
	DestinationTags []string `json:"destinationTags,omitempty"`
}

// CustomBuildLegGroupModel is a build-matrix grouping; it plays no part in staleness.
type CustomBuildLegGroupModel struct {
	Name         string   `json:"name"`
	Type         string   `json:"type"`
	Dependencies []string `json:"dependencies"`
}
