package subscription

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// DirSource reads a working copy on the local disk, as it is (uncommitted changes
// included), for checking a manifest without git or a subscriptions file. Every owner, repo
// and branch name the same directory, Root. Paths are slash-separated and relative to Root;
// unlike the git sources it follows symbolic links, as the files are the caller's own.
type DirSource struct {
	Root string
}

// Tree returns the directory as a filesystem.
func (s DirSource) Tree(_ context.Context, _, _, _ string) (fs.FS, error) {
	if _, err := os.Stat(s.Root); err != nil {
		return nil, err
	}
	return os.DirFS(s.Root), nil
}

// ReadFile reads one file under Root.
func (s DirSource) ReadFile(_ context.Context, _, _, _, path string) ([]byte, error) {
	if !fs.ValidPath(path) {
		return nil, fmt.Errorf("%s: not a path inside %s", path, s.Root)
	}
	return os.ReadFile(filepath.Join(s.Root, filepath.FromSlash(path)))
}

// Close does nothing: a working copy holds no temporary files.
func (s DirSource) Close() error { return nil }

// WorkingCopy returns the subscription that checks the manifest and image-info files at
// manifestPath and imageInfoPath on the local disk, with the sources that read them. Its ID
// (the SubscriptionId of its results) is manifestPath as given.
func WorkingCopy(manifestPath, imageInfoPath string, variables map[string]string) (Subscription, Source, Source) {
	mdir, mname := filepath.Split(manifestPath)
	idir, iname := filepath.Split(imageInfoPath)
	s := Subscription{
		Manifest:  ManifestFile{Path: mname, Variables: variables},
		ImageInfo: GitFile{Path: iname},
		localID:   manifestPath,
		localInfo: imageInfoPath,
	}
	return s, DirSource{Root: orDot(mdir)}, DirSource{Root: orDot(idir)}
}

func orDot(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}
