package subscription

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/baseflow/baseflow/internal/jsonerr"
	"github.com/baseflow/baseflow/internal/repopath"
)

// MaxFileSize is the largest subscriptions file Load accepts.
const MaxFileSize = 8 << 20

// Subscription is one entry of a subscriptions file: a manifest to watch, the image-info file
// that records what was built from it, and the pipeline to queue when its images are stale.
type Subscription struct {
	Manifest        ManifestFile    `json:"manifest"`
	ImageInfo       GitFile         `json:"imageInfo"`
	PipelineTrigger PipelineTrigger `json:"pipelineTrigger"`
	// OSType, when set, skips the subscription unless the check's --os-type glob matches it.
	OSType string `json:"osType,omitempty"`

	// A working copy's manifest and image-info paths as given (WorkingCopy).
	localID, localInfo string
}

// GitFile names a file at a branch of a GitHub-style repository.
type GitFile struct {
	Owner  string `json:"owner"`
	Repo   string `json:"repo"`
	Branch string `json:"branch"`
	Path   string `json:"path"`
}

// ManifestFile is the manifest location plus the variables the subscription supplies to it.
type ManifestFile struct {
	Owner  string `json:"owner"`
	Repo   string `json:"repo"`
	Branch string `json:"branch"`
	Path   string `json:"path"`
	// Variables override and add manifest variables ($(name) substitution).
	Variables map[string]string `json:"variables,omitempty"`
}

// File returns the manifest's location.
func (m ManifestFile) File() GitFile {
	return GitFile{Owner: m.Owner, Repo: m.Repo, Branch: m.Branch, Path: m.Path}
}

// PipelineTrigger says which pipeline to queue and which variable receives the paths.
//
// An entry with Workflow set is a GitHub Actions workflow (a file name such as "build.yml" or a
// numeric id) dispatched on the manifest's repository at its branch; otherwise ID is an Azure
// DevOps build definition id.
type PipelineTrigger struct {
	ID           int    `json:"id,omitempty"`
	PathVariable string `json:"pathVariable"`
	Workflow     string `json:"workflow,omitempty"`
}

// Backend names the CI system a trigger targets.
type Backend string

const (
	AzureDevOps   Backend = "azure-devops"
	GitHubActions Backend = "github-actions"
)

// Backend reports which CI system the trigger targets.
func (t PipelineTrigger) Backend() Backend {
	if t.Workflow != "" {
		return GitHubActions
	}
	return AzureDevOps
}

// ID is the subscription's identity, "<owner>/<repo>/<branch>/<path>" of its manifest (the
// manifest path as given for a WorkingCopy). It is the SubscriptionId of stale-path results.
func (s Subscription) ID() string {
	if s.localID != "" {
		return s.localID
	}
	m := s.Manifest
	return m.Owner + "/" + m.Repo + "/" + m.Branch + "/" + m.Path
}

// IsLocal reports whether the subscription is a working copy on the local disk
// (WorkingCopy).
func (s Subscription) IsLocal() bool { return s.localID != "" }

// RepositoryName names the manifest's repository in messages: "owner/repo@branch", or
// "working copy <directory>".
func (s Subscription) RepositoryName() string {
	if s.localID != "" {
		return "working copy " + filepath.Dir(s.localID)
	}
	m := s.Manifest
	return m.Owner + "/" + m.Repo + "@" + m.Branch
}

// ImageInfoName names the image-info file in messages: "owner/repo/branch/path", or the
// working copy's path as given.
func (s Subscription) ImageInfoName() string {
	if s.localInfo != "" {
		return s.localInfo
	}
	f := s.ImageInfo
	return f.Owner + "/" + f.Repo + "/" + f.Branch + "/" + f.Path
}

// Load reads and validates a subscriptions file.
func Load(path string) ([]Subscription, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("subscriptions %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("subscriptions %s: larger than %d bytes", path, MaxFileSize)
	}
	return Parse(path, data)
}

// Parse decodes and validates the subscriptions in data; name is used in errors. A leading
// UTF-8 byte order mark is skipped, as ImageBuilder's File.ReadAllText does. A
// pipelineTrigger may be left out (a check needs none); one that is present must be valid.
// Commands that queue builds call Validate, which requires it.
func Parse(name string, data []byte) ([]Subscription, error) {
	data = jsonerr.TrimBOM(data)
	var subs []Subscription
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&subs); err != nil {
		return nil, jsonerr.Wrap(name, data, err)
	}
	if rest := bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		line, col := jsonerr.PositionOf(data, int64(len(data)-len(rest)))
		return nil, fmt.Errorf("%s:%d:%d: unexpected data after the JSON array", name, line, col)
	}
	if subs == nil {
		return nil, fmt.Errorf("%s: expected a JSON array of subscriptions, got null", name)
	}
	seen := make(map[string]int, len(subs))
	for i, s := range subs {
		err := s.ValidateSources()
		if err == nil && !s.PipelineTrigger.IsZero() {
			err = s.PipelineTrigger.validate()
		}
		if err != nil {
			return nil, fmt.Errorf("%s: [%d]%s", name, i, err)
		}
		if j, dup := seen[s.ID()]; dup {
			return nil, fmt.Errorf("%s: [%d]: subscription %s repeats entry [%d]", name, i, s.ID(), j)
		}
		seen[s.ID()] = i
	}
	return subs, nil
}

// FieldError names the field of a subscription that is invalid.
type FieldError struct {
	Field   string // e.g. "manifest.branch"
	Problem string
}

func (e *FieldError) Error() string { return "." + e.Field + ": " + e.Problem }

// Validate reports the first missing or invalid field, the pipeline trigger included: what
// a command that queues builds needs. The owners, repos, branches, paths and the path
// variable may hold only letters, digits and . _ - / + @ , = ~ (see the error for the
// character refused and its position): they reach URLs, git and pipelines' command lines.
func (s Subscription) Validate() error {
	if err := s.ValidateSources(); err != nil {
		return err
	}
	return s.PipelineTrigger.validate()
}

// ValidateSources reports the first missing or invalid field of the manifest and image-info
// locations: what a check needs. Parse also validates a pipelineTrigger that is present.
func (s Subscription) ValidateSources() error {
	for _, f := range []struct{ name, v string }{
		{"manifest.owner", s.Manifest.Owner}, {"manifest.repo", s.Manifest.Repo},
		{"manifest.branch", s.Manifest.Branch}, {"manifest.path", s.Manifest.Path},
		{"imageInfo.owner", s.ImageInfo.Owner}, {"imageInfo.repo", s.ImageInfo.Repo},
		{"imageInfo.branch", s.ImageInfo.Branch}, {"imageInfo.path", s.ImageInfo.Path},
	} {
		if err := checkField(f.name, f.v); err != nil {
			return err
		}
	}
	for _, f := range []struct{ name, v string }{
		{"manifest.path", s.Manifest.Path}, {"imageInfo.path", s.ImageInfo.Path},
	} {
		if strings.HasPrefix(f.v, "/") || repopath.HasDotDot(f.v) {
			return &FieldError{f.name, fmt.Sprintf("%q must be a relative path inside the repository", f.v)}
		}
	}
	return nil
}

func checkField(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return &FieldError{field, "required"}
	}
	if err := repopath.CheckChars(v); err != nil {
		return &FieldError{field, fmt.Sprintf("%q: %v", v, err)}
	}
	return nil
}

// IsZero reports whether the trigger is absent from its subscription.
func (t PipelineTrigger) IsZero() bool { return t == PipelineTrigger{} }

func (t PipelineTrigger) validate() error {
	if err := checkField("pipelineTrigger.pathVariable", t.PathVariable); err != nil {
		return err
	}
	switch {
	case t.Workflow != "":
		if t.ID != 0 {
			return &FieldError{"pipelineTrigger", "set either id (Azure DevOps) or workflow (GitHub Actions), not both"}
		}
		if strings.ContainsRune(t.Workflow, '/') || repopath.CheckChars(t.Workflow) != nil {
			return &FieldError{"pipelineTrigger.workflow", fmt.Sprintf("%q must be a workflow file name or id", t.Workflow)}
		}
	case t.ID <= 0:
		return &FieldError{"pipelineTrigger.id", "required: a positive Azure DevOps definition id (or set workflow for GitHub Actions)"}
	}
	return nil
}
