package photos

import (
	"bufio"
	"bytes"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// camera12MP returns a 4000×3000 JPEG with gradients and noise, so that it
// compresses about like a photo (a few MB).
func camera12MP(b *testing.B) []byte {
	b.Helper()
	const w, h = 4000, 3000
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	r := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			m.Y[y*m.YStride+x] = uint8((x*255/w+y*255/h)/2 + r.IntN(24))
		}
	}
	for y := range h / 2 {
		for x := range w / 2 {
			i := y*m.CStride + x
			m.Cb[i], m.Cr[i] = uint8(64+x*128/(w/2)), uint8(64+y*128/(h/2)+r.IntN(8))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// peakHeap samples the live heap every millisecond until stop is called,
// which returns the highest value seen. runtime/metrics reads it without
// stopping the world, unlike runtime.ReadMemStats.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// resetPeakRSS returns memory to the OS and resets the kernel's high-water
// mark (VmHWM) to the current RSS, so that what the benchmark set up
// doesn't count. It reports false where that is not possible.
func resetPeakRSS() bool {
	runtime.GC()
	debug.FreeOSMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS is VmHWM from /proc/self/status, in bytes; 0 if unknown.
func peakRSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkRender12MP renders a 4000×3000 JPEG for a 1920×1080 screen, as
// the worker does: open, decode, area-filter, encode. It reports the peak
// live heap and the process's peak RSS while rendering (the requirement:
// under 200 MB), and the size of the output.
func BenchmarkRender12MP(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "camera.jpg")
	writeFile(b, path, camera12MP(b))
	lib := &Library{maxDecode: DefaultMaxDecodeBytes, loc: time.UTC}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	e, err := lib.inspect("x", "camera.jpg", path, fi)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("source %d×%d, %d kB, decode estimate %d MB", e.width, e.height, fi.Size()>>10, e.need>>20)
	rssOK := resetPeakRSS()
	stop := peakHeap()
	var out []byte
	b.ResetTimer()
	for b.Loop() {
		if out, err = lib.renderEntry(dir, e, box(1920, 1080)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	heap := stop()
	b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MB")
	if rss := peakRSS(); rssOK && rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MB")
		if rss > 200<<20 {
			b.Errorf("peak RSS %d MB, want under 200 MB", rss>>20)
		}
	}
	b.ReportMetric(float64(len(out))/1024, "out-kB")
	m, err := jpeg.DecodeConfig(bytes.NewReader(out))
	if err != nil || m.Width != 1440 || m.Height != 1080 {
		b.Errorf("output %dx%d (%v), want 1440x1080", m.Width, m.Height, err)
	}
}

// BenchmarkCachedFetch is a request for a rendering already on disk,
// through the fiber handler (app.Test adds its in-memory connection).
func BenchmarkCachedFetch(b *testing.B) {
	f := newFixture(b, Options{})
	m := marked(1920, 1080, topLeft)
	writeFile(b, filepath.Join(f.dir, "a.jpg"), jpegBytes(b, m, nil))
	f.rescan(b)
	url := "/photos/" + f.idOf(b, "a.jpg") + ".jpg?w=1920&h=1080"
	if code, _, _ := f.get(b, url); code != 200 {
		b.Fatalf("status %d", code)
	}
	f.waitIdle(b)
	before := f.lib.decodes.Load()
	var n int
	for b.Loop() {
		_, body, _ := f.get(b, url)
		n = len(body)
	}
	if f.lib.decodes.Load() != before {
		b.Error("cached fetch decoded")
	}
	b.ReportMetric(float64(n)/1024, "body-kB")
}

// BenchmarkCacheGet is the disk cache alone: a hit read from the file.
func BenchmarkCacheGet(b *testing.B) {
	c, err := openCache(b.TempDir(), DefaultCacheBytes, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	k := renderKey{id: strings.Repeat("a", 20), box: box(1920, 1080)}
	if err := c.put(cacheName(k), k.id, make([]byte, 400<<10)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, ok := c.get(cacheName(k)); !ok {
			b.Fatal("miss")
		}
	}
}
