package web

// The photo frame in Chromium: the real photos.Library over JPEGs written
// by the test, served by the real app, shown by the page's script. The
// browser setup (startBrowser, newTab, until, checkClean) is browser_test.go's.
//
//	go test ./kiosk/web -run TestBrowserPhotos

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"kiosk/kiosk/config"
	"kiosk/kiosk/photos"
)

// photoColors are the test photos, one solid colour each, in the order a
// library that does not shuffle shows them (by path).
var photoColors = []struct {
	name string
	rgb  [3]int
}{
	{"a-red.jpg", [3]int{220, 40, 40}},
	{"b-green.jpg", [3]int{40, 180, 60}},
	{"c-blue.jpg", [3]int{40, 80, 220}},
}

// photoInterval is the slideshow's interval in the tests: the least that
// config validation allows.
const photoInterval = 3

// writePhotos writes the test photos, 1920×1080 each (larger than the
// windows the tests use, so the server scales them down), into a new folder.
func writePhotos(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range photoColors {
		m := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
		c := color.RGBA{uint8(p.rgb[0]), uint8(p.rgb[1]), uint8(p.rgb[2]), 255}
		draw.Draw(m, m.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p.name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// photoName is the test photo whose colour c is, or "" if none is near.
func photoName(c [3]int) string {
	for _, p := range photoColors {
		if colorNear(c, p.rgb, 24) {
			return p.name
		}
	}
	return ""
}

func colorNear(a, b [3]int, tol int) bool {
	for i := range a {
		if d := a[i] - b[i]; d > tol || d < -tol {
			return false
		}
	}
	return true
}

// photoRecorder runs in every document before the page's script. Each time
// an img of the frame becomes the shown one it logs the img's src, the
// time, its natural size and the colour of its centre (drawn on a canvas:
// the photo is same-origin).
const photoRecorder = `(() => {
  const shows = window.__photos = [];
  document.addEventListener("DOMContentLoaded", () => {
    const frame = document.getElementById("photo");
    if (!frame) return;
    let last = "";
    new MutationObserver(() => {
      const img = frame.querySelector("img.shown");
      if (!img || !img.getAttribute("src") || img.getAttribute("src") === last) return;
      last = img.getAttribute("src");
      const c = document.createElement("canvas");
      c.width = c.height = 1;
      const g = c.getContext("2d");
      g.drawImage(img, img.naturalWidth / 2, img.naturalHeight / 2, 1, 1, 0, 0, 1, 1);
      const d = g.getImageData(0, 0, 1, 1).data;
      shows.push({ src: img.getAttribute("src"), t: performance.now(), w: img.naturalWidth, h: img.naturalHeight, rgb: [d[0], d[1], d[2]] });
    }).observe(frame, { subtree: true, attributes: true, attributeFilter: ["class"] });
  });
})();`

// photoShow is one photo as photoRecorder saw it shown.
type photoShow struct {
	Src  string  `json:"src"`
	T    float64 `json:"t"` // performance.now(), ms
	W, H int
	RGB  [3]int `json:"rgb"`
}

// query returns the w and h the page asked for.
func (s photoShow) query(t *testing.T) (w, h int) {
	t.Helper()
	u, err := url.Parse(s.Src)
	if err != nil {
		t.Fatalf("photo src %q: %v", s.Src, err)
	}
	w, werr := strconv.Atoi(u.Query().Get("w"))
	h, herr := strconv.Atoi(u.Query().Get("h"))
	if werr != nil || herr != nil {
		t.Fatalf("photo src %q has no w and h", s.Src)
	}
	return w, h
}

type rect struct{ X, Y, W, H float64 }

func (r rect) intersects(o rect) bool {
	return r.X < o.X+o.W && o.X < r.X+r.W && r.Y < o.Y+o.H && o.Y < r.Y+r.H
}

// photoFrame is the state of the frame once its crossfade has ended.
type photoFrame struct {
	Busy       bool    // a crossfade runs
	Src        string  // of the shown img
	Shown      float64 // computed opacity of the shown img
	Hidden     float64 // … and of the other
	Frame      rect    // the photo box
	Events     rect    // the events section
	InnerW     float64
	InnerH     float64
	DPR        float64
	TextColor  string   // computed colour of the first event summary
	UnderPhoto []string // visible text the photo box covers
}

const photoFrameJS = `(() => {
  const frame = document.getElementById("photo");
  const shown = frame.querySelector("img.shown"), other = frame.querySelector("img:not(.shown)");
  const box = (e) => { const r = e.getBoundingClientRect(); return { X: r.x, Y: r.y, W: r.width, H: r.height }; };
  const f = box(frame);
  const hits = (r) => r.X < f.X + f.W && f.X < r.X + r.W && r.Y < f.Y + f.H && f.Y < r.Y + r.H;
  const under = [];
  for (const e of document.querySelectorAll("#board *")) {
    if (![...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim())) continue;
    // What of e shows: its box cut by the boxes of ancestors that clip.
    let r = e.getBoundingClientRect(), x0 = r.left, y0 = r.top, x1 = r.right, y1 = r.bottom;
    for (let a = e.parentElement; a; a = a.parentElement) {
      if (getComputedStyle(a).overflow === "visible") continue;
      const c = a.getBoundingClientRect();
      x0 = Math.max(x0, c.left); y0 = Math.max(y0, c.top); x1 = Math.min(x1, c.right); y1 = Math.min(y1, c.bottom);
    }
    if (x1 > x0 && y1 > y0 && hits({ X: x0, Y: y0, W: x1 - x0, H: y1 - y0 })) under.push(e.textContent.trim().slice(0, 40));
  }
  return {
    Busy: frame.getAnimations({ subtree: true }).length > 0,
    Src: shown && shown.getAttribute("src") || "",
    Shown: shown ? +getComputedStyle(shown).opacity : -1, Hidden: other ? +getComputedStyle(other).opacity : -1,
    Frame: f, Events: box(document.querySelector(".near")),
    InnerW: innerWidth, InnerH: innerHeight, DPR: devicePixelRatio,
    TextColor: getComputedStyle(document.querySelector(".summary")).color,
    UnderPhoto: under,
  };
})()`

// settledFrame waits for the crossfade to end and returns the frame's state
// with a screenshot of that state: it tries again when the next photo
// arrived meanwhile.
func settledFrame(t *testing.T, tb *tab) (photoFrame, image.Image) {
	t.Helper()
	for range 5 {
		tb.until(t, "crossfade ends", `window.__photos.length >= 1 && document.getElementById("photo").getAnimations({ subtree: true }).length == 0`,
			`window.__photos`)
		var before, after photoFrame
		tb.mustEval(t, photoFrameJS, &before)
		ctx, cancel := context.WithTimeout(tb.ctx, wait)
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		cancel()
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		tb.mustEval(t, photoFrameJS, &after)
		if before.Busy || after.Busy || before.Src != after.Src {
			continue
		}
		m, err := png.Decode(bytes.NewReader(shot))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		return after, m
	}
	t.Fatal("the photo changed during every screenshot")
	return photoFrame{}, nil
}

// pixel is the screenshot's colour at CSS pixel (x, y).
func pixel(m image.Image, dpr, x, y float64) [3]int {
	r, g, b, _ := m.At(int(x*dpr), int(y*dpr)).RGBA()
	return [3]int{int(r >> 8), int(g >> 8), int(b >> 8)}
}

// luminance is the WCAG relative luminance of an sRGB colour.
func luminance(c [3]float64) float64 {
	var l [3]float64
	for i, v := range c {
		v /= 255
		if v <= 0.04045 {
			l[i] = v / 12.92
		} else {
			l[i] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
}

func parseRGB(t *testing.T, css string) [3]float64 {
	t.Helper()
	var c [3]float64
	if _, err := fmt.Sscanf(css, "rgb(%g, %g, %g)", &c[0], &c[1], &c[2]); err != nil {
		t.Fatalf("colour %q: %v", css, err)
	}
	return c
}

// TestBrowserPhotos runs the slideshow in each mode: a first photo shows,
// sized for the screen, and is visible on it; the next photos follow at the
// interval, every photo once per cycle; the photo leaves the text readable.
func TestBrowserPhotos(t *testing.T) {
	browser := startBrowser(t)
	dir := writePhotos(t)

	tests := []struct {
		mode  string
		w, h  int64
		scale float64 // devicePixelRatio; 0 means 1
		shows int     // photos to watch; 6 is a whole second cycle, from the browser cache
	}{
		{mode: "background", w: 1280, h: 720, shows: 6},
		{mode: "background", w: 640, h: 360, scale: 2, shows: 2},
		{mode: "panel", w: 1280, h: 720, shows: 2},
		{mode: "panel", w: 720, h: 1280, shows: 2},
		{mode: "fullscreen", w: 1280, h: 720, shows: 2},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s %dx%d", tt.mode, tt.w, tt.h)
		if tt.scale != 0 {
			name += fmt.Sprintf("@%gx", tt.scale)
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lib, err := photos.New(photos.Options{Dir: dir, CacheDir: t.TempDir(), Loc: seoul})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(lib.Close)
			if err := lib.Rescan(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n := lib.Status().Indexed; n != len(photoColors) {
				t.Fatalf("library indexed %d photos, want %d", n, len(photoColors))
			}
			shuffle := false
			s := newSite(t, now, sampleSnapshot(), func(c *config.Config) {
				c.Photos = &config.Photos{Dir: dir, IntervalSeconds: photoInterval, Mode: tt.mode, Shuffle: &shuffle}
			}, func(o *Options) { o.Photos = lib })

			var opts []chromedp.EmulateViewportOption
			scale := 1.0
			if tt.scale != 0 {
				scale = tt.scale
				opts = append(opts, chromedp.EmulateScale(tt.scale))
			}
			tb := newTab(t, browser, tt.w, tt.h, opts...)
			if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument,
				page.AddScriptToEvaluateOnNewDocumentParams{Source: photoRecorder}); err != nil {
				t.Fatal(err)
			}
			tb.navigate(t, s.url("/"))
			var class string
			tb.mustEval(t, `document.body.className`, &class)
			if class != "photos-"+tt.mode {
				t.Fatalf("body class %q, want photos-%s", class, tt.mode)
			}

			// The first photo, settled.
			st, shot := settledFrame(t, tb)
			var first []photoShow
			tb.mustEval(t, `window.__photos`, &first)
			// The next photo may have come since the frame was read.
			i := slices.IndexFunc(first, func(p photoShow) bool { return p.Src == st.Src })
			if i < 0 {
				t.Fatalf("the frame shows %q, which was never recorded as shown: %+v", st.Src, first)
			}
			cur := first[i]
			if st.DPR != scale {
				t.Fatalf("devicePixelRatio %v, want %v", st.DPR, scale)
			}
			if st.Hidden != 0 || st.Shown <= 0 {
				t.Errorf("opacity: shown img %v, other %v; want the shown one visible, the other 0", st.Shown, st.Hidden)
			}

			// Sized for the photo box in device pixels.
			w, h := cur.query(t)
			if ww, wh := int(math.Round(st.Frame.W*scale)), int(math.Round(st.Frame.H*scale)); w != ww || h != wh {
				t.Errorf("asked for %dx%d, want the %vx%v CSS px box × %v = %dx%d", w, h, st.Frame.W, st.Frame.H, scale, ww, wh)
			}
			if tt.mode != "panel" {
				// The frame fills the window; 16:9 photos larger than the
				// window come back at its size.
				if ww, wh := int(st.InnerW*scale), int(st.InnerH*scale); w != ww || h != wh || cur.W != ww || cur.H != wh {
					t.Errorf("asked for %dx%d, got %dx%d; want the window, %dx%d", w, h, cur.W, cur.H, ww, wh)
				}
			}
			// Never stretched up, never larger than the box the server
			// rounds to (40 px steps). Covering the box (background) needs
			// both sides; the panel and fullscreen show the whole photo
			// (object-fit: contain), which needs one.
			f := math.Max(float64(w)/float64(cur.W), float64(h)/float64(cur.H))
			if tt.mode != "background" {
				f = math.Min(float64(w)/float64(cur.W), float64(h)/float64(cur.H))
			}
			if f > 1.01 {
				t.Errorf("a %dx%d photo in a %dx%d box is stretched %.2f×", cur.W, cur.H, w, h, f)
			}
			if cur.W > w+39 || cur.H > h+39 {
				t.Errorf("a %dx%d photo for a %dx%d box", cur.W, cur.H, w, h)
			}

			// Visible on the screen: in an empty spot of the photo box the
			// screenshot has the photo's colour at its opacity (over the
			// frame's black). The panel has rounded corners: look at its
			// middle; the other modes at the bottom right, where the body's
			// padding is.
			x, y := st.Frame.X+st.Frame.W-3, st.Frame.Y+st.Frame.H-3
			if tt.mode == "panel" {
				x, y = st.Frame.X+st.Frame.W/2, st.Frame.Y+st.Frame.H/2
			}
			var want [3]int
			for i, v := range cur.RGB {
				want[i] = int(math.Round(float64(v) * st.Shown))
			}
			if got := pixel(shot, scale, x, y); !colorNear(got, want, 12) {
				t.Errorf("screen at (%v, %v) is %v, want the photo %v at opacity %v: %v", x, y, got, cur.RGB, st.Shown, want)
			}

			// The photo's room leaves the rest of the board whole: nothing
			// pushed off the screen or squeezed out of sight (an event list
			// too long for its box fades out, as without photos).
			checkFits(t, tb, name, "")

			switch tt.mode {
			case "background":
				// The text's contrast over any photo is TestScreenshots'.
			case "panel":
				win := rect{0, 0, st.InnerW, st.InnerH}
				if f := st.Frame; f.X < 0 || f.Y < 0 || f.X+f.W > win.W+0.5 || f.Y+f.H > win.H+0.5 || f.W < 100 || f.H < 100 {
					t.Errorf("photo panel %+v, want a box of some size inside the %vx%v window", f, win.W, win.H)
				}
				if st.Frame.intersects(st.Events) {
					t.Errorf("photo panel %+v covers the events %+v", st.Frame, st.Events)
				}
				if len(st.UnderPhoto) > 0 {
					t.Errorf("photo panel %+v covers text: %q", st.Frame, st.UnderPhoto)
				}
			}

			// The next photos, each a different one, each on screen for the
			// interval; with no shuffle in path order, every photo once per
			// cycle, also when the browser has them cached. Each wait is
			// bounded on its own: six photos take over 15 s.
			for n := 2; n <= tt.shows; n += 2 {
				tb.until(t, fmt.Sprintf("%d photos shown", n), fmt.Sprintf(`window.__photos.length >= %d`, n), `window.__photos`)
			}
			var shows []photoShow
			tb.mustEval(t, `window.__photos`, &shows)
			shows = shows[:tt.shows]
			var order, wantOrder []string
			for i, sh := range shows {
				order = append(order, photoName(sh.RGB))
				wantOrder = append(wantOrder, photoColors[i%len(photoColors)].name)
				if sw, sh2 := sh.query(t); sw != w || sh2 != h || sh.W != cur.W || sh.H != cur.H {
					t.Errorf("photo %d: asked for %dx%d, got %dx%d; the first %dx%d, %dx%d", i, sw, sh2, sh.W, sh.H, w, h, cur.W, cur.H)
				}
				if i == 0 {
					continue
				}
				if sh.Src == shows[i-1].Src {
					t.Errorf("photo %d is photo %d again: %s", i, i-1, sh.Src)
				}
				// The interval, plus the next photo's load; timers may fire
				// a little early.
				if gap := sh.T - shows[i-1].T; gap < photoInterval*1000-50 || gap > photoInterval*1000+7000 {
					t.Errorf("photo %d came %.0f ms after photo %d, want %d s and its load", i, gap, i-1, photoInterval)
				}
			}
			if fmt.Sprint(order) != fmt.Sprint(wantOrder) {
				t.Errorf("shown %q, want %q", order, wantOrder)
			}
			if t.Failed() {
				for _, sh := range shows {
					t.Logf("shown at %.0f ms: %s %v", sh.T, sh.Src, sh.RGB)
				}
			}
			tb.checkClean(t, nil)
		})
	}
}
