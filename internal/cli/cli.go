// Package cli holds what every example command shares: repeatable flag values, usage errors
// and help output, logging, and loading a manifest from the local disk with errors that name
// the path the user typed. The flags of the check and queue commands are in checkflags and queueflags.
package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/baseflow/baseflow/manifest"
)

// Variables collects repeated NAME=VALUE flags (--var) into a map.
type Variables map[string]string

func (v Variables) String() string { return "" }

// Set adds one NAME=VALUE; VALUE may be empty (--var UniqueId=).
func (v Variables) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return fmt.Errorf("%q: want NAME=VALUE", s)
	}
	v[name] = value
	return nil
}

// Strings collects a repeatable string flag in order.
type Strings []string

func (s *Strings) String() string { return strings.Join(*s, ",") }

// Set appends one value.
func (s *Strings) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// LoadManifest loads the manifest at path on the local disk. It returns the filesystem of the
// manifest's directory, from which its Dockerfiles are read. Errors name path as given.
func LoadManifest(path string, opts manifest.Options) (*manifest.Manifest, fs.FS, error) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	fsys := os.DirFS(dir)
	m, err := manifest.Load(fsys, name, opts)
	if err != nil {
		var me *manifest.Error
		if errors.As(err, &me) {
			me.File = filepath.Join(dir, filepath.FromSlash(me.File))
		}
		return nil, nil, err
	}
	return m, fsys, nil
}

// SameFile reports whether the paths a and b name one existing file, through symbolic links
// and other spellings of the path: an output that would overwrite an input.
func SameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
