package imageinfo

import (
	"errors"
	"fmt"

	"github.com/baseflow/baseflow/manifest"
)

// File is one image-info file: its name, used in errors, and its content.
type File struct {
	Name string
	Data []byte
}

// MergeFilesOptions configure MergeFiles.
type MergeFilesOptions struct {
	// Manifest is the manifest the files were built from; each file is bound to it (see
	// Bind). Nil merges the files without a manifest.
	Manifest *manifest.Manifest
	// Publish applies the publish-time rules: tag lists are replaced instead of unioned
	// (MergeOptions.Publish), files are bound without validation against the manifest, and
	// the Initial file first loses what the manifest no longer has (RemoveOutOfDateContent).
	Publish bool
	// Initial names the file among the files that the others are merged into, in place of an
	// empty document; empty means none.
	Initial string
	// CommitOverride, when set, points the commitUrl of every platform that is new or changed
	// compared with the Initial file at this commit after the merge (OverrideCommits); it
	// needs Initial.
	CommitOverride string
}

// UnboundRepo is a repo of a file that is not in the manifest; its entries stay unbound.
type UnboundRepo struct {
	File, Repo string
}

// MergedFile is a file merged into the target, with what it held.
type MergedFile struct {
	Name   string
	Counts Counts
}

// MergeReport is what MergeFiles did, step by step, for a command to tell its user.
type MergeReport struct {
	// Document is the merged document; nil when MergeFiles failed.
	Document *Document
	// Unbound lists, file by file, the repos not in the manifest.
	Unbound []UnboundRepo
	// Initial is the name of the Initial file once the merge into it began, and
	// InitialCounts what it held as read.
	Initial       string
	InitialCounts Counts
	// Pruned is set when out-of-date content was removed from the Initial file (a publish
	// with a manifest); Removed is what went.
	Pruned  bool
	Removed Removed
	// Merged lists the files merged into the target, in order; the Initial file is not one.
	Merged []MergedFile
	// CommitsOverridden is how many platforms CommitOverride rewrote.
	CommitsOverridden int
}

// MergeFiles merges image-info files as ImageBuilder's mergeImageInfo does: it parses each
// file and binds it to the manifest, then merges the files, in order, into an empty document
// bound to the manifest, or into the Initial file (pruned of out-of-date content first in a
// publish), and finally applies the commit override. It does no I/O. Errors name the file;
// on error the report holds the steps done so far and no Document.
func MergeFiles(files []File, opts MergeFilesOptions) (*MergeReport, error) {
	rep := &MergeReport{}
	if opts.CommitOverride != "" {
		if err := CheckCommitOverride(opts.CommitOverride); err != nil {
			return rep, err
		}
		if opts.Initial == "" {
			return rep, errors.New("imageinfo: a commit override needs an initial file to compare with")
		}
	}
	initial := -1
	for i, f := range files {
		if opts.Initial != "" && f.Name == opts.Initial {
			initial = i
			break
		}
	}
	if opts.Initial != "" && initial < 0 {
		return rep, fmt.Errorf("imageinfo: initial file %s is not one of the files merged", opts.Initial)
	}

	docs := make([]*Document, len(files))
	for i, f := range files {
		d, err := Parse(f.Name, f.Data)
		if err != nil {
			return rep, err
		}
		if m := opts.Manifest; m != nil {
			if err := Bind(d, m, BindOptions{SkipManifestValidation: opts.Publish}); err != nil {
				return rep, fmt.Errorf("%s: %w", f.Name, err)
			}
			for _, r := range d.Repos {
				if r.ManifestRepo() == nil {
					rep.Unbound = append(rep.Unbound, UnboundRepo{File: f.Name, Repo: r.Repo})
				}
			}
		}
		docs[i] = d
	}

	target := &Document{}
	if err := Bind(target, opts.Manifest, BindOptions{}); err != nil {
		return rep, err
	}
	var initialCopy *Document
	if initial >= 0 {
		target = docs[initial]
		rep.Initial, rep.InitialCounts = files[initial].Name, target.Count()
		if opts.CommitOverride != "" {
			initialCopy = target.Clone()
		}
		if opts.Publish && opts.Manifest != nil {
			removed, err := RemoveOutOfDateContent(target)
			if err != nil {
				return rep, fmt.Errorf("%s: %w", files[initial].Name, err)
			}
			rep.Pruned, rep.Removed = true, removed
		}
	}
	for i, d := range docs {
		if i == initial {
			continue
		}
		if err := Merge(target, d, MergeOptions{Publish: opts.Publish}); err != nil {
			return rep, fmt.Errorf("%s: %w", files[i].Name, err)
		}
		rep.Merged = append(rep.Merged, MergedFile{Name: files[i].Name, Counts: d.Count()})
	}
	if initialCopy != nil {
		n, err := OverrideCommits(target, initialCopy, opts.CommitOverride)
		if err != nil {
			return rep, err
		}
		rep.CommitsOverridden = n
	}
	rep.Document = target
	return rep, nil
}
