// Package photos is the photo frame's library: an index of the pictures in
// a folder (by content, kept current by Rescan), a display order that shows
// every photo once per cycle, and screen-sized JPEGs rendered one at a time
// into a bounded disk cache.
package photos

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io/fs"
	"log/slog"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for Options.
const (
	DefaultCacheBytes     = 200 << 20
	DefaultMaxDecodeBytes = 160 << 20
)

// quality of the JPEGs served.
const quality = 85

// Options configure a Library.
type Options struct {
	Dir        string // the photo folder, scanned recursively
	CacheDir   string // rendered JPEGs, e.g. <data_dir>/photo-cache; created if missing
	CacheBytes int64  // disk budget of CacheDir; 0 means DefaultCacheBytes
	// MaxDecodeBytes is the most memory one decode may take, estimated from
	// the header (a 12 MP baseline JPEG needs 18 MB, progressive 90 MB);
	// bigger photos are skipped with a log line. 0 means DefaultMaxDecodeBytes.
	MaxDecodeBytes int64
	Shuffle        bool           // random order per cycle; else by path
	Seed           uint64         // for Shuffle; 0 picks one at random
	Loc            *time.Location // zone of Photo.Taken; nil means time.Local
	Logger         *slog.Logger   // nil discards
	Now            func() time.Time
}

// Photo is one entry of GET /api/photos.
type Photo struct {
	ID    string     `json:"id"`
	URL   string     `json:"url"`   // /photos/<id>.jpg; add ?w=&h=
	Taken *time.Time `json:"taken"` // EXIF DateTimeOriginal; null if absent
}

// Status is the library's health for the status page.
type Status struct {
	Indexed    int        `json:"indexed"`     // photos in the list
	Skipped    int        `json:"skipped"`     // image files left out (each logged once)
	Scanned    *time.Time `json:"scanned"`     // end of the last good scan; null before
	Error      string     `json:"error"`       // why the last scan failed; "" if it didn't
	CacheBytes int64      `json:"cache_bytes"` // on disk in CacheDir
	Err        error      `json:"-"`           // the scan's error itself, for its category
}

// entry is an indexed photo.
type entry struct {
	id          string
	rel         string // slash-separated, under the folder
	path        string // real path: symlinks resolved, inside the folder
	size        int64
	mtime       time.Time
	format      string
	width       int
	height      int
	orientation int
	taken       *time.Time
	need        int64
}

// Library is the photo index and the render cache. Its methods are safe
// for concurrent use.
type Library struct {
	dir       string // as configured, made absolute
	cacheDir  string
	maxDecode int64
	shuffle   bool
	loc       *time.Location
	log       *slog.Logger
	now       func() time.Time
	cache     *diskCache
	queue     *renderQueue
	decodes   atomic.Int64 // full decodes, for tests

	scanMu sync.Mutex // one Rescan at a time

	mu       sync.Mutex
	root     string            // dir with symlinks resolved, at the last scan
	byID     map[string]*entry // the index
	skips    map[string]string // files left out at the last scan: key → reason
	ignored  map[string]bool   // ids of files that are not images and don't say so
	broken   map[string]string // ids that failed to decode: id → reason
	notes    map[string]bool   // folder problems already logged
	deck     []string          // display order of this cycle
	seen     map[string]bool   // ids served in this cycle
	last     string            // the id served last
	rng      *rand.Rand
	scanned  time.Time
	scanErr  error
	scannedN int // indexed count at the last scan, to log changes only; -1 before
}

// New opens the cache and starts the render worker. The index is empty
// until the first Rescan.
func New(opts Options) (*Library, error) {
	if opts.Dir == "" {
		return nil, errors.New("photos: no folder")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("photos: folder: %w", err)
	}
	if opts.CacheDir == "" {
		return nil, errors.New("photos: no cache dir")
	}
	cacheDir, err := filepath.Abs(opts.CacheDir)
	if err != nil {
		return nil, fmt.Errorf("photos: cache dir: %w", err)
	}
	if cacheDir == dir {
		return nil, errors.New("photos: cache dir is the photo folder")
	}
	l := &Library{
		dir: dir, cacheDir: cacheDir, shuffle: opts.Shuffle,
		maxDecode: cmp.Or(opts.MaxDecodeBytes, DefaultMaxDecodeBytes),
		loc:       opts.Loc, log: opts.Logger, now: opts.Now,
		byID: map[string]*entry{}, skips: map[string]string{}, ignored: map[string]bool{},
		broken: map[string]string{}, notes: map[string]bool{}, seen: map[string]bool{},
		scannedN: -1,
	}
	if l.loc == nil {
		l.loc = time.Local
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	if l.now == nil {
		l.now = time.Now
	}
	seed := opts.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	l.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	if l.cache, err = openCache(cacheDir, cmp.Or(opts.CacheBytes, DefaultCacheBytes), l.now); err != nil {
		return nil, err
	}
	l.queue = newRenderQueue(l.render)
	return l, nil
}

// Close stops the render worker once its current job is done. Requests
// that would need a render then get 503.
func (l *Library) Close() { l.queue.close() }

// makeID is a stable opaque id: a changed file gets a new one, so its URL
// (and every cache along the way) changes with it.
func makeID(rel string, size int64, mtime time.Time) string {
	sum := sha256.Sum256([]byte(rel + "\x00" + strconv.FormatInt(size, 10) + "\x00" + strconv.FormatInt(mtime.UnixNano(), 10)))
	return hex.EncodeToString(sum[:10])
}

// isID reports whether s could be an id: 20 lower-case hex digits.
func isID(s string) bool {
	if len(s) != 20 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// scan is the state of one Rescan walk.
type scan struct {
	l       *Library
	root    string
	old     map[string]*entry
	oldSkip map[string]string
	oldIgn  map[string]bool
	broken  map[string]string
	oldNote map[string]bool

	byID    map[string]*entry
	byPath  map[string]*entry // real path → entry, to list a file once
	skips   map[string]string
	ignored map[string]bool
	notes   map[string]bool
}

// Rescan walks the folder and replaces the index: new and changed files
// are inspected, unchanged ones kept, removed ones dropped (and their cached
// renders deleted). Files that can't be shown are left out with one log
// line each, however often they are met again. Hidden files and folders
// (".name"), symlinked folders and files whose symlinks lead out of the
// folder are not indexed. Rescan returns an error only when the folder
// itself can't be read (or ctx ends); the index is then kept as it was.
func (l *Library) Rescan(ctx context.Context) error {
	l.scanMu.Lock()
	defer l.scanMu.Unlock()
	start := l.now()
	err := l.rescan(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.scanErr = err
	if err != nil {
		return err
	}
	l.scanned = l.now()
	if n := len(l.byID); n != l.scannedN {
		l.log.Info("photos indexed", "indexed", n, "skipped", len(l.skips), "took", l.now().Sub(start).Round(time.Millisecond))
		l.scannedN = n
	}
	return nil
}

func (l *Library) rescan(ctx context.Context) error {
	root, err := filepath.EvalSymlinks(l.dir)
	if err == nil {
		var fi os.FileInfo
		if fi, err = os.Stat(root); err == nil && !fi.IsDir() {
			err = errors.New("not a folder")
		}
	}
	if err != nil {
		return fmt.Errorf("photos: scan %s: %w", l.dir, err)
	}
	cacheDir, err := filepath.EvalSymlinks(l.cacheDir)
	if err != nil {
		cacheDir = l.cacheDir
	}
	l.mu.Lock()
	s := &scan{
		// byID and skips change in place when a decode fails: copy them.
		l: l, root: root, old: maps.Clone(l.byID), oldSkip: maps.Clone(l.skips), oldIgn: l.ignored,
		broken: maps.Clone(l.broken), oldNote: l.notes,
		byID: map[string]*entry{}, byPath: map[string]*entry{},
		skips: map[string]string{}, ignored: map[string]bool{}, notes: map[string]bool{},
	}
	l.mu.Unlock()

	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			if p == root {
				return err
			}
			s.note(p, "unreadable", err)
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if p == root {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") || p == cacheDir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch t := d.Type(); {
		case t.IsDir():
			return nil
		case t.IsRegular():
			fi, err := d.Info()
			if err != nil {
				s.note(p, "unreadable", err)
				return nil
			}
			s.file(p, p, fi)
		case t&fs.ModeSymlink != 0:
			s.symlink(p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("photos: scan %s: %w", l.dir, err)
	}

	l.mu.Lock()
	// A photo that failed to decode while the walk ran stays out.
	for id, reason := range l.broken {
		if s.byID[id] != nil {
			delete(s.byID, id)
			s.skips[id] = reason
		}
	}
	for id := range l.broken {
		if _, ok := s.skips[id]; !ok {
			delete(l.broken, id)
		}
	}
	l.root, l.byID, l.skips, l.ignored, l.notes = root, s.byID, s.skips, s.ignored, s.notes
	l.syncDeckLocked()
	keep := make(map[string]bool, len(l.byID))
	for id := range l.byID {
		keep[id] = true
	}
	l.mu.Unlock()
	l.cache.retain(func(id string) bool { return keep[id] })
	return nil
}

func (s *scan) rel(p string) string {
	rel, err := filepath.Rel(s.root, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(rel)
}

// note logs a folder problem once.
func (s *scan) note(p, what string, err error) {
	key := what + "\x00" + p
	s.notes[key] = true
	if !s.oldNote[key] {
		s.l.log.Warn("photo folder entry "+what, "file", s.rel(p), "error", err)
	}
}

// skip leaves a file out, logging it the first time.
func (s *scan) skip(key, rel, reason string) {
	s.skips[key] = reason
	if _, seen := s.oldSkip[key]; !seen {
		s.l.log.Warn("photo skipped", "file", rel, "reason", reason)
	}
}

// symlink indexes the file a symlink leads to if it stays in the folder.
// Symlinked folders are not followed, wherever they lead.
func (s *scan) symlink(p string) {
	rel := s.rel(p)
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		if imageExt(p) {
			s.skip("link\x00"+rel, rel, "broken symlink")
		}
		return
	}
	fi, err := os.Stat(target)
	switch {
	case err != nil:
		s.note(p, "unreadable", err)
	case fi.IsDir():
		s.note(p, "is a symlinked folder, not followed", nil)
	case !within(s.root, target):
		s.skip("link\x00"+rel+"\x00"+target, rel, "symlink leads out of the photo folder")
	case fi.Mode().IsRegular():
		s.file(p, target, fi)
	}
}

// file indexes one regular file (at real, reached as p), reusing what the
// last scan learnt about it if it is unchanged. A file reached both
// directly and through symlinks is listed once, under its own name.
func (s *scan) file(p, real string, fi os.FileInfo) {
	rel := s.rel(p)
	if other := s.byPath[real]; other != nil {
		if p != real {
			return // a symlink to a file already listed
		}
		delete(s.byID, other.id) // listed through a symlink first
	}
	id := makeID(rel, fi.Size(), fi.ModTime())
	if e := s.old[id]; e != nil {
		if e.path != real {
			c := *e
			c.path = real
			e = &c
		}
		s.add(e)
		return
	}
	if s.oldIgn[id] {
		s.ignored[id] = true
		return
	}
	if reason, ok := s.oldSkip[id]; ok {
		s.skips[id] = reason
		return
	}
	if reason, ok := s.broken[id]; ok {
		s.skips[id] = reason
		return
	}
	e, err := s.l.inspect(id, rel, real, fi)
	switch {
	case errors.Is(err, errNotImage) && !imageExt(rel):
		s.ignored[id] = true
	case err != nil:
		s.skip(id, rel, err.Error())
	default:
		s.add(e)
	}
}

func (s *scan) add(e *entry) {
	s.byID[e.id] = e
	s.byPath[e.path] = e
}

func (l *Library) inspect(id, rel, real string, fi os.FileInfo) (*entry, error) {
	f, err := os.Open(real)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h, err := inspect(f)
	if err != nil {
		return nil, err
	}
	if h.need > l.maxDecode {
		return nil, fmt.Errorf("%d×%d %s needs about %d MB to decode, over the %d MB limit",
			h.width, h.height, h.format, h.need>>20, l.maxDecode>>20)
	}
	return &entry{
		id: id, rel: rel, path: real, size: fi.Size(), mtime: fi.ModTime(),
		format: h.format, width: h.width, height: h.height,
		orientation: h.orientation, taken: h.exif.takenAt(l.loc), need: h.need,
	}, nil
}

// The display order. The deck holds every indexed id in this cycle's order
// (shuffled, or by path); serving a photo marks it seen. List puts unseen
// photos first, in deck order, so its first entry is always the next to
// show. Once all are seen a new cycle starts, reshuffled, never opening
// with the photo just shown. New photos join the deck at a random place
// (or in path order) as unseen; removed ones leave it.

func (l *Library) syncDeckLocked() {
	deck := l.deck[:0:0]
	inDeck := make(map[string]bool, len(l.byID))
	for _, id := range l.deck {
		if l.byID[id] != nil {
			deck = append(deck, id)
			inDeck[id] = true
		}
	}
	var added []*entry
	for id, e := range l.byID {
		if !inDeck[id] {
			added = append(added, e)
		}
	}
	slices.SortFunc(added, func(a, b *entry) int { return strings.Compare(a.rel, b.rel) })
	for _, e := range added {
		if l.shuffle {
			deck = slices.Insert(deck, l.rng.IntN(len(deck)+1), e.id)
		} else {
			deck = append(deck, e.id)
		}
	}
	if !l.shuffle {
		slices.SortFunc(deck, func(a, b string) int { return strings.Compare(l.byID[a].rel, l.byID[b].rel) })
	}
	l.deck = deck
	for id := range l.seen {
		if l.byID[id] == nil {
			delete(l.seen, id)
		}
	}
	if len(l.deck) > 0 && len(l.seen) == len(l.deck) {
		l.newCycleLocked()
	}
}

func (l *Library) newCycleLocked() {
	clear(l.seen)
	if !l.shuffle || len(l.deck) < 2 {
		return
	}
	l.rng.Shuffle(len(l.deck), func(i, j int) { l.deck[i], l.deck[j] = l.deck[j], l.deck[i] })
	if l.deck[0] == l.last {
		j := 1 + l.rng.IntN(len(l.deck)-1)
		l.deck[0], l.deck[j] = l.deck[j], l.deck[0]
	}
}

// served marks id seen and returns the next photo to show ("" if none).
func (l *Library) served(id string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byID[id] == nil {
		return ""
	}
	l.seen[id] = true
	l.last = id
	if len(l.seen) >= len(l.deck) {
		l.newCycleLocked()
	}
	for _, id := range l.deck {
		if !l.seen[id] {
			return id
		}
	}
	return ""
}

// List returns the photos in display order: those not yet served in this
// cycle first. Never nil.
func (l *Library) List() []Photo {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Photo, 0, len(l.deck))
	for _, pass := range []bool{false, true} {
		for _, id := range l.deck {
			if l.seen[id] == pass {
				out = append(out, Photo{ID: id, URL: urlPrefix + id + ".jpg", Taken: l.byID[id].taken})
			}
		}
	}
	return out
}

// Status returns the counts and the last scan error.
func (l *Library) Status() Status {
	l.mu.Lock()
	st := Status{Indexed: len(l.byID), Skipped: len(l.skips)}
	if !l.scanned.IsZero() {
		t := l.scanned
		st.Scanned = &t
	}
	if l.scanErr != nil {
		st.Error, st.Err = l.scanErr.Error(), l.scanErr
	}
	l.mu.Unlock()
	st.CacheBytes = l.cache.size()
	return st
}

func (l *Library) lookup(id string) *entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.byID[id]
}

// Prepare renders photo id for a w×h screen in the background, so that a
// request for it soon after is served from the cache. Unknown ids and
// already cached sizes are ignored, and so is the call when the queue is
// full. Serving a photo prepares the next in display order by itself.
func (l *Library) Prepare(id string, w, h int) {
	l.prepare(renderKey{id: id, box: box(w, h)})
}

func (l *Library) prepare(k renderKey) {
	if l.lookup(k.id) == nil || l.cache.has(cacheName(k)) {
		return
	}
	l.queue.submit(k, false)
}

// Errors of fetching a rendering.
var (
	errGone    = errors.New("photos: photo gone or changed")
	errCorrupt = errors.New("photos: photo can't be decoded")
	errBusy    = errors.New("photos: render queue busy")
)

// renderWait bounds how long a request waits for its rendering.
const renderWait = time.Minute

// image returns photo e fitted in k.box as JPEG, from the cache or the
// render queue.
func (l *Library) image(ctx context.Context, k renderKey) ([]byte, error) {
	if data, ok := l.cache.get(cacheName(k)); ok {
		return data, nil
	}
	j := l.queue.submit(k, true)
	if j == nil {
		return nil, errClosed
	}
	t := time.NewTimer(renderWait)
	defer t.Stop()
	select {
	case <-j.done:
		return j.data, j.err
	case <-t.C:
		return nil, errBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// render is the worker's job: decode, fit, orient, encode, cache.
func (l *Library) render(k renderKey) ([]byte, error) {
	name := cacheName(k)
	if data, ok := l.cache.get(name); ok {
		return data, nil // prepared while this request waited
	}
	l.mu.Lock()
	e, root := l.byID[k.id], l.root
	l.mu.Unlock()
	if e == nil {
		return nil, errGone
	}
	data, err := l.renderEntry(root, e, k.box)
	if errors.Is(err, errCorrupt) {
		l.markBroken(e, err)
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if err := l.cache.put(name, k.id, data); err != nil {
		l.log.Warn("photo cache", "error", err)
	}
	return data, nil
}

func (l *Library) renderEntry(root string, e *entry, bx image.Point) ([]byte, error) {
	f, err := openPhoto(root, e)
	if err != nil {
		return nil, err
	}
	l.decodes.Add(1)
	src, err := decode(f, e.format)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errCorrupt, e.format, err)
	}
	if e.need > 16<<20 {
		// Hand the decoded image back to the OS now rather than in minutes:
		// on a Pi the browser wants that memory.
		defer debug.FreeOSMemory()
	}
	sb := src.Bounds()
	swap := e.orientation >= 5
	if swap {
		bx = image.Pt(bx.Y, bx.X)
	}
	size := fit(sb.Dx(), sb.Dy(), bx)
	// src is not used past resample, so the collector may take the full
	// image while the small one is oriented and encoded.
	dst := orient(resample(src, size.X, size.Y), e.orientation)
	var buf bytes.Buffer
	buf.Grow(size.X * size.Y / 4)
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: quality}); err != nil {
		return nil, fmt.Errorf("photos: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// markBroken takes a photo that failed to decode out of the list until
// its file changes, logging it once.
func (l *Library) markBroken(e *entry, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byID[e.id] == nil {
		return
	}
	l.log.Warn("photo skipped", "file", e.rel, "reason", err.Error())
	delete(l.byID, e.id)
	l.broken[e.id] = err.Error()
	l.skips[e.id] = err.Error()
	l.syncDeckLocked()
}
