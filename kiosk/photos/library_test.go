package photos

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestOrientation(t *testing.T) {
	// Where the red block sits in the stored pixels for the picture to show
	// it top left once turned, per the EXIF orientation table (row 0 and
	// column 0 of the stored image are the visual ...):
	tests := []struct {
		orientation int
		stored      int // corner
		sideways    bool
	}{
		{1, topLeft, false},     // top, left
		{2, topRight, false},    // top, right
		{3, bottomRight, false}, // bottom, right
		{4, bottomLeft, false},  // bottom, left
		{5, topLeft, true},      // left, top
		{6, bottomLeft, true},   // right, top
		{7, bottomRight, true},  // right, bottom
		{8, topRight, true},     // left, bottom
	}
	f := newFixture(t, Options{})
	for _, tt := range tests {
		w, h := 120, 80
		if tt.sideways {
			w, h = h, w
		}
		name := fmt.Sprintf("o%d.jpg", tt.orientation)
		writeFile(t, filepath.Join(f.dir, name), jpegBytes(t, marked(w, h, tt.stored), exifFor(tt.orientation, "", "")))
	}
	f.rescan(t)
	for _, tt := range tests {
		for _, size := range []struct {
			query string
			want  image.Point
		}{
			{"", image.Pt(120, 80)},            // fits: full size, upright
			{"?w=80&h=80", image.Pt(80, 53)},   // shrunk inside 80×80
			{"?w=2000&h=40", image.Pt(60, 40)}, // height bound
		} {
			t.Run(fmt.Sprintf("orientation %d%s", tt.orientation, size.query), func(t *testing.T) {
				id := f.idOf(t, fmt.Sprintf("o%d.jpg", tt.orientation))
				code, body, _ := f.get(t, "/photos/"+id+".jpg"+size.query)
				if code != 200 {
					t.Fatalf("status %d", code)
				}
				m := decodeJPEG(t, body)
				if got := m.Bounds().Size(); got != size.want {
					t.Errorf("size = %v, want %v", got, size.want)
				}
				if got := redCorner(t, m); got != topLeft {
					t.Errorf("red block in corner %d, want top left (%d)", got, topLeft)
				}
			})
		}
	}
}

// TestIndex covers what is listed and what is left out.
func TestIndex(t *testing.T) {
	f := newFixture(t, Options{})
	outside := t.TempDir()
	img := jpegBytes(t, marked(64, 48, topLeft), nil)
	writeFile(t, filepath.Join(f.dir, "landscape.jpg"), img)
	writeFile(t, filepath.Join(f.dir, "portrait.JPEG"), jpegBytes(t, marked(48, 64, topLeft), nil))
	writeFile(t, filepath.Join(f.dir, "2024", "summer", "nested.jpg"), img)
	writeFile(t, filepath.Join(f.dir, "no-extension"), img) // by content
	writeFile(t, filepath.Join(f.dir, "lossless.webp"), webpSolid(7, 5, orange))
	var gifBuf, pngBuf bytes.Buffer
	writeGIF(t, &gifBuf)
	writeFile(t, filepath.Join(f.dir, "anim.gif"), gifBuf.Bytes())
	writePNG(t, &pngBuf, image.NewNRGBA(image.Rect(0, 0, 8, 8)))
	writeFile(t, filepath.Join(f.dir, "clear.png"), pngBuf.Bytes())
	writeFile(t, filepath.Join(f.dir, "notes.jpg"), []byte("this is a text file, not a photo\n"))
	writeFile(t, filepath.Join(f.dir, "corrupt.jpg"), append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 16}, bytes.Repeat([]byte{0xAB}, 40)...))
	writeFile(t, filepath.Join(f.dir, "IMG_0001.HEIC"), []byte("\x00\x00\x00\x18ftypheic"))
	writeFile(t, filepath.Join(f.dir, "readme.txt"), []byte("ignored quietly\n"))
	writeFile(t, filepath.Join(f.dir, "clip.mov"), []byte("\x00\x00\x00\x14ftypqt  "))
	writeFile(t, filepath.Join(f.dir, ".hidden.jpg"), img)
	writeFile(t, filepath.Join(f.dir, ".thumbnails", "t.jpg"), img)
	writeFile(t, filepath.Join(outside, "secret.jpg"), img)
	mustSymlink(t, filepath.Join(outside, "secret.jpg"), filepath.Join(f.dir, "escape.jpg"))
	mustSymlink(t, outside, filepath.Join(f.dir, "linked-folder"))
	mustSymlink(t, "landscape.jpg", filepath.Join(f.dir, "alias.jpg")) // same file again
	mustSymlink(t, "2024/summer/nested.jpg", filepath.Join(f.dir, "link-inside.jpg"))
	mustSymlink(t, "missing.jpg", filepath.Join(f.dir, "dangling.jpg"))

	f.rescan(t)
	var got []string
	for _, p := range f.lib.List() {
		got = append(got, f.lib.lookup(p.ID).rel)
	}
	slices.Sort(got)
	want := []string{"2024/summer/nested.jpg", "anim.gif", "clear.png", "landscape.jpg", "lossless.webp", "no-extension", "portrait.JPEG"}
	if !slices.Equal(got, want) {
		t.Errorf("listed %q\nwant %q", got, want)
	}
	skipped := []string{"notes.jpg", "corrupt.jpg", "IMG_0001.HEIC", "escape.jpg", "dangling.jpg"}
	if st := f.lib.Status(); st.Indexed != len(want) || st.Skipped != len(skipped) || st.Error != "" || st.Scanned == nil {
		t.Errorf("Status() = %+v, want %d indexed, %d skipped, no error, a scan time", st, len(want), len(skipped))
	}

	// Each skipped file is logged once, over any number of scans.
	f.rescan(t)
	f.rescan(t)
	logs := f.logs.String()
	for _, name := range skipped {
		if n := strings.Count(logs, "file="+name+" "); n != 1 {
			t.Errorf("%s logged %d times, want once:\n%s", name, n, logs)
		}
	}
	for _, name := range []string{"readme.txt", "clip.mov", "hidden", "thumbnails", "secret"} {
		if strings.Contains(logs, name) {
			t.Errorf("log mentions %s:\n%s", name, logs)
		}
	}

	// The symlink leading out is not served, even by its would-be id.
	fi, err := os.Stat(filepath.Join(outside, "secret.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if code, _, _ := f.get(t, "/photos/"+makeID("escape.jpg", fi.Size(), fi.ModTime())+".jpg"); code != 404 {
		t.Errorf("escaping symlink served with %d, want 404", code)
	}
}

func mustSymlink(t *testing.T, oldname, newname string) {
	t.Helper()
	if err := os.Symlink(oldname, newname); err != nil {
		t.Fatal(err)
	}
}

func TestFormats(t *testing.T) {
	f := newFixture(t, Options{})
	var gifBuf, pngBuf bytes.Buffer
	writeGIF(t, &gifBuf)
	writeFile(t, filepath.Join(f.dir, "anim.gif"), gifBuf.Bytes())
	alpha := image.NewNRGBA(image.Rect(0, 0, 40, 10))
	for x := range 40 {
		for y := range 10 {
			switch {
			case x < 10: // transparent white: black once flattened
				alpha.SetNRGBA(x, y, color.NRGBA{255, 255, 255, 0})
			case x < 20: // half-transparent white: mid grey
				alpha.SetNRGBA(x, y, color.NRGBA{255, 255, 255, 128})
			default:
				alpha.SetNRGBA(x, y, color.NRGBA{0, 200, 0, 255})
			}
		}
	}
	writePNG(t, &pngBuf, alpha)
	writeFile(t, filepath.Join(f.dir, "alpha.png"), pngBuf.Bytes())
	writeFile(t, filepath.Join(f.dir, "solid.webp"), webpSolid(7, 5, orange))
	f.rescan(t)

	tests := []struct {
		file  string
		size  image.Point
		probe map[image.Point]color.RGBA
	}{
		{"anim.gif", image.Pt(20, 10), map[image.Point]color.RGBA{{10, 5}: red}}, // first frame only
		{"alpha.png", image.Pt(40, 10), map[image.Point]color.RGBA{{5, 5}: {0, 0, 0, 255}, {15, 5}: {128, 128, 128, 255}, {30, 5}: green}},
		{"solid.webp", image.Pt(7, 5), map[image.Point]color.RGBA{{3, 2}: {255, 128, 0, 255}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			code, body, h := f.get(t, "/photos/"+f.idOf(t, tt.file)+".jpg")
			if code != 200 || h["Content-Type"] != "image/jpeg" {
				t.Fatalf("status %d, type %q", code, h["Content-Type"])
			}
			m := decodeJPEG(t, body)
			if got := m.Bounds().Size(); got != tt.size {
				t.Errorf("size = %v, want %v", got, tt.size)
			}
			for p, want := range tt.probe {
				got := color.RGBAModel.Convert(m.At(p.X, p.Y)).(color.RGBA)
				if absDiff(got.R, want.R) > 12 || absDiff(got.G, want.G) > 12 || absDiff(got.B, want.B) > 12 {
					t.Errorf("pixel %v = %v, want about %v", p, got, want)
				}
			}
		})
	}
}

func TestTaken(t *testing.T) {
	f := newFixture(t, Options{})
	m := marked(32, 24, topLeft)
	writeFile(t, filepath.Join(f.dir, "a.jpg"), jpegBytes(t, m, exifFor(1, "2024:05:01 14:30:00", "")))
	writeFile(t, filepath.Join(f.dir, "b.jpg"), jpegBytes(t, m, exifFor(1, "2025:12:24 19:05:31", "+01:00")))
	writeFile(t, filepath.Join(f.dir, "c.jpg"), jpegBytes(t, m, nil))
	writeFile(t, filepath.Join(f.dir, "d.jpg"), jpegBytes(t, m, []byte("garbage, not TIFF"))) // still shown
	f.rescan(t)
	code, body, h := f.get(t, "/api/photos")
	if code != 200 || h["Cache-Control"] != "no-store" {
		t.Fatalf("status %d, Cache-Control %q", code, h["Cache-Control"])
	}
	var list []map[string]any
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"a.jpg": "2024-05-01T14:30:00+09:00",
		"b.jpg": "2025-12-25T03:05:31+09:00",
		"c.jpg": nil,
		"d.jpg": nil,
	}
	if len(list) != len(want) {
		t.Fatalf("got %d photos, want %d: %s", len(list), len(want), body)
	}
	for _, p := range list {
		id, _ := p["id"].(string)
		rel := f.lib.lookup(id).rel
		if got := p["taken"]; got != want[rel] {
			t.Errorf("%s taken = %v, want %v", rel, got, want[rel])
		}
		if got := p["url"]; got != "/photos/"+id+".jpg" {
			t.Errorf("%s url = %v, want /photos/%s.jpg", rel, got, id)
		}
		if len(p) != 3 {
			t.Errorf("%s has fields %v, want id, url, taken", rel, p)
		}
	}
}

func TestEmptyListIsArray(t *testing.T) {
	f := newFixture(t, Options{})
	f.rescan(t)
	if _, body, _ := f.get(t, "/api/photos"); string(body) != "[]" {
		t.Errorf("body = %s, want []", body)
	}
}

func TestPathSafety(t *testing.T) {
	f := newFixture(t, Options{})
	writeFile(t, filepath.Join(f.dir, "a.jpg"), jpegBytes(t, marked(32, 24, topLeft), nil))
	writeFile(t, filepath.Join(filepath.Dir(f.dir), "passwd.jpg"), jpegBytes(t, marked(32, 24, topLeft), nil))
	f.rescan(t)
	for _, path := range []string{
		"/photos/..%2f..%2fetc%2fpasswd.jpg",
		"/photos/..%2fpasswd.jpg",
		"/photos/%2fetc%2fpasswd.jpg",
		"/photos//etc/passwd.jpg",
		"/photos/../../etc/passwd.jpg",
		"/photos/" + strings.Repeat("0", 20) + ".jpg", // well-formed, unknown
		"/photos/a.jpg",
		"/photos/" + f.dir + "/a.jpg",
		"/photos/" + strings.ToUpper(f.idOf(t, "a.jpg")) + ".jpg",
	} {
		t.Run(path, func(t *testing.T) {
			if code, body, _ := f.get(t, path); code != 404 {
				t.Errorf("status %d (%d bytes), want 404", code, len(body))
			}
		})
	}
	if code, _, _ := f.get(t, "/photos/"+f.idOf(t, "a.jpg")+".jpg"); code != 200 {
		t.Errorf("the real photo: status %d, want 200", code)
	}
}

func TestCacheAndETag(t *testing.T) {
	f := newFixture(t, Options{})
	writeFile(t, filepath.Join(f.dir, "a.jpg"), jpegBytes(t, marked(400, 300, topLeft), nil))
	f.rescan(t)
	url := "/photos/" + f.idOf(t, "a.jpg") + ".jpg?w=200&h=200"

	code, first, h := f.get(t, url)
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	etag := h["Etag"]
	if etag == "" || h["Cache-Control"] != "public, max-age=86400" {
		t.Errorf("ETag %q, Cache-Control %q", etag, h["Cache-Control"])
	}
	if got := decodeJPEG(t, first).Bounds().Size(); got != image.Pt(200, 150) {
		t.Errorf("size = %v, want 200x150", got)
	}
	if n := f.lib.decodes.Load(); n != 1 {
		t.Errorf("%d decodes after the first request, want 1", n)
	}
	files, _ := filepath.Glob(filepath.Join(f.cache, "*.jpg"))
	if len(files) != 1 {
		t.Errorf("cache holds %v, want one file", files)
	}

	code, second, h2 := f.get(t, url)
	if code != 200 || !bytes.Equal(second, first) || h2["Etag"] != etag {
		t.Errorf("second request: status %d, same body %v, ETag %q", code, bytes.Equal(second, first), h2["Etag"])
	}
	// A window a few pixels off maps to the same rendering.
	if code, third, _ := f.get(t, strings.Replace(url, "w=200", "w=195", 1)); code != 200 || !bytes.Equal(third, first) {
		t.Errorf("nearby size: status %d, same body %v", code, bytes.Equal(third, first))
	}
	if n := f.lib.decodes.Load(); n != 1 {
		t.Errorf("%d decodes after cached requests, want 1", n)
	}

	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		if code, body, h := f.get(t, url, "If-None-Match", inm); code != 304 || len(body) != 0 || h["Etag"] != etag {
			t.Errorf("If-None-Match %s: status %d, %d bytes, ETag %q; want 304, empty, %s", inm, code, len(body), h["Etag"], etag)
		}
	}
	if code, _, _ := f.get(t, url, "If-None-Match", `"other"`); code != 200 {
		t.Errorf("stale If-None-Match: status %d, want 200", code)
	}
	if code, _, h := f.get(t, strings.Replace(url, "w=200", "w=240", 1), "If-None-Match", etag); code != 200 || h["Etag"] == etag {
		t.Errorf("other size with the first ETag: status %d, ETag %q", code, h["Etag"])
	}

	// The cache survives a restart: a new library over the same folder.
	lib2, err := New(Options{Dir: f.dir, CacheDir: f.cache, Now: f.lib.now})
	if err != nil {
		t.Fatal(err)
	}
	defer lib2.Close()
	if err := lib2.Rescan(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := lib2.image(t.Context(), renderKey{id: f.idOf(t, "a.jpg"), box: box(200, 200)}); err != nil {
		t.Fatal(err)
	}
	if n := lib2.decodes.Load(); n != 0 {
		t.Errorf("%d decodes after a restart, want 0", n)
	}
}

func TestConcurrentRequestsDecodeOnce(t *testing.T) {
	f := newFixture(t, Options{})
	writeFile(t, filepath.Join(f.dir, "a.jpg"), jpegBytes(t, marked(800, 600, topLeft), nil))
	f.rescan(t)
	url := "/photos/" + f.idOf(t, "a.jpg") + ".jpg?w=320&h=240"
	var wg sync.WaitGroup
	bodies := make([][]byte, 8)
	for i := range bodies {
		wg.Go(func() {
			code, body, _ := f.get(t, url)
			if code != 200 {
				t.Errorf("status %d", code)
			}
			bodies[i] = body
		})
	}
	wg.Wait()
	if n := f.lib.decodes.Load(); n != 1 {
		t.Errorf("%d decodes for %d concurrent requests, want 1", n, len(bodies))
	}
	for i, b := range bodies {
		if !bytes.Equal(b, bodies[0]) {
			t.Errorf("response %d differs", i)
		}
	}
}

func TestPrepare(t *testing.T) {
	f := newFixture(t, Options{})
	writeFile(t, filepath.Join(f.dir, "a.jpg"), jpegBytes(t, marked(400, 300, topLeft), nil))
	writeFile(t, filepath.Join(f.dir, "b.jpg"), jpegBytes(t, marked(400, 300, topLeft), nil))
	f.rescan(t)
	a, b := f.idOf(t, "a.jpg"), f.idOf(t, "b.jpg")

	f.lib.Prepare(a, 200, 200)
	f.lib.Prepare(strings.Repeat("0", 20), 200, 200) // unknown: ignored
	f.waitIdle(t)
	if n := f.lib.decodes.Load(); n != 1 {
		t.Fatalf("%d decodes after Prepare, want 1", n)
	}
	// Serving a prepares b, the next in the list, by itself.
	if code, _, _ := f.get(t, "/photos/"+a+".jpg?w=200&h=200"); code != 200 {
		t.Fatalf("status %d", code)
	}
	f.waitIdle(t)
	if !f.lib.cache.has(cacheName(renderKey{id: b, box: box(200, 200)})) {
		t.Error("the next photo was not prepared after serving one")
	}
	if code, _, _ := f.get(t, "/photos/"+b+".jpg?w=200&h=200"); code != 200 {
		t.Fatalf("status %d", code)
	}
	f.waitIdle(t)
	if n := f.lib.decodes.Load(); n != 2 {
		t.Errorf("%d decodes, want 2 (one per photo, both prepared)", n)
	}
}

func TestQueuePriority(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var order []string
	q := newRenderQueue(func(k renderKey) ([]byte, error) {
		if k.id == "first" {
			<-release
		}
		mu.Lock()
		order = append(order, k.id)
		mu.Unlock()
		return []byte(k.id), nil
	})
	defer q.close()
	first := q.submit(renderKey{id: "first"}, false) // runs, blocked
	for queued(q) > 0 {
		time.Sleep(time.Millisecond) // until the worker holds it
	}
	bg := []*job{q.submit(renderKey{id: "bg1"}, false), q.submit(renderKey{id: "bg2"}, false)}
	urgent := q.submit(renderKey{id: "now"}, true)
	promoted := q.submit(renderKey{id: "bg2"}, true) // joins bg2 and moves it up
	if promoted != bg[1] {
		t.Error("a second submit of a queued key made a new job")
	}
	accepted := 0
	for q.submit(renderKey{id: fmt.Sprint("more", accepted)}, false) != nil {
		accepted++
	}
	if want := maxPrepared - 1; accepted != want { // bg1 waits too
		t.Errorf("%d more background jobs accepted, want %d", accepted, want)
	}
	close(release)
	for _, j := range append(bg, first, urgent) {
		<-j.done
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"first", "now", "bg2", "bg1"}; !slices.Equal(order[:4], want) {
		t.Errorf("order %v, want %v first", order, want)
	}
}

func queued(q *renderQueue) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.queue)
}

func TestCorruptAfterIndexing(t *testing.T) {
	f := newFixture(t, Options{})
	full := jpegBytes(t, marked(400, 300, topLeft), nil)
	writeFile(t, filepath.Join(f.dir, "truncated.jpg"), full[:len(full)/2]) // header fine, data cut
	writeFile(t, filepath.Join(f.dir, "ok.jpg"), full)
	f.rescan(t)
	id := f.idOf(t, "truncated.jpg")
	if code, _, _ := f.get(t, "/photos/"+id+".jpg"); code != 404 {
		t.Errorf("truncated photo: status %d, want 404", code)
	}
	f.rescan(t)
	if list := f.lib.List(); len(list) != 1 || list[0].ID == id {
		t.Errorf("list after a failed decode = %v, want only ok.jpg", list)
	}
	if st := f.lib.Status(); st.Indexed != 1 || st.Skipped != 1 {
		t.Errorf("Status() = %+v, want 1 indexed, 1 skipped", st)
	}
	if n := strings.Count(f.logs.String(), "file=truncated.jpg"); n != 1 {
		t.Errorf("logged %d times, want once", n)
	}
	// Fixed: a new file, a new id, back in the list.
	f.now = f.now.Add(time.Minute)
	writeFile(t, filepath.Join(f.dir, "truncated.jpg"), full)
	os.Chtimes(filepath.Join(f.dir, "truncated.jpg"), f.now, f.now)
	f.rescan(t)
	if st := f.lib.Status(); st.Indexed != 2 || st.Skipped != 0 {
		t.Errorf("Status() after the fix = %+v, want 2 indexed, 0 skipped", st)
	}
}

func TestTooBigToDecode(t *testing.T) {
	f := newFixture(t, Options{MaxDecodeBytes: 10_000})
	writeFile(t, filepath.Join(f.dir, "big.jpg"), jpegBytes(t, marked(200, 100, topLeft), nil)) // 30 000 samples
	writeFile(t, filepath.Join(f.dir, "small.jpg"), jpegBytes(t, marked(40, 30, topLeft), nil))
	f.rescan(t)
	if st := f.lib.Status(); st.Indexed != 1 || st.Skipped != 1 {
		t.Errorf("Status() = %+v, want 1 indexed, 1 skipped", st)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "file=big.jpg") || !strings.Contains(logs, "limit") {
		t.Errorf("log does not explain big.jpg:\n%s", logs)
	}
}

func TestRescanChanges(t *testing.T) {
	f := newFixture(t, Options{})
	img := jpegBytes(t, marked(400, 300, topLeft), nil)
	writeFile(t, filepath.Join(f.dir, "a.jpg"), img)
	writeFile(t, filepath.Join(f.dir, "b.jpg"), img)
	f.rescan(t)
	a, b := f.idOf(t, "a.jpg"), f.idOf(t, "b.jpg")
	f.get(t, "/photos/"+a+".jpg?w=200&h=200")
	f.waitIdle(t) // b prepared too

	if err := os.Remove(filepath.Join(f.dir, "a.jpg")); err != nil {
		t.Fatal(err)
	}
	// Removed but not rescanned yet: 404, not an error.
	if code, _, _ := f.get(t, "/photos/"+a+".jpg?w=400&h=400"); code != 404 {
		t.Errorf("removed photo before rescan: status %d, want 404", code)
	}
	writeFile(t, filepath.Join(f.dir, "new", "c.jpg"), img)
	f.rescan(t)
	var got []string
	for _, p := range f.lib.List() {
		got = append(got, f.lib.lookup(p.ID).rel)
	}
	slices.Sort(got)
	if want := []string{"b.jpg", "new/c.jpg"}; !slices.Equal(got, want) {
		t.Errorf("after rescan: %v, want %v", got, want)
	}
	if code, _, _ := f.get(t, "/photos/"+a+".jpg"); code != 404 {
		t.Errorf("removed photo: status %d, want 404", code)
	}
	if f.idOf(t, "b.jpg") != b {
		t.Error("an unchanged file changed id")
	}
	files, _ := filepath.Glob(filepath.Join(f.cache, a+"-*"))
	if len(files) != 0 {
		t.Errorf("renders of the removed photo kept: %v", files)
	}

	// A changed file gets a new id.
	f.now = f.now.Add(time.Hour)
	writeFile(t, filepath.Join(f.dir, "b.jpg"), jpegBytes(t, marked(300, 400, topLeft), nil))
	os.Chtimes(filepath.Join(f.dir, "b.jpg"), f.now, f.now)
	f.rescan(t)
	if nb := f.idOf(t, "b.jpg"); nb == b {
		t.Error("a changed file kept its id")
	}
}

func TestScanErrorKeepsIndex(t *testing.T) {
	f := newFixture(t, Options{})
	writeFile(t, filepath.Join(f.dir, "a.jpg"), jpegBytes(t, marked(40, 30, topLeft), nil))
	f.rescan(t)
	aside := f.dir + ".away"
	if err := os.Rename(f.dir, aside); err != nil {
		t.Fatal(err)
	}
	err := f.lib.Rescan(t.Context())
	if err == nil || !strings.HasPrefix(err.Error(), "photos: scan ") {
		t.Fatalf("Rescan() = %v, want a photos: scan error", err)
	}
	if st := f.lib.Status(); st.Indexed != 1 || st.Error != err.Error() {
		t.Errorf("Status() = %+v, want the old index and the error", st)
	}
	os.Rename(aside, f.dir)
	f.rescan(t)
	if st := f.lib.Status(); st.Error != "" {
		t.Errorf("error kept after a good scan: %q", st.Error)
	}
}

func TestClose(t *testing.T) {
	f := newFixture(t, Options{})
	writeFile(t, filepath.Join(f.dir, "a.jpg"), jpegBytes(t, marked(40, 30, topLeft), nil))
	f.rescan(t)
	url := "/photos/" + f.idOf(t, "a.jpg") + ".jpg"
	f.get(t, url)
	f.lib.Close()
	if code, _, _ := f.get(t, url); code != 200 {
		t.Errorf("cached after Close: status %d, want 200", code)
	}
	if code, _, h := f.get(t, url+"?w=40&h=40"); code != 503 || h["Retry-After"] == "" {
		t.Errorf("uncached after Close: status %d, Retry-After %q; want 503 with one", code, h["Retry-After"])
	}
}

func TestCycle(t *testing.T) {
	for _, shuffle := range []bool{true, false} {
		t.Run(fmt.Sprint("shuffle=", shuffle), func(t *testing.T) {
			f := newFixture(t, Options{Shuffle: shuffle, Seed: 42})
			img := jpegBytes(t, marked(40, 30, topLeft), nil)
			for i := range 8 {
				writeFile(t, filepath.Join(f.dir, fmt.Sprintf("p%d.jpg", i)), img)
			}
			f.rescan(t)
			ids := func() []string {
				var out []string
				for _, p := range f.lib.List() {
					out = append(out, p.ID)
				}
				return out
			}
			first := ids()
			if again := ids(); !slices.Equal(again, first) {
				t.Fatal("List order changed between calls")
			}
			if sorted := slices.IsSortedFunc(first, func(a, b string) int {
				return strings.Compare(f.lib.lookup(a).rel, f.lib.lookup(b).rel)
			}); sorted == shuffle {
				t.Errorf("order sorted by path = %v with shuffle %v", sorted, shuffle)
			}
			// Show always the head of the list, as the page does: every photo
			// once per cycle, in the order listed.
			var shown []string
			for range 8 {
				head := ids()[0]
				f.lib.served(head)
				shown = append(shown, head)
			}
			if !slices.Equal(shown, first) {
				t.Errorf("shown %v\nwant the listed order %v", shown, first)
			}
			second := ids()
			if shuffle && (second[0] == shown[7] || slices.Equal(second, first)) {
				t.Errorf("second cycle %v starts with the last shown or repeats the first", second)
			}
			if !shuffle && !slices.Equal(second, first) {
				t.Errorf("second cycle %v, want the path order again", second)
			}
			// A photo added mid-cycle is shown within it.
			f.lib.served(second[0])
			f.lib.served(second[1])
			writeFile(t, filepath.Join(f.dir, "late.jpg"), img)
			f.rescan(t)
			late := f.idOf(t, "late.jpg")
			rest := ids()[:7]
			if !slices.Contains(rest, late) {
				t.Errorf("late photo not among the 7 unseen: %v", rest)
			}
			for _, id := range rest {
				if id == second[0] || id == second[1] {
					t.Errorf("a photo seen this cycle is listed among the unseen")
				}
			}
		})
	}
}

func TestNewRefusesCacheInPhotoFolder(t *testing.T) {
	dir := t.TempDir()
	if _, err := New(Options{Dir: dir, CacheDir: dir}); err == nil {
		t.Error("New accepted the photo folder as cache dir")
	}
}

func TestCacheDirInsidePhotoFolderNotIndexed(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.jpg"), jpegBytes(t, marked(400, 300, topLeft), nil))
	lib, err := New(Options{Dir: dir, CacheDir: filepath.Join(dir, "cache")})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	for range 2 {
		if err := lib.Rescan(t.Context()); err != nil {
			t.Fatal(err)
		}
		if _, err := lib.image(t.Context(), renderKey{id: lib.List()[0].ID, box: box(100, 100)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(lib.List()); n != 1 {
		t.Errorf("%d photos listed, want 1 (renders not indexed)", n)
	}
}

// Rescans run from a job while requests come in; a failed decode during a
// scan must neither race with it nor come back.
func TestRescanWhileServing(t *testing.T) {
	f := newFixture(t, Options{Shuffle: true})
	full := jpegBytes(t, marked(200, 150, topLeft), nil)
	for i := range 4 {
		writeFile(t, filepath.Join(f.dir, fmt.Sprintf("p%d.jpg", i)), full)
	}
	writeFile(t, filepath.Join(f.dir, "truncated.jpg"), full[:len(full)/2])
	f.rescan(t)
	bad := f.idOf(t, "truncated.jpg")
	var wg sync.WaitGroup
	wg.Go(func() {
		for range 20 {
			if err := f.lib.Rescan(t.Context()); err != nil {
				t.Error(err)
			}
		}
	})
	for _, p := range f.lib.List() {
		wg.Go(func() {
			f.get(t, p.URL+"?w=100&h=100")
			f.lib.Status()
			f.lib.List()
		})
	}
	wg.Wait()
	f.waitIdle(t)
	f.rescan(t)
	for _, p := range f.lib.List() {
		if p.ID == bad {
			t.Error("the photo that failed to decode is listed again")
		}
	}
	if st := f.lib.Status(); st.Indexed != 4 || st.Skipped != 1 {
		t.Errorf("Status() = %+v, want 4 indexed, 1 skipped", st)
	}
}
