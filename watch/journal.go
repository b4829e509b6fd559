package watch

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/baseflow/baseflow/internal/atomicfile"
)

// Journal keeps accepted events until they are handled, so that a restart loses none.
//
// On disk it is a directory of small files in JSON lines, one line per pending event. Every
// Append writes one file, and Appends that arrive while another is being written are written
// together in the next file: a burst of webhooks costs one fsync per write, not one per event.
// A file is written to a temporary name, synced, renamed into place and the directory synced
// (atomicfile) before Append returns, so an event Append reported recorded survives the process
// being killed, and the operating system crashing on a file system that honours fsync. A file is
// removed once every event in it is handled; a crash before that replays its handled events too,
// which costs a check and loses nothing. Temporary files left by a crash are removed when the
// journal is opened, and a file that does not parse is renamed to *.corrupt and skipped.
//
// The zero-config Journal (OpenJournal with an empty directory) keeps events in memory only.
type Journal struct {
	dir string

	mu    sync.Mutex
	mem   map[string]journalEntry // the pending entries by key
	files map[string]int          // file name → pending entries in it
	queue []*appendRequest        // Appends waiting for the writer
	seq   uint64                  // numbers the files this process writes

	// writing is held by the Append writing a file; the others queue behind it.
	writing sync.Mutex
}

// journalEntry is one line of a journal file.
type journalEntry struct {
	Key      string    `json:"key"`
	Received time.Time `json:"received"`
	Event    Event     `json:"event"`
	file     string
}

// appendRequest is one Append waiting for its events to be written.
type appendRequest struct {
	entries []journalEntry
	created []bool
	done    chan error
}

// OpenJournal opens (creating it if needed) the journal in dir, or an in-memory journal when
// dir is empty, and loads the events it holds. Files it cannot read are reported in the
// error, next to a usable Journal.
func OpenJournal(dir string) (*Journal, error) {
	j := &Journal{dir: dir, mem: map[string]journalEntry{}, files: map[string]int{}}
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
		lines, err := parseJournalFile(data)
		if err != nil {
			errs = append(errs, fmt.Errorf("journal: %s: %v (renamed to %s.corrupt)", path, err, name))
			_ = os.Rename(path, path+".corrupt")
			continue
		}
		for _, e := range lines {
			if _, dup := j.mem[e.Key]; dup {
				continue
			}
			e.file = name
			j.mem[e.Key] = e
			j.files[name]++
		}
		if j.files[name] == 0 {
			_ = os.Remove(path) // every event in it is also in another file
		}
	}
	return j, errors.Join(errs...)
}

// parseJournalFile reads the entries of a journal file, refusing it whole when a line is not
// an entry of a tag push.
func parseJournalFile(data []byte) ([]journalEntry, error) {
	var out []journalEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var e journalEntry
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		if e.Key == "" || !e.Event.IsTagPush() {
			return nil, fmt.Errorf("line %d: not a journal entry: no key, or no tag push", n)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no entry")
	}
	return out, nil
}

// Dir returns the journal's directory, empty for an in-memory journal.
func (j *Journal) Dir() string { return j.dir }

// Append records events[i] under keys[i], all of them in one file, and reports for each
// whether it was recorded now: false for a key already recorded (or repeated in keys), which
// is not written again. When it returns no error the events are on disk; on an error none of
// them is recorded.
func (j *Journal) Append(keys []string, events []Event) ([]bool, error) {
	if len(keys) != len(events) {
		return nil, errors.New("journal: as many keys as events are required")
	}
	req := &appendRequest{created: make([]bool, len(keys)), done: make(chan error, 1)}
	now := time.Now().UTC()
	for i, k := range keys {
		// A nanosecond apart, so that Pending returns the events of a body in its order.
		req.entries = append(req.entries, journalEntry{Key: k, Received: now.Add(time.Duration(i)), Event: events[i]})
	}
	if j.dir == "" {
		j.mu.Lock()
		j.commit([]*appendRequest{req}, "")
		j.mu.Unlock()
		return req.created, nil
	}
	j.mu.Lock()
	j.queue = append(j.queue, req)
	j.mu.Unlock()

	// Group commit: whoever holds writing writes every request queued so far, its own or
	// not; a request written by an earlier writer finds its answer waiting.
	j.writing.Lock()
	j.mu.Lock()
	batch := j.queue
	j.queue = nil
	j.mu.Unlock()
	if len(batch) > 0 {
		err := j.write(batch)
		for _, r := range batch {
			r.done <- err
		}
	}
	j.writing.Unlock()
	if err := <-req.done; err != nil {
		return nil, err
	}
	return req.created, nil
}

// write writes the new entries of a batch of requests to one file and commits them. It is
// called with writing held.
func (j *Journal) write(batch []*appendRequest) error {
	var buf bytes.Buffer
	j.mu.Lock()
	fresh := j.fresh(batch)
	j.seq++
	name := j.fileName(fresh)
	j.mu.Unlock()
	if len(fresh) == 0 {
		j.mu.Lock()
		j.commit(batch, "")
		j.mu.Unlock()
		return nil
	}
	for _, e := range fresh {
		data, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("journal: %w", err)
		}
		buf.Write(data)
		buf.WriteByte('\n')
	}
	if err := atomicfile.WriteFile(filepath.Join(j.dir, name), buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.mu.Lock()
	j.commit(batch, name)
	j.mu.Unlock()
	return nil
}

// fresh returns the entries of a batch whose keys are neither recorded nor repeated. j.mu is
// held.
func (j *Journal) fresh(batch []*appendRequest) []journalEntry {
	var out []journalEntry
	seen := map[string]bool{}
	for _, r := range batch {
		for _, e := range r.entries {
			if _, ok := j.mem[e.Key]; !ok && !seen[e.Key] {
				seen[e.Key] = true
				out = append(out, e)
			}
		}
	}
	return out
}

// commit records the new entries of a batch written to file (none for an in-memory journal)
// and sets each request's created flags. j.mu is held.
func (j *Journal) commit(batch []*appendRequest, file string) {
	for _, r := range batch {
		for i, e := range r.entries {
			if _, ok := j.mem[e.Key]; ok {
				continue
			}
			e.file = file
			j.mem[e.Key] = e
			r.created[i] = true
			if file != "" {
				j.files[file]++
			}
		}
	}
}

// fileName names the file of a batch: a hash of its first key and a sequence number, so that
// a file never replaces another. j.mu is held.
func (j *Journal) fileName(entries []journalEntry) string {
	first := ""
	if len(entries) > 0 {
		first = entries[0].Key
	}
	sum := sha256.Sum256([]byte(first + "\x00" + strconv.FormatInt(time.Now().UnixNano(), 10) + "-" + strconv.FormatUint(j.seq, 10)))
	return hex.EncodeToString(sum[:20]) + ".json"
}

// Remove forgets the event recorded under key, deleting its file once every event in it is
// forgotten; removing an unknown key does nothing.
func (j *Journal) Remove(key string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.mem[key]
	if !ok {
		return nil
	}
	delete(j.mem, key)
	if e.file == "" {
		return nil
	}
	if j.files[e.file]--; j.files[e.file] > 0 {
		return nil
	}
	delete(j.files, e.file)
	if err := os.Remove(filepath.Join(j.dir, e.file)); err != nil && !errors.Is(err, fs.ErrNotExist) {
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
