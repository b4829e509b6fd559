// Package diskcache keeps cache entries in a directory across runs: a byte store keyed by
// hex strings, for dockerfile.Cache (WithStore) and anything else whose entries can be
// computed again.
//
// It is safe for runs sharing the directory at once: an entry is written to a temporary file
// and renamed into place, so a reader sees a whole entry or none, and two runs writing the
// same key write the same bytes. Entries are not synced to disk: each carries a SHA-256 of its
// value, and an entry a crash truncated or a disk corrupted fails the check, is removed, and
// reads as a miss. The directory is bounded in size: Open and Close remove the least recently
// used entries (by modification time, which a hit refreshes at most once an hour) beyond the
// limit, and temporary files older than an hour.
package diskcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultMaxSize is the size, in bytes, the directory is trimmed to unless WithMaxSize says
// otherwise.
const DefaultMaxSize = 256 << 20

// MaxEntrySize is the largest value Save keeps and Load reads.
const MaxEntrySize = 4 << 20

// magic starts every entry file, followed by the hex SHA-256 of the value and a newline.
const magic = "baseflow-cache 1\n"

// touchAfter is how old an entry's modification time must be before a hit refreshes it.
const touchAfter = time.Hour

// Cache is a directory of entries. It is safe for concurrent use, by goroutines and by
// processes.
type Cache struct {
	dir     string
	maxSize int64
	saved   atomic.Int64 // bytes written by this Cache, to trim early in long runs
}

// Option configures a Cache.
type Option func(*Cache)

// WithMaxSize bounds the directory's size in bytes; zero or negative means DefaultMaxSize.
func WithMaxSize(n int64) Option { return func(c *Cache) { c.maxSize = n } }

// Open returns the cache in dir, creating the directory (mode 0700) when it does not exist,
// and trims it to its size bound.
func Open(dir string, opts ...Option) (*Cache, error) {
	if dir == "" {
		return nil, errors.New("diskcache: empty directory name")
	}
	c := &Cache{dir: dir}
	for _, o := range opts {
		o(c)
	}
	if c.maxSize <= 0 {
		c.maxSize = DefaultMaxSize
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("diskcache: %w", err)
	}
	if err := c.Trim(); err != nil {
		return nil, err
	}
	return c, nil
}

// Close trims the directory to its size bound.
func (c *Cache) Close() error { return c.Trim() }

// isHex reports whether s is lower-case hexadecimal digits only.
func isHex(s string) bool { return strings.Trim(s, "0123456789abcdef") == "" }

// path is where key's entry lives: <dir>/<first two characters>/<key>.
func (c *Cache) path(key string) (string, bool) {
	if len(key) < 3 || !isHex(key) {
		return "", false
	}
	return filepath.Join(c.dir, key[:2], key), true
}

// Load returns the value saved under key. A missing, unreadable or corrupt entry is a miss;
// a corrupt one is removed.
func (c *Cache) Load(key string) ([]byte, bool) {
	p, ok := c.path(key)
	if !ok {
		return nil, false
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(len(magic)+2*sha256.Size+1+MaxEntrySize+1)))
	if err != nil {
		return nil, false
	}
	value, ok := decode(data)
	if !ok {
		os.Remove(p)
		return nil, false
	}
	if st, err := f.Stat(); err == nil && time.Since(st.ModTime()) > touchAfter {
		now := time.Now()
		os.Chtimes(p, now, now)
	}
	return value, true
}

// Save keeps value under key. Failures are dropped: the entry is computed again next time.
func (c *Cache) Save(key string, value []byte) {
	p, ok := c.path(key)
	if !ok || len(value) > MaxEntrySize {
		return
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return
	}
	sum := sha256.Sum256(value)
	_, err = io.WriteString(tmp, magic+hex.EncodeToString(sum[:])+"\n")
	if err == nil {
		_, err = tmp.Write(value)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return
	}
	if c.saved.Add(int64(len(value))) > c.maxSize/2 {
		c.saved.Store(0)
		c.Trim()
	}
}

// decode checks an entry file and returns its value.
func decode(data []byte) ([]byte, bool) {
	rest, ok := bytes.CutPrefix(data, []byte(magic))
	if !ok || len(rest) < 2*sha256.Size+1 || rest[2*sha256.Size] != '\n' {
		return nil, false
	}
	want, value := rest[:2*sha256.Size], rest[2*sha256.Size+1:]
	sum := sha256.Sum256(value)
	if hex.EncodeToString(sum[:]) != string(want) {
		return nil, false
	}
	return value, true
}

// Trim removes the least recently used entries until the directory holds at most its size
// bound, and temporary files left by interrupted writes. Other files in the directory (a
// directory given by mistake, say a home directory) are neither counted nor removed.
func (c *Cache) Trim() error {
	type entry struct {
		path string
		size int64
		mod  time.Time
	}
	var entries []entry
	var total int64
	// Only files laid out as entries (<2 hex>/<key>) and temporary files beside them count:
	// anything else in the directory is not the cache's to remove.
	subdirs, err := os.ReadDir(c.dir)
	if err != nil {
		return fmt.Errorf("diskcache: %w", err)
	}
	for _, sub := range subdirs {
		if !sub.IsDir() || len(sub.Name()) != 2 || !isHex(sub.Name()) {
			continue
		}
		files, err := os.ReadDir(filepath.Join(c.dir, sub.Name()))
		if err != nil {
			continue // removed by another run meanwhile, or unreadable
		}
		for _, f := range files {
			if !f.Type().IsRegular() {
				continue
			}
			info, err := f.Info()
			if err != nil {
				continue
			}
			p := filepath.Join(c.dir, sub.Name(), f.Name())
			switch {
			case strings.HasPrefix(f.Name(), ".tmp-"):
				if time.Since(info.ModTime()) > time.Hour {
					os.Remove(p)
				}
			case strings.HasPrefix(f.Name(), sub.Name()) && len(f.Name()) >= 3 && isHex(f.Name()):
				entries = append(entries, entry{p, info.Size(), info.ModTime()})
				total += info.Size()
			}
		}
	}
	if total <= c.maxSize {
		return nil
	}
	slices.SortFunc(entries, func(a, b entry) int { return a.mod.Compare(b.mod) })
	for _, e := range entries {
		if total <= c.maxSize {
			break
		}
		if err := os.Remove(e.path); err == nil || errors.Is(err, fs.ErrNotExist) {
			total -= e.size
		}
	}
	return nil
}
