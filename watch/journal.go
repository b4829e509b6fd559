package watch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/baseflow/baseflow/internal/atomicfile"
)

// Journal keeps accepted events until they are handled, so that a restart loses none.
//
// On disk it is a directory with one small JSON file per pending event, named after a hash of
// the event's Key. A file is written to a temporary name, synced and renamed into place (and
// the directory synced) before the webhook is answered, and removed once every subscription
// the event concerns has been checked. Appending an event whose file exists is a no-op, which
// makes redeliveries of a pending event idempotent. A crash leaves either no file or a
// complete one; temporary files left by a crash are removed when the journal is opened, and a
// file that does not parse is renamed to *.corrupt and skipped.
//
// The zero-config Journal (OpenJournal with an empty directory) keeps events in memory only.
type Journal struct {
	dir string

	mu  sync.Mutex
	mem map[string]journalEntry // the entries, on disk or not, by key
}

// journalEntry is the content of a journal file.
type journalEntry struct {
	Key      string    `json:"key"`
	Received time.Time `json:"received"`
	Event    Event     `json:"event"`
}

// OpenJournal opens (creating it if needed) the journal in dir, or an in-memory journal when
// dir is empty, and loads the events it holds.
func OpenJournal(dir string) (*Journal, error) {
	j := &Journal{dir: dir, mem: map[string]journalEntry{}}
	if dir == "" {
		return j, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	var errs []error
	for _, de := range entries {
		name := de.Name()
		path := filepath.Join(dir, name)
		switch {
		case strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-"):
			_ = os.Remove(path) // a write interrupted before its rename
			continue
		case !de.Type().IsRegular() || !strings.HasSuffix(name, ".json"):
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("journal: %w", err))
			continue
		}
		var e journalEntry
		if err := json.Unmarshal(data, &e); err != nil || e.Key == "" || keyFile(e.Key) != name {
			if err == nil {
				err = errors.New("no key, or a key that does not match the file name")
			}
			errs = append(errs, fmt.Errorf("journal: %s: %v (renamed to %s.corrupt)", path, err, name))
			_ = os.Rename(path, path+".corrupt")
			continue
		}
		j.mem[e.Key] = e
	}
	return j, errors.Join(errs...)
}

// Dir returns the journal's directory, empty for an in-memory journal.
func (j *Journal) Dir() string { return j.dir }

// Append records the event under key. It returns false, and writes nothing, when the key is
// already recorded. When it returns true with no error the event is on disk.
func (j *Journal) Append(key string, e Event) (bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, ok := j.mem[key]; ok {
		return false, nil
	}
	entry := journalEntry{Key: key, Received: time.Now().UTC(), Event: e}
	if j.dir != "" {
		data, err := json.Marshal(entry)
		if err != nil {
			return false, fmt.Errorf("journal: %w", err)
		}
		if err := atomicfile.WriteFile(filepath.Join(j.dir, keyFile(key)), append(data, '\n'), 0o600); err != nil {
			return false, fmt.Errorf("journal: %w", err)
		}
	}
	j.mem[key] = entry
	return true, nil
}

// Remove forgets the event recorded under key; removing an unknown key does nothing.
func (j *Journal) Remove(key string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, ok := j.mem[key]; !ok {
		return nil
	}
	delete(j.mem, key)
	if j.dir == "" {
		return nil
	}
	if err := os.Remove(filepath.Join(j.dir, keyFile(key))); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

// Pending returns the recorded events with their keys, oldest first.
func (j *Journal) Pending() (keys []string, events []Event) {
	j.mu.Lock()
	entries := make([]journalEntry, 0, len(j.mem))
	for _, e := range j.mem {
		entries = append(entries, e)
	}
	j.mu.Unlock()
	slices.SortFunc(entries, func(a, b journalEntry) int {
		if c := a.Received.Compare(b.Received); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	for _, e := range entries {
		keys = append(keys, e.Key)
		events = append(events, e.Event)
	}
	return keys, events
}

// Len returns the number of recorded events.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.mem)
}
