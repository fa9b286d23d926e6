package photos

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func key(c byte, w int) renderKey {
	return renderKey{id: strings.Repeat(string(c), 20), box: box(w, w)}
}

func cachedNames(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestDiskCacheLRU(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, seoul)
	clock := func() time.Time { return now }
	c, err := openCache(dir, 300, clock)
	if err != nil {
		t.Fatal(err)
	}
	a, b, d, e := key('a', 400), key('b', 400), key('d', 400), key('e', 400)
	for _, k := range []renderKey{a, b, d} {
		if err := c.put(cacheName(k), k.id, make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	if _, ok := c.get(cacheName(a)); !ok { // a is now the most recent
		t.Fatal("a missing")
	}
	now = now.Add(time.Minute)
	if err := c.put(cacheName(e), e.id, make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[renderKey]bool{a: true, b: false, d: true, e: true} {
		if got := c.has(cacheName(k)); got != want {
			t.Errorf("has(%s) = %v, want %v", k.id[:1], got, want)
		}
	}
	if got := c.size(); got != 300 {
		t.Errorf("size() = %d, want 300", got)
	}
	if _, err := os.Stat(filepath.Join(dir, cacheName(b))); !os.IsNotExist(err) {
		t.Errorf("evicted file still on disk: %v", err)
	}

	// Reopened, the order comes from the files' mtimes. The hit on a above
	// came within touchEvery of its write, so only this one, hours later,
	// reaches the disk; d is then the oldest use.
	now = now.Add(2 * time.Hour)
	if _, ok := c.get(cacheName(a)); !ok {
		t.Fatal("a missing")
	}
	c2, err := openCache(dir, 200, clock) // smaller budget: one must go
	if err != nil {
		t.Fatal(err)
	}
	if c2.has(cacheName(d)) || !c2.has(cacheName(a)) || !c2.has(cacheName(e)) {
		t.Errorf("after reopen with a smaller budget: files %v, want d evicted", cachedNames(t, dir))
	}

	c2.retain(func(id string) bool { return id != a.id })
	if got := cachedNames(t, dir); !slices.Equal(got, []string{cacheName(e)}) {
		t.Errorf("after retain: %v, want only e", got)
	}
}

func TestDiskCacheOpenCleansOnlyItsOwn(t *testing.T) {
	dir := t.TempDir()
	id := strings.Repeat("c", 20)
	keep := []string{
		id + "-1920x1080-" + renderVersion + ".jpg",
		"holiday.jpg",         // not ours
		"1920x1080.jpg",       // not ours
		id + "-big-v1.jpg",    // not ours
		"README",              // not ours
		id + "-40x40-v1.jpeg", // not ours
	}
	drop := []string{
		id + "-1920x1080-v0.jpg",                            // older render version
		id + "-1920x1080-" + renderVersion + ".jpg.123.tmp", // interrupted write
	}
	for _, name := range append(slices.Clone(keep), drop...) {
		writeFile(t, filepath.Join(dir, name), []byte("x"))
	}
	c, err := openCache(dir, DefaultCacheBytes, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	got := cachedNames(t, dir)
	slices.Sort(got)
	slices.Sort(keep)
	if !slices.Equal(got, keep) {
		t.Errorf("files after open: %q\nwant %q", got, keep)
	}
	if c.size() != 1 || !c.has(id+"-1920x1080-"+renderVersion+".jpg") {
		t.Errorf("indexed %d bytes, want the one current render", c.size())
	}
}

func TestParseCacheName(t *testing.T) {
	id := strings.Repeat("0", 19) + "f"
	tests := []struct {
		name          string
		wantID        string
		current, isOK bool
	}{
		{id + "-1920x1080-v1.jpg", id, true, true},
		{id + "-40x40-v2.jpg", id, false, true},
		{id + "-40x40-v1.jpg.99.tmp", id, false, true},
		{id + "-040x40-v1.jpg", "", false, false},
		{id + "-40x40-v1.jpg.tmp.x", "", false, false},
		{"ABC-40x40-v1.jpg", "", false, false},
		{id + "-40x40.jpg", "", false, false},
		{id, "", false, false},
	}
	for _, tt := range tests {
		id, current, ok := parseCacheName(tt.name)
		if id != tt.wantID || current != tt.current || ok != tt.isOK {
			t.Errorf("parseCacheName(%q) = %q, %v, %v; want %q, %v, %v", tt.name, id, current, ok, tt.wantID, tt.current, tt.isOK)
		}
	}
}
