package photos

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// renderVersion is part of every cache name and ETag: bump it when the
// output changes (filter, quality), and old files are dropped at start.
const renderVersion = "v1"

// touchEvery limits how often a cache hit rewrites the file's mtime, which
// keeps the LRU order across restarts without a write per photo shown.
const touchEvery = time.Hour

// diskCache holds rendered JPEGs as files named <id>-<w>x<h>-v1.jpg, up to
// limit bytes, evicting the least recently used. Its index lives in memory
// and is rebuilt from the directory at start, the mtime standing for the
// last use.
type diskCache struct {
	dir   string
	limit int64
	now   func() time.Time

	mu    sync.Mutex
	items map[string]*cacheItem // by file name
	total int64
}

type cacheItem struct {
	id      string
	size    int64
	used    time.Time
	touched time.Time // the mtime on disk
}

func cacheName(k renderKey) string {
	return fmt.Sprintf("%s-%dx%d-%s.jpg", k.id, k.box.X, k.box.Y, renderVersion)
}

// parseCacheName recognises the files this cache writes: the photo id, and
// whether the name is of the current renderVersion. Temporary files are
// "<name>.<random>.tmp".
func parseCacheName(name string) (id string, current, ok bool) {
	tmp := false
	if base, _, found := strings.Cut(name, ".jpg."); found && strings.HasSuffix(name, ".tmp") {
		name, tmp = base+".jpg", true
	}
	id, rest, found := strings.Cut(name, "-")
	if !found || !isID(id) {
		return "", false, false
	}
	var w, h, v int
	if n, err := fmt.Sscanf(rest, "%dx%d-v%d.jpg", &w, &h, &v); n != 3 || err != nil ||
		fmt.Sprintf("%dx%d-v%d.jpg", w, h, v) != rest {
		return "", false, false
	}
	return id, !tmp && "v"+strconv.Itoa(v) == renderVersion, true
}

// openCache indexes dir, creating it if needed. Leftover temporary files
// and files of an older renderVersion are removed; other files are left
// alone.
func openCache(dir string, limit int64, now func() time.Time) (*diskCache, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("photos: cache dir: %w", err)
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("photos: cache dir: %w", err)
	}
	c := &diskCache{dir: dir, limit: limit, now: now, items: map[string]*cacheItem{}}
	for _, de := range des {
		name := de.Name()
		if !de.Type().IsRegular() {
			continue
		}
		id, current, ok := parseCacheName(name)
		if !ok {
			continue // not ours
		}
		if !current {
			os.Remove(filepath.Join(dir, name))
			continue
		}
		fi, err := de.Info()
		if err != nil {
			continue
		}
		c.items[name] = &cacheItem{id: id, size: fi.Size(), used: fi.ModTime(), touched: fi.ModTime()}
		c.total += fi.Size()
	}
	c.mu.Lock()
	c.evictLocked()
	c.mu.Unlock()
	return c, nil
}

// get returns the cached file, marking it used.
func (c *diskCache) get(name string) ([]byte, bool) {
	c.mu.Lock()
	it := c.items[name]
	c.mu.Unlock()
	if it == nil {
		return nil, false
	}
	data, err := os.ReadFile(filepath.Join(c.dir, name))
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		if c.items[name] == it { // deleted behind our back
			delete(c.items, name)
			c.total -= it.size
		}
		return nil, false
	}
	now := c.now()
	it.used = now
	if now.Sub(it.touched) >= touchEvery || now.Before(it.touched) {
		os.Chtimes(filepath.Join(c.dir, name), now, now)
		it.touched = now
	}
	return data, true
}

func (c *diskCache) has(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.items[name] != nil
}

// put stores data under name (write to a temporary file, then rename) and
// evicts the least recently used files over the limit.
func (c *diskCache) put(name, id string, data []byte) error {
	f, err := os.CreateTemp(c.dir, name+".*.tmp")
	if err != nil {
		return fmt.Errorf("photos: cache write: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(c.dir, name))
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("photos: cache write: %w", err)
	}
	now := c.now()
	os.Chtimes(filepath.Join(c.dir, name), now, now) // the LRU clock, on disk
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.items[name]; old != nil {
		c.total -= old.size
	}
	c.items[name] = &cacheItem{id: id, size: int64(len(data)), used: now, touched: now}
	c.total += int64(len(data))
	c.evictLocked()
	return nil
}

// evictLocked removes the least recently used files until the total fits.
func (c *diskCache) evictLocked() {
	if c.total <= c.limit {
		return
	}
	names := make([]string, 0, len(c.items))
	for name := range c.items {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(c.items[a].used.Compare(c.items[b].used), strings.Compare(a, b))
	})
	for _, name := range names {
		if c.total <= c.limit {
			break
		}
		c.removeLocked(name)
	}
}

func (c *diskCache) removeLocked(name string) {
	it := c.items[name]
	delete(c.items, name)
	c.total -= it.size
	os.Remove(filepath.Join(c.dir, name))
}

// retain removes the files of photos for which keep is false: photos gone
// from the folder, or changed (a changed file has a new id).
func (c *diskCache) retain(keep func(id string) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, it := range c.items {
		if !keep(it.id) {
			c.removeLocked(name)
		}
	}
}

func (c *diskCache) size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}
