// Package cache is the kiosk's store: a badger database holding JSON values
// with a freshness judged by an injected clock, and Memo, which keeps the
// last good value when an upstream fails.
package cache

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// ErrMiss is returned by Get for a key that is absent or expired.
var ErrMiss = errors.New("cache: miss")

// Store is a badger database. It is safe for concurrent use.
type Store struct {
	db        *badger.DB
	now       func() time.Time
	log       *slog.Logger
	dir       string
	recovered string
	warning   string
	fallback  Fallback
	stop      chan struct{}
	done      chan struct{}
}

// record is what is stored under a key. Expiry is judged on the injected
// clock, not by badger, whose TTL reads the wall clock: a Pi boots with a
// stale clock and steps it later, which would expire everything at once.
type record struct {
	V   json.RawMessage `json:"v"`
	At  time.Time       `json:"at"`           // when the value was set
	Exp time.Time       `json:"exp,omitzero"` // zero: never
}

// hardCap is added to a TTL to make badger's own expiry a mere garbage
// collection hint that never fires before ours, even across clock steps.
const hardCap = 7 * 24 * time.Hour

// gcEvery is how often the value log is garbage collected.
const gcEvery = 30 * time.Minute

// minFree is the free disk space below which the store is kept in memory:
// badger writes through memory-mapped files, and a full disk there kills
// the process with SIGBUS instead of returning an error.
const minFree = 64 << 20

// Open opens the store in dir; an empty dir opens an in-memory store (tests).
//
// The kiosk must come up whatever the state of its data dir:
//   - a database held by another process (a second kiosk) is an error;
//   - a dir that cannot be written (read-only mount, wrong owner) or a
//     nearly full disk gives an in-memory store, seeded with what the dir
//     holds when it can be read; Warning says so;
//   - a database that cannot be opened otherwise (a power cut can corrupt
//     it) is moved aside and an empty one created: the kiosk refetches its
//     data rather than crash-looping. Recovered reports where it went.
func Open(dir string, now func() time.Time, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{now: now, log: log, dir: dir, stop: make(chan struct{}), done: make(chan struct{})}
	if dir != "" {
		if free, ok := freeBytes(dir); ok && free < minFree {
			s.warning = fmt.Sprintf("the disk holding %s is full (%d MB free): keeping data in memory only", dir, free>>20)
			s.fallback = DiskFull
			return s.openInMemory(dir)
		}
	}
	db, err := badger.Open(piOptions(dir, log))
	switch {
	case err == nil:
	case dir == "":
		return nil, fmt.Errorf("cache: open in memory: %w", err)
	case errors.Is(err, syscall.EWOULDBLOCK) || strings.Contains(err.Error(), "Cannot acquire directory lock"):
		// badger flattens the errno into its message.
		return nil, fmt.Errorf("cache: the store in %s is in use by another process (its directory lock is held): %w", dir, err)
	case !writable(dir):
		s.warning = fmt.Sprintf("the data dir %s cannot be written: keeping data in memory only, lost at restart", dir)
		s.fallback = ReadOnly
		return s.openInMemory(dir)
	default:
		aside := fmt.Sprintf("%s.corrupt-%s", dir, now().UTC().Format("20060102T150405"))
		if rerr := os.Rename(dir, aside); rerr != nil {
			return nil, fmt.Errorf("cache: open %s: %w (and moving it aside failed: %v)", dir, err, rerr)
		}
		log.Error("store could not be opened; moved aside, starting empty", "dir", dir, "moved_to", aside, "error", err)
		s.recovered = aside
		db, err = badger.Open(piOptions(dir, log))
		if err != nil {
			return nil, fmt.Errorf("cache: open %q: %w", dir, err)
		}
	}
	s.db = db
	go s.gcLoop()
	return s, nil
}

// openInMemory opens an in-memory store holding a copy of what dir holds,
// when dir can be read.
func (s *Store) openInMemory(dir string) (*Store, error) {
	s.log.Warn("store: " + s.warning)
	db, err := badger.Open(piOptions("", s.log))
	if err != nil {
		return nil, fmt.Errorf("cache: open in memory: %w", err)
	}
	if ro, err := badger.Open(piOptions(dir, s.log).WithReadOnly(true)); err == nil {
		var buf bytes.Buffer
		if _, err := ro.Backup(&buf, 0); err == nil {
			if err := db.Load(&buf, 16); err != nil {
				s.log.Warn("store: copying the read-only store into memory", "error", err)
			}
		}
		ro.Close()
	}
	s.db, s.dir = db, ""
	go s.gcLoop()
	return s, nil
}

// writable reports whether a file can be created in dir.
func writable(dir string) bool {
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return false
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return true
}

// freeBytes is the space available to the process on dir's file system,
// or on its parent when dir does not exist yet.
func freeBytes(dir string) (int64, bool) {
	var st syscall.Statfs_t
	for d := dir; ; d = filepath.Dir(d) {
		if err := syscall.Statfs(d, &st); err == nil {
			return int64(st.Bavail) * int64(st.Bsize), true
		}
		if d == filepath.Dir(d) {
			return 0, false
		}
	}
}

// Warning says why the store is not on disk as configured; "" if it is.
func (s *Store) Warning() string { return s.warning }

// Fallback is why a store is kept in memory instead of in its data dir.
type Fallback int

const (
	OnDisk   Fallback = iota // as asked: in the data dir, or in memory for ""
	ReadOnly                 // the data dir cannot be written (owner, read-only mount)
	DiskFull                 // the disk holding the data dir is (nearly) full
)

// Fallback says whether, and why, the store is in memory against the
// configuration: what it holds is lost at restart.
func (s *Store) Fallback() Fallback { return s.fallback }

// piOptions sizes badger for a Raspberry Pi with 512 MB to 1 GB of memory,
// shared with Chromium. The defaults map 2 GiB of value log and hold 64 MiB
// memtables, which fails on 32-bit Raspberry Pi OS (3 GiB of address space)
// and costs ~100 MiB of heap; the kiosk stores a few megabytes at most.
func piOptions(dir string, log *slog.Logger) badger.Options {
	opts := badger.DefaultOptions(dir).
		WithInMemory(dir == "").
		WithMemTableSize(4 << 20).       // WAL mapping is 2× this
		WithNumMemtables(1).             // one memtable: a flush per 4 MiB written
		WithNumLevelZeroTables(4).       // compaction priority only: see NumCompactors
		WithNumLevelZeroTablesStall(64). // 256 MiB of writes before a stall; GC flattens long before
		WithBaseTableSize(1 << 20).      //
		WithBaseLevelSize(4 << 20).      //
		WithValueLogFileSize(16 << 20).  // vlog mapping is 2× this: 32 MiB, not 2 GiB
		WithValueThreshold(1 << 10).     // must stay under 15% of the memtable size
		WithBlockCacheSize(0).           // no compression, so no block cache is needed
		WithIndexCacheSize(0).           // a tiny database keeps its indices in memory
		WithCompression(options.None).   // values are small JSON; CPU matters more
		// No compactor goroutines: each ticks every 50 ms for ever, which cost
		// ~25 s of CPU an hour on an idle kiosk. The store is tiny and written
		// rarely; GC flattens it on its timer instead.
		WithNumCompactors(0).
		WithSyncWrites(false). // mmap writes survive kill -9; Sync for power cuts
		WithDetectConflicts(false).
		WithMetricsEnabled(false).
		WithLogger(badgerLogger{log})
	if dir == "" {
		// In memory there is no value log: every value sits in the memtable
		// and may be at most ValueThreshold long, itself under 15% of the
		// memtable. Tests store whole calendars: allow the most badger does, 1 MiB.
		opts = opts.WithMemTableSize(16 << 20).WithValueThreshold(1 << 20)
	}
	return opts
}

// Close stops the GC timer and closes the database, flushing it to disk.
func (s *Store) Close() error {
	close(s.stop)
	<-s.done
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("cache: close: %w", err)
	}
	return nil
}

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// Recovered returns where a corrupt store was moved at Open, or "".
func (s *Store) Recovered() string { return s.recovered }

// Dir is the data directory; "" for an in-memory store.
func (s *Store) Dir() string { return s.dir }

// Size is the disk space the store's files take, counted in allocated
// blocks: badger preallocates sparse files that take far less than their
// length. An in-memory store reports 0.
func (s *Store) Size() int64 {
	if s.dir == "" {
		return 0
	}
	var n int64
	filepath.WalkDir(s.dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			if st, ok := info.Sys().(*syscall.Stat_t); ok {
				n += int64(st.Blocks) * 512
			} else {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// Sync flushes written data to stable storage, for writes that must survive
// a power cut and not only a crash.
func (s *Store) Sync() error {
	if s.dir == "" {
		return nil
	}
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("cache: sync: %w", err)
	}
	return nil
}

func (s *Store) gcLoop() {
	defer close(s.done)
	t := time.NewTicker(gcEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.GC()
		}
	}
}

// GC compacts the tree into one level, dropping overwritten and deleted
// values (there are no compactor goroutines), and reclaims value-log space:
// badger collects one file per call, so it repeats while there is
// something to collect.
func (s *Store) GC() {
	if err := s.db.Flatten(1); err != nil {
		s.log.Warn("store: compaction", "error", err)
	}
	if s.dir == "" {
		return
	}
	for range 16 {
		if err := s.db.RunValueLogGC(0.5); err != nil {
			if !errors.Is(err, badger.ErrNoRewrite) && !errors.Is(err, badger.ErrRejected) {
				s.log.Warn("store: value log gc", "error", err)
			}
			return
		}
	}
}

func (s *Store) get(key string) (record, error) {
	var r record
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(key))
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error { return json.Unmarshal(v, &r) })
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return r, ErrMiss
	}
	if err != nil {
		return r, fmt.Errorf("cache: get %s: %w", key, err)
	}
	return r, nil
}

func (s *Store) put(key string, r record, ttl time.Duration) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("cache: set %s: %w", key, err)
	}
	e := badger.NewEntry([]byte(key), b)
	if ttl > 0 {
		e = e.WithTTL(ttl + hardCap)
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.SetEntry(e) }); err != nil {
		return &WriteError{Key: key, Err: withoutValue(err)}
	}
	return nil
}

// WriteError is a value the store could not write: an I/O error, a value
// larger than an in-memory store takes. A caller holding a good value can
// keep it in memory meanwhile.
type WriteError struct {
	Key string
	Err error
}

func (e *WriteError) Error() string { return "cache: set " + e.Key + ": " + e.Err.Error() }
func (e *WriteError) Unwrap() error { return e.Err }

// withoutValue drops the hex dump of the value badger adds to some errors:
// values hold calendars, and errors reach logs and the status page.
func withoutValue(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, " Value:"); i >= 0 {
		return errors.New(strings.TrimSuffix(msg[:i], "."))
	}
	return err
}

func (s *Store) expired(r record) bool {
	return !r.Exp.IsZero() && !s.now().Before(r.Exp)
}

// Get returns the value stored under key, or ErrMiss if there is none or it
// has expired on the store's clock.
func Get[T any](s *Store, key string) (T, error) {
	var v T
	r, err := s.get(key)
	if err != nil {
		return v, err
	}
	if s.expired(r) {
		return v, ErrMiss
	}
	if err := json.Unmarshal(r.V, &v); err != nil {
		return v, fmt.Errorf("cache: decode %s: %w", key, err)
	}
	return v, nil
}

// Set stores v under key. A positive ttl makes it expire that long after
// now on the store's clock; zero keeps it until deleted.
func Set[T any](s *Store, key string, v T, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("cache: encode %s: %w", key, err)
	}
	now := s.now()
	r := record{V: b, At: now}
	if ttl > 0 {
		r.Exp = now.Add(ttl)
	}
	return s.put(key, r, ttl)
}

// Delete removes key; deleting an absent key is not an error.
func Delete(s *Store, key string) error {
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Delete([]byte(key)) }); err != nil {
		return fmt.Errorf("cache: delete %s: %w", key, err)
	}
	return nil
}

// Scan calls fn for every unexpired value whose key starts with prefix, in
// key order. Values that fail to decode are skipped and logged.
func Scan[T any](s *Store, prefix string, fn func(key string, v T) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefix), PrefetchValues: false})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			key := string(item.KeyCopy(nil))
			var r record
			if err := item.Value(func(b []byte) error { return json.Unmarshal(b, &r) }); err != nil {
				s.log.Warn("store: skipping undecodable record", "key", key, "error", err)
				continue
			}
			if s.expired(r) {
				continue
			}
			var v T
			if err := json.Unmarshal(r.V, &v); err != nil {
				s.log.Warn("store: skipping undecodable value", "key", key, "error", err)
				continue
			}
			if err := fn(key, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// Entry is what Memo returns: a value, when it was fetched, and whether it
// is stale because the last fetch failed.
type Entry[T any] struct {
	Value     T
	FetchedAt time.Time // zero if no fetch ever succeeded
	Stale     bool
	Err       error // the failed fetch's error, when Stale or empty
}

// Age is how old the value is at now.
func (e Entry[T]) Age(now time.Time) time.Duration { return now.Sub(e.FetchedAt) }

// Peek returns the last value Memo stored under key, fresh or not, without
// fetching; FetchedAt is zero when there is none.
func Peek[T any](s *Store, key string) (Entry[T], error) {
	var e Entry[T]
	r, err := s.get(key)
	if errors.Is(err, ErrMiss) {
		return e, nil
	}
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal(r.V, &e.Value); err != nil {
		return Entry[T]{}, fmt.Errorf("cache: decode %s: %w", key, err)
	}
	e.FetchedAt = s.fetchedAt(key, r)
	return e, nil
}

// fetchedKey holds when an unchanged value was last fetched again.
func fetchedKey(key string) string { return key + "\x00fetched" }

// fetchedAt is when the value in r was last fetched: its own time, or the
// later one Memo noted when a fetch brought the same bytes.
func (s *Store) fetchedAt(key string, r record) time.Time {
	if t, err := s.get(fetchedKey(key)); err == nil && t.At.After(r.At) {
		return t.At
	}
	return r.At
}

// Memo returns the value under key while it is younger than ttl on the
// store's clock; otherwise it calls fetch and stores the result. When fetch
// fails, Memo returns the last good value marked stale, with the error.
// A value from the future (the clock stepped back) counts as old.
// The last good value is kept without expiry: it is what the screen shows
// through an outage of any length. A fetch that brings the same bytes
// rewrites only a small time record, not the value (SD cards wear).
func Memo[T any](ctx context.Context, s *Store, key string, ttl time.Duration,
	fetch func(context.Context) (T, error)) (Entry[T], error) {
	var old Entry[T]
	r, err := s.get(key)
	switch {
	case err == nil:
		if derr := json.Unmarshal(r.V, &old.Value); derr != nil {
			s.log.Warn("store: undecodable memo, refetching", "key", key, "error", derr)
		} else {
			old.FetchedAt = s.fetchedAt(key, r)
		}
	case !errors.Is(err, ErrMiss):
		s.log.Warn("store: unreadable memo, refetching", "key", key, "error", err)
	}
	now := s.now()
	if !old.FetchedAt.IsZero() && !now.Before(old.FetchedAt) && now.Sub(old.FetchedAt) < ttl {
		return old, nil
	}
	v, err := fetch(ctx)
	if err != nil {
		old.Stale = !old.FetchedAt.IsZero()
		old.Err = err
		return old, err
	}
	fresh := Entry[T]{Value: v, FetchedAt: now}
	b, err := json.Marshal(v)
	if err != nil {
		return fresh, fmt.Errorf("cache: encode %s: %w", key, err)
	}
	if !old.FetchedAt.IsZero() && bytes.Equal(b, r.V) {
		return fresh, s.put(fetchedKey(key), record{V: json.RawMessage("null"), At: now}, 0)
	}
	if err := s.put(key, record{V: b, At: now}, 0); err != nil {
		return fresh, err
	}
	return fresh, nil
}

// badgerLogger sends badger's chatter to slog; its Infof lines are debug
// noise for a kiosk.
type badgerLogger struct{ log *slog.Logger }

func (l badgerLogger) Errorf(f string, a ...any)   { l.log.Error("badger: " + fmt.Sprintf(f, a...)) }
func (l badgerLogger) Warningf(f string, a ...any) { l.log.Warn("badger: " + fmt.Sprintf(f, a...)) }
func (l badgerLogger) Infof(f string, a ...any)    { l.log.Debug("badger: " + fmt.Sprintf(f, a...)) }
func (l badgerLogger) Debugf(f string, a ...any)   { l.log.Debug("badger: " + fmt.Sprintf(f, a...)) }
