package photos

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

var (
	red   = color.RGBA{255, 0, 0, 255}
	green = color.RGBA{0, 200, 0, 255}
	gray  = color.RGBA{128, 128, 128, 255}
	blue  = color.RGBA{0, 0, 255, 255}

	orange = color.NRGBA{255, 128, 0, 255}
)

// writeGIF writes a 20×10 GIF of two frames: red, then blue.
func writeGIF(t testing.TB, w io.Writer) {
	t.Helper()
	pal := color.Palette{red, blue}
	frame := func(i uint8) *image.Paletted {
		m := image.NewPaletted(image.Rect(0, 0, 20, 10), pal)
		for j := range m.Pix {
			m.Pix[j] = i
		}
		return m
	}
	g := &gif.GIF{Image: []*image.Paletted{frame(0), frame(1)}, Delay: []int{50, 50}}
	if err := gif.EncodeAll(w, g); err != nil {
		t.Fatal(err)
	}
}

func writePNG(t testing.TB, w io.Writer, m image.Image) {
	t.Helper()
	if err := png.Encode(w, m); err != nil {
		t.Fatal(err)
	}
}

// Corners, clockwise from the top left.
const (
	topLeft = iota
	topRight
	bottomRight
	bottomLeft
)

// marked is a w×h gray image with a red quarter-size block in one corner.
func marked(w, h, corner int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(m, m.Bounds(), image.NewUniform(gray), image.Point{}, draw.Src)
	bw, bh := w/4, h/4
	at := map[int]image.Point{topLeft: {0, 0}, topRight: {w - bw, 0}, bottomRight: {w - bw, h - bh}, bottomLeft: {0, h - bh}}[corner]
	draw.Draw(m, image.Rect(at.X, at.Y, at.X+bw, at.Y+bh), image.NewUniform(red), image.Point{}, draw.Src)
	return m
}

// redCorner returns which corner of m holds the red block, or -1.
func redCorner(t *testing.T, m image.Image) int {
	t.Helper()
	b := m.Bounds()
	dx, dy := b.Dx()/8, b.Dy()/8
	probes := map[int]image.Point{
		topLeft: {dx, dy}, topRight: {b.Dx() - 1 - dx, dy},
		bottomRight: {b.Dx() - 1 - dx, b.Dy() - 1 - dy}, bottomLeft: {dx, b.Dy() - 1 - dy},
	}
	found := -1
	for corner, p := range probes {
		if isRed(m.At(b.Min.X+p.X, b.Min.Y+p.Y)) {
			if found >= 0 {
				t.Fatalf("red in corners %d and %d", found, corner)
			}
			found = corner
		}
	}
	return found
}

func isRed(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r>>8 > 180 && g>>8 < 80 && b>>8 < 80
}

// tiffEntry is one IFD entry for exifBlock: a SHORT, LONG or ASCII value.
type tiffEntry struct {
	tag uint16
	val any // uint16, uint32 or string
}

// exifBlock builds a TIFF block: IFD0 with the given entries, and if
// sub is not nil an Exif IFD it points to.
func exifBlock(bo binary.ByteOrder, ifd0, sub []tiffEntry) []byte {
	if sub != nil {
		ifd0 = append(ifd0, tiffEntry{tag: tagExifIFD, val: uint32(0)}) // patched below
	}
	size := func(n int) int { return 2 + 12*n + 4 }
	off0 := 8
	offSub := off0 + size(len(ifd0))
	data := offSub
	if sub != nil {
		data += size(len(sub))
	}
	out := make([]byte, data)
	var extra []byte
	if bo == binary.ByteOrder(binary.LittleEndian) {
		copy(out, "II")
	} else {
		copy(out, "MM")
	}
	bo.PutUint16(out[2:], 42)
	bo.PutUint32(out[4:], uint32(off0))
	write := func(at int, es []tiffEntry) {
		bo.PutUint16(out[at:], uint16(len(es)))
		for i, e := range es {
			p := out[at+2+12*i:]
			bo.PutUint16(p, e.tag)
			switch v := e.val.(type) {
			case uint16:
				bo.PutUint16(p[2:], 3)
				bo.PutUint32(p[4:], 1)
				bo.PutUint16(p[8:], v)
			case uint32:
				bo.PutUint16(p[2:], 4)
				bo.PutUint32(p[4:], 1)
				if e.tag == tagExifIFD {
					v = uint32(offSub)
				}
				bo.PutUint32(p[8:], v)
			case string:
				s := append([]byte(v), 0)
				bo.PutUint16(p[2:], 2)
				bo.PutUint32(p[4:], uint32(len(s)))
				if len(s) <= 4 {
					copy(p[8:12], s)
				} else {
					bo.PutUint32(p[8:], uint32(data+len(extra)))
					extra = append(extra, s...)
				}
			}
		}
	}
	write(off0, ifd0)
	if sub != nil {
		write(offSub, sub)
	}
	return append(out, extra...)
}

// exifFor is the usual camera block: orientation in IFD0, the date (and
// offset, if any) in the Exif IFD. Zero values are left out.
func exifFor(orientation int, taken, offset string) []byte {
	var ifd0, sub []tiffEntry
	if orientation != 0 {
		ifd0 = append(ifd0, tiffEntry{tagOrientation, uint16(orientation)})
	}
	if taken != "" {
		sub = append(sub, tiffEntry{tagDateTimeOriginal, taken})
	}
	if offset != "" {
		sub = append(sub, tiffEntry{tagOffsetTimeOriginal, offset})
	}
	return exifBlock(binary.BigEndian, ifd0, sub)
}

// jpegBytes encodes m, inserting an APP1 Exif segment holding tiff (if not
// nil) after the start of image.
func jpegBytes(t testing.TB, m image.Image, tiff []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if tiff == nil {
		return b
	}
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := append([]byte{0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}, seg...)
	return append(append(append([]byte{}, b[:2]...), app1...), b[2:]...)
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// webpSolid is a hand-made lossless WebP (VP8L) of w×h pixels of one
// colour: every prefix code has a single symbol, so the pixels take no
// bits at all.
func webpSolid(w, h int, c color.NRGBA) []byte {
	var bw bitWriter
	bw.write(uint32(w-1), 14)
	bw.write(uint32(h-1), 14)
	bw.write(0, 1)                                     // alpha_is_used: a hint only
	bw.write(0, 3)                                     // version
	bw.write(0, 1)                                     // no transform
	bw.write(0, 1)                                     // no colour cache
	bw.write(0, 1)                                     // no meta prefix codes
	for _, v := range []uint8{c.G, c.R, c.B, c.A, 0} { // green, red, blue, alpha, distance
		bw.write(1, 1) // simple code
		bw.write(0, 1) // one symbol
		bw.write(1, 1) // of 8 bits
		bw.write(uint32(v), 8)
	}
	data := append([]byte{0x2f}, bw.bytes()...)
	if len(data)%2 == 1 {
		data = append(data, 0)
	}
	chunk := binary.LittleEndian.AppendUint32([]byte("VP8L"), uint32(len(data)))
	chunk = append(chunk, data...)
	out := binary.LittleEndian.AppendUint32([]byte("RIFF"), uint32(4+len(chunk)))
	return append(append(out, "WEBP"...), chunk...)
}

type bitWriter struct {
	buf  []byte
	bits uint64
	n    uint
}

func (b *bitWriter) write(v uint32, n uint) {
	b.bits |= uint64(v) << b.n
	b.n += n
	for b.n >= 8 {
		b.buf = append(b.buf, byte(b.bits))
		b.bits >>= 8
		b.n -= 8
	}
}

func (b *bitWriter) bytes() []byte {
	if b.n > 0 {
		return append(b.buf, byte(b.bits))
	}
	return b.buf
}

// logBuffer collects log lines from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// fixture is a library over a temporary folder with a hand-moved clock.
type fixture struct {
	dir   string
	cache string
	lib   *Library
	app   *fiber.App
	logs  *logBuffer
	now   time.Time
}

var seoul = time.FixedZone("KST", 9*3600)

func newFixture(t testing.TB, opts Options) *fixture {
	t.Helper()
	base := t.TempDir()
	f := &fixture{
		dir: filepath.Join(base, "photos"), cache: filepath.Join(base, "data", "photo-cache"),
		logs: &logBuffer{}, now: time.Date(2026, 3, 2, 8, 0, 0, 0, seoul),
	}
	if err := os.MkdirAll(f.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	opts.Dir, opts.CacheDir = f.dir, f.cache
	opts.Loc = seoul
	opts.Logger = slog.New(slog.NewTextHandler(f.logs, nil))
	opts.Now = func() time.Time { return f.now }
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	lib, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(lib.Close)
	f.lib = lib
	f.app = fiber.New()
	f.app.Get("/api/photos", lib.HandleList)
	f.app.Get("/photos/:id.jpg", lib.HandleImage)
	return f
}

func (f *fixture) rescan(t testing.TB) {
	t.Helper()
	if err := f.lib.Rescan(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// get requests path with optional headers (name, value pairs).
func (f *fixture) get(t testing.TB, path string, header ...string) (int, []byte, map[string]string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := f.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	h := map[string]string{}
	for k := range resp.Header {
		h[k] = resp.Header.Get(k)
	}
	return resp.StatusCode, body, h
}

// idOf returns the id of the listed photo whose file is rel.
func (f *fixture) idOf(t testing.TB, rel string) string {
	t.Helper()
	f.lib.mu.Lock()
	defer f.lib.mu.Unlock()
	for id, e := range f.lib.byID {
		if e.rel == rel {
			return id
		}
	}
	t.Fatalf("%s is not indexed", rel)
	return ""
}

// waitIdle waits for the render queue to finish what it was given.
func (f *fixture) waitIdle(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !f.lib.queue.idle() {
		if time.Now().After(deadline) {
			t.Fatal("render queue still busy")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// decodeJPEG decodes a response body, failing unless it is a JPEG.
func decodeJPEG(t testing.TB, body []byte) image.Image {
	t.Helper()
	m, err := jpeg.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("response is not a JPEG: %v", err)
	}
	return m
}
