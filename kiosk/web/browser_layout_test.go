package web

// The wall screen's layout in Chromium at every size the kiosk is hung at,
// with the demo and a busy week, without photos and in every photo mode:
// nothing outside the screen, no text cut, every event shown or counted,
// titles large enough, keep-all everywhere, and 4.5:1 contrast for every
// piece of text against the pixels actually behind it over an all-white,
// an all-black and a busy photo.
//
//	go test ./kiosk/web -run TestScreenshots                # checks
//	go test ./kiosk/web -run TestScreenshots -screenshots   # … and writes docs/screens/*.png, docs/screenshot.png
//	make screenshots

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kiosk/kiosk/calendar"
	"kiosk/kiosk/config"
	"kiosk/kiosk/dashboard"
	"kiosk/kiosk/demo"
	"kiosk/kiosk/notices"
	"kiosk/kiosk/photos"
	"kiosk/kiosk/remind"
	"kiosk/kiosk/source"
)

// screenSizes are the screens the kiosk is made for: the 7" Pi displays,
// HD, full HD landscape and portrait, QHD and 4K.
var screenSizes = [][2]int64{{800, 480}, {1024, 600}, {1280, 720}, {1920, 1080}, {1080, 1920}, {2560, 1440}, {3840, 2160}}

var photoModes = []string{"", "background", "panel", "fullscreen"}

// busyFixture is testdata/busy-week.json.
type busyFixture struct {
	Calendars []struct{ Name, Color string }
	Events    []struct {
		Cal, Title, Loc, Start, End string
		Day, Days                   int
		EndDay                      int  `json:"end_day"`
		AllDay                      bool `json:"all_day"`
	}
}

// busyWeek is a family's busy week around at: 45 events, long Korean and
// English titles, emoji, multi-day events; the school calendar is stale,
// the academy's failed without data.
func busyWeek(t *testing.T, at time.Time) (*dashboard.Snapshot, []config.Calendar) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "busy-week.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f busyFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	n := at.In(seoul)
	day := func(d int) time.Time { return time.Date(n.Year(), n.Month(), n.Day()+d, 0, 0, 0, 0, seoul) }
	clock := func(d int, hm string) time.Time {
		h, _ := strconv.Atoi(hm[:2])
		m, _ := strconv.Atoi(hm[3:])
		return day(d).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	snap := &dashboard.Snapshot{}
	for i, e := range f.Events {
		ev := calendar.Event{ID: fmt.Sprint("busy-", i), Calendar: e.Cal, Summary: e.Title, Location: e.Loc}
		switch {
		case e.Days > 0 || e.AllDay:
			ev.AllDay, ev.Start, ev.End = true, day(e.Day), day(e.Day+max(e.Days, 1))
		default:
			ev.Start, ev.End = clock(e.Day, e.Start), clock(max(e.EndDay, e.Day), e.End)
		}
		snap.Events = append(snap.Events, ev)
	}
	calendar.Sort(snap.Events)
	var cals []config.Calendar
	for _, c := range f.Calendars {
		cals = append(cals, config.Calendar{Name: c.Name, Color: c.Color})
	}
	cals = append(cals, config.Calendar{Name: "영어학원", Color: "#4fb0a5"})
	ok := at.Add(-4 * time.Minute)
	stale := time.Date(n.Year(), n.Month(), n.Day()-1, 20, 38, 0, 0, seoul)
	for _, c := range f.Calendars {
		st := source.Status{Name: c.Name, Kind: "google", OK: true, Updated: &ok}
		if c.Name == "학교" {
			st = source.Status{Name: c.Name, Kind: "ics", Stale: true, Updated: &stale, Error: "ics: HTTP 503"}
		}
		snap.Sources = append(snap.Sources, st)
	}
	snap.Sources = append(snap.Sources, source.Status{Name: "영어학원", Kind: "ics", Error: "ics: HTTP 404", Failures: 3})
	trains, err := (&demo.Trains{Now: func() time.Time { return at }}).Reservations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	snap.Trains = trains
	snap.Sources = append(snap.Sources, source.Status{Name: "SRT", Kind: "srt", OK: true, Updated: &ok})
	return snap, cals
}

// expectedCounts is how many events each day of the window has, counted
// here from the snapshot: the page must show or count each of them.
func expectedCounts(snap *dashboard.Snapshot, at time.Time, days int) map[string]int {
	n := at.In(seoul)
	out := map[string]int{}
	for d := range days {
		from := time.Date(n.Year(), n.Month(), n.Day()+d, 0, 0, 0, 0, seoul)
		to := from.AddDate(0, 0, 1)
		for _, e := range snap.Events {
			if e.Overlaps(from, to) {
				out[from.Format("2006-01-02")]++
			}
		}
	}
	return out
}

// writeTestPhotos writes an all-white, an all-black and a busy photo (a
// poster-like landscape: white clouds, black trees, bright and dark
// colours side by side).
func writeTestPhotos(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	solid := func(c color.Color) image.Image {
		m := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
		draw.Draw(m, m.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
		return m
	}
	busy := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	fill := func(r image.Rectangle, c color.RGBA) {
		draw.Draw(busy, r, image.NewUniform(c), image.Point{}, draw.Src)
	}
	fill(busy.Bounds(), color.RGBA{120, 190, 250, 255})                  // sky
	fill(image.Rect(0, 700, 1920, 1080), color.RGBA{60, 150, 60, 255})   // grass
	fill(image.Rect(0, 900, 1920, 1080), color.RGBA{250, 245, 230, 255}) // sand
	for i := range 12 {
		x := i * 170
		fill(image.Rect(x, 380+(i%3)*60, x+60, 900), color.RGBA{10, 20, 10, 255})                // trees
		fill(image.Rect(x+80, 80+(i%4)*50, x+160, 160+(i%4)*50), color.RGBA{255, 255, 255, 255}) // clouds
	}
	for y := 0; y < 1080; y += 120 { // stripes of white and black
		fill(image.Rect(1500, y, 1920, y+60), color.RGBA{255, 255, 255, 255})
		fill(image.Rect(1500, y+60, 1920, y+120), color.RGBA{0, 0, 0, 255})
	}
	fill(image.Rect(1600, 120, 1760, 280), color.RGBA{255, 220, 40, 255}) // sun
	for name, m := range map[string]image.Image{"a-white.jpg": solid(color.White), "b-black.jpg": solid(color.Black), "c-busy.jpg": busy} {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 92}); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// layoutJS reads what the checks need from the page once fit has run.
const layoutJS = `(() => {
  const W = innerWidth, H = innerHeight, out = { Outside: [], Cut: [], Small: [], Wrap: [], Counts: {}, Texts: [], Faded: [], MinTitle: 1e9 };
  const name = (e) => e.tagName.toLowerCase() + "." + [...e.classList].join(".") + " " + JSON.stringify(e.textContent.trim().slice(0, 40));
  const shown = (e) => !e.closest("[hidden]") && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
  const clipOf = (e) => { for (let a = e.parentElement; a; a = a.parentElement) if (getComputedStyle(a).overflow !== "visible") return a; return null; };
  for (const e of document.querySelectorAll("body *")) {
    if (!shown(e) || e.closest(".photo")) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < -0.5 || r.top < -0.5 || r.right > W + 0.5 || r.bottom > H + 0.5) out.Outside.push(name(e));
    const s = getComputedStyle(e);
    if (s.overflow !== "visible" && (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1)) {
      out.Cut.push(name(e) + " " + e.scrollWidth + "x" + e.scrollHeight + " in " + e.clientWidth + "x" + e.clientHeight);
    }
    const texts = [...e.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!texts.length) continue;
    if (s.wordBreak !== "keep-all" || s.overflowWrap !== "anywhere") out.Wrap.push(name(e) + " " + s.wordBreak + "/" + s.overflowWrap);
    let op = 1;
    for (let a = e; a; a = a.parentElement) op *= +getComputedStyle(a).opacity;
    if (op < 1) out.Faded.push(name(e) + " opacity " + op);
    const clip = clipOf(e), c = clip && clip.getBoundingClientRect();
    for (const t of texts) {
      // The text's boxes, leaving colour emoji out: they have their own
      // colours, which the text colour does not set.
      const boxes = [];
      const emoji = /[\p{Extended_Pictographic}\uFE0F\u200D]+/gu;
      let at = 0;
      for (const m of [...t.textContent.matchAll(emoji), { index: t.textContent.length, 0: "" }]) {
        if (m.index > at) {
          const range = document.createRange();
          range.setStart(t, at);
          range.setEnd(t, m.index);
          boxes.push(...range.getClientRects());
        }
        at = m.index + m[0].length;
      }
      for (const b of boxes) {
        if (b.width < 1 || b.height < 1) continue;
        if (c && (b.left < c.left - 0.5 || b.top < c.top - 0.5 || b.right > c.right + 0.5 || b.bottom > c.bottom + 0.5)) out.Cut.push("text outside its box: " + name(e));
        out.Texts.push({ Name: name(e), Color: s.color, X: b.left, Y: b.top, W: b.width, H: b.height });
      }
    }
  }
  for (const e of document.querySelectorAll(".summary")) {
    if (!shown(e)) continue;
    const px = parseFloat(getComputedStyle(e).fontSize);
    out.MinTitle = Math.min(out.MinTitle, px);
  }
  const num = (e) => e && shown(e) ? +(e.textContent.match(/\d+/) || [0])[0] : 0;
  // A group's own rows and counts: a day may hold a later day (kiosk.js flows one into tomorrow's panel).
  const own = (g, sel) => [...g.querySelectorAll(sel.split(",").map((s) => ":scope > " + s).join(","))];
  const counted = (g) => own(g, "ul > .row, .row").filter(shown).length + num(own(g, ".more")[0]) + num(own(g, "h2 > .fold")[0]);
  for (const d of document.querySelectorAll(".day")) {
    if (!shown(d)) continue;
    out.Counts[d.dataset.date] = counted(d) + num(own(d, ".past")[0]);
  }
  const side = document.querySelector(".side");
  if (side) {
    out.Side = { Shown: shown(side), Groups: [] };
    for (const g of side.querySelectorAll(".group")) {
      out.Side.Groups.push({ Name: g.querySelector("h2").firstChild.textContent, Total: g.querySelectorAll(".row").length, Counted: counted(g) });
    }
  }
  return out;
})()`

type layoutText struct {
	Name, Color string
	X, Y, W, H  float64
}

type layoutState struct {
	Outside, Cut, Small, Wrap, Faded []string
	Counts                           map[string]int
	Texts                            []layoutText
	MinTitle                         float64
	Side                             *struct { // nil: no trains or notices
		Shown  bool
		Groups []struct {
			Name           string
			Total, Counted int
		}
	}
}

// hideTextJS makes every text transparent (colour emoji too) and
// unshadowed, so that a screenshot shows what is behind it; showTextJS
// undoes it.
const hideTextJS = `(() => { for (const e of document.querySelectorAll("body *")) {
  e.style.setProperty("color", "transparent", "important"); e.style.setProperty("text-shadow", "none", "important");
  e.style.setProperty("-webkit-text-fill-color", "transparent", "important"); } return true; })()`

const showTextJS = `(() => { for (const e of document.querySelectorAll("body *")) {
  for (const p of ["color", "text-shadow", "-webkit-text-fill-color"]) e.style.removeProperty(p); } return true; })()`

// checkContrast fails t for every text whose colour has less than 4.5:1
// against the lightest or the darkest pixel behind it.
func checkContrast(t *testing.T, tb *tab, name string, texts []layoutText) {
	t.Helper()
	tb.mustEval(t, hideTextJS, new(bool))
	tb.mustEval(t, frames, new(bool))
	ctx, cancel := context.WithTimeout(tb.ctx, wait)
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	cancel()
	tb.mustEval(t, showTextJS, new(bool))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	m, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	// Luminance of every pixel once, from a table per channel value (the
	// screenshot is opaque: RGBA and NRGBA hold the same bytes).
	var pix []uint8
	var stride int
	switch im := m.(type) {
	case *image.RGBA:
		pix, stride = im.Pix, im.Stride
	case *image.NRGBA:
		pix, stride = im.Pix, im.Stride
	default:
		t.Fatalf("screenshot decodes to %T", m)
	}
	var lin [256]float64
	for i := range lin {
		lin[i] = luminance([3]float64{float64(i), float64(i), float64(i)})
	}
	lum := func(x, y int) float64 {
		i := y*stride + 4*x
		// luminance of a grey is its linear value; weights per channel.
		return 0.2126*lin[pix[i]] + 0.7152*lin[pix[i+1]] + 0.0722*lin[pix[i+2]]
	}
	var dpr float64
	tb.mustEval(t, `devicePixelRatio`, &dpr)
	var bad []string
	for _, tx := range texts {
		c := luminance(parseRGB(t, tx.Color))
		lo, hi := 2.0, -1.0
		x0, y0 := int(tx.X*dpr), int(tx.Y*dpr)
		x1, y1 := int((tx.X+tx.W)*dpr), int((tx.Y+tx.H)*dpr)
		for y := max(y0, 0); y < min(y1, m.Bounds().Dy()); y++ {
			for x := max(x0, 0); x < min(x1, m.Bounds().Dx()); x++ {
				l := lum(x, y)
				lo, hi = math.Min(lo, l), math.Max(hi, l)
			}
		}
		if hi < 0 {
			continue
		}
		ratio := func(a, b float64) float64 { return (math.Max(a, b) + 0.05) / (math.Min(a, b) + 0.05) }
		if r := math.Min(ratio(c, lo), ratio(c, hi)); r < 4.5 {
			bad = append(bad, fmt.Sprintf("%s (%s) %.2f:1", tx.Name, tx.Color, r))
		}
	}
	sort.Strings(bad)
	for i, b := range bad {
		if i == 8 {
			t.Errorf("%s: … and %d more texts under 4.5:1", name, len(bad)-i)
			break
		}
		t.Errorf("%s: contrast %s, want at least 4.5:1", name, b)
	}
}

// frames resolves after two frames were painted.
const frames = `new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok(true))))`

// settle waits for the fonts, the fit and two frames.
func settle(t *testing.T, tb *tab) {
	t.Helper()
	tb.until(t, "fonts loaded", `document.fonts.status === "loaded"`, "")
	tb.mustEval(t, frames, new(bool))
}

// checkLayout runs every check but contrast on the page in tb.
func checkLayout(t *testing.T, tb *tab, name string, w, h int64, want map[string]int) layoutState {
	t.Helper()
	var st layoutState
	tb.mustEval(t, layoutJS, &st)
	for _, o := range st.Outside {
		t.Errorf("%s: outside the screen: %s", name, o)
	}
	for _, c := range st.Cut {
		t.Errorf("%s: cut off: %s", name, c)
	}
	for _, c := range st.Wrap {
		t.Errorf("%s: wraps without keep-all/anywhere: %s", name, c)
	}
	for _, c := range st.Faded {
		t.Errorf("%s: text under opacity (its contrast is not its colour's): %s", name, c)
	}
	if min := math.Max(16, 0.025*float64(min(w, h))); st.MinTitle < min-0.01 {
		t.Errorf("%s: an event title is %.1f px, want at least %.1f", name, st.MinTitle, min)
	}
	for day, n := range want {
		if got, ok := st.Counts[day]; !ok || got != n {
			t.Errorf("%s: %s shows or counts %d events (day shown: %v), want %d", name, day, got, ok, n)
		}
	}
	if st.Side != nil && st.Side.Shown {
		for _, g := range st.Side.Groups {
			if g.Counted != g.Total {
				t.Errorf("%s: %s shows or counts %d rows, want %d", name, g.Name, g.Counted, g.Total)
			}
		}
	}
	return st
}

// TestScreenshots lays the demo and the busy week out at every screen size,
// without photos and in every photo mode, and checks each; with
// -screenshots it writes each to docs/screens/ and today's demo at
// 1920×1080 to docs/screenshot.png.
func TestScreenshots(t *testing.T) {
	browser := startBrowser(t)
	morning := time.Date(2026, 11, 24, 9, 41, 0, 0, seoul) // a Tuesday
	photoDir := writeTestPhotos(t)
	// One library for every site: each size's renderings are made once.
	lib, err := photos.New(photos.Options{Dir: photoDir, CacheDir: t.TempDir(), Loc: seoul})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(lib.Close)
	if err := lib.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	busySnap, busyCals := busyWeek(t, morning)
	fixtures := []struct {
		name string
		snap *dashboard.Snapshot
		cals []config.Calendar
	}{
		{"demo", demoSnapshot(t, morning), nil},
		{"busy", busySnap, busyCals},
	}
	if *writeScreenshots {
		if err := os.MkdirAll(filepath.Join("..", "..", "docs", "screens"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	items := func(time.Time) []notices.Item {
		return []notices.Item{
			{Source: "초등학교", Title: "12월 학부모 공개수업 안내", Published: morning.Add(-26 * time.Hour)},
			{Source: "초등학교", Title: "겨울방학 방과후학교 수강신청 안내 (12/1–12/5)", Published: morning.Add(-30 * time.Hour)},
			{Source: "아파트", Title: "승강기 정기 점검 (11/26 10:00–12:00)", Published: morning.Add(-50 * time.Hour)},
		}
	}
	for _, fx := range fixtures {
		for _, mode := range photoModes {
			t.Run(fmt.Sprintf("%s %s", fx.name, cmpOr(mode, "no photos")), func(t *testing.T) {
				t.Parallel()
				shuffle := false
				s := newSite(t, morning, fx.snap, func(c *config.Config) {
					c.Calendars = fx.cals
					if mode != "" {
						c.Photos = &config.Photos{Dir: photoDir, IntervalSeconds: 86400, Mode: mode, Shuffle: &shuffle}
					}
				}, func(o *Options) {
					o.Notices = items
					if fx.name == "busy" { // the weather's room is checked with the rest
						o.Weather = fixedWeather{wxSnapshotAt(morning)}
					}
					if mode != "" {
						o.Photos = lib
					}
				})
				s.add(remind.Notification{ID: "cu-board", Message: "택배 도착: 경비실에서 찾아가세요", ShowNotiboard: true, DisplayTime: 1})
				want := expectedCounts(fx.snap, morning, 7)
				for _, size := range screenSizes {
					w, h := size[0], size[1]
					name := fmt.Sprintf("%s %s %dx%d", fx.name, cmpOr(mode, "no photos"), w, h)
					tb := newTab(t, browser, w, h)
					tb.navigate(t, s.url("/"))
					tb.until(t, "toast done", `window.__rec.shows.length == 1 && document.getElementById("toast").hidden`, `window.__rec.shows`)
					var urls []string
					if mode != "" {
						tb.until(t, "first photo", `!!document.querySelector("#photo img.shown[src]")`, "")
						tb.mustEval(t, `fetch("/api/photos").then((r) => r.json()).then((l) => l.map((p) => p.url))`, &urls)
					}
					settle(t, tb)
					st := checkLayout(t, tb, name, w, h, want)
					// Trains and notices are on every screen but the
					// fullscreen photo, which is the photo and the events.
					if st.Side == nil || st.Side.Shown != (mode != "fullscreen") {
						t.Errorf("%s: trains and notices %+v, want them shown: %v", name, st.Side, mode != "fullscreen")
					}
					if mode == "" {
						checkContrast(t, tb, name, st.Texts)
					}
					// Show each test photo in the frame, in place; the busy one
					// (neither all white nor all black) last, for the screenshot.
					show := func(u string) (mean float64) {
						tb.mustEval(t, fmt.Sprintf(`(() => { const img = document.querySelector("#photo img.shown");
							img.src = %s + img.src.slice(img.src.indexOf("?"));
							return img.decode().then(() => { const c = document.createElement("canvas"); c.width = c.height = 1;
								const g = c.getContext("2d"); g.drawImage(img, 0, 0, 1, 1); const d = g.getImageData(0, 0, 1, 1).data;
								return (d[0] + d[1] + d[2]) / 3; }); })()`, jsString(u)), &mean)
						settle(t, tb)
						return mean
					}
					busy := ""
					for _, u := range urls {
						if m := show(u); m > 10 && m < 245 {
							busy = u
						}
						checkContrast(t, tb, fmt.Sprintf("%s over %s", name, u), st.Texts)
					}
					if busy != "" {
						show(busy)
					}
					if *writeScreenshots {
						shot, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
						if err != nil {
							t.Fatal(err)
						}
						file := fmt.Sprintf("%s-%s-%dx%d.png", fx.name, cmpOr(mode, "plain"), w, h)
						if err := os.WriteFile(filepath.Join("..", "..", "docs", "screens", file), shot, 0o644); err != nil {
							t.Fatal(err)
						}
						if fx.name == "demo" && mode == "" && w == 1920 && h == 1080 {
							if err := os.WriteFile(filepath.Join("..", "..", "docs", "screenshot.png"), shot, 0o644); err != nil {
								t.Fatal(err)
							}
						}
					}
					tb.checkClean(t, nil)
				}
			})
		}
	}
	t.Run("status on a phone", func(t *testing.T) {
		s := newSite(t, morning, fixtures[0].snap, func(c *config.Config) { c.AdminToken = token })
		phone := newTab(t, browser, 360, 740, chromedp.EmulateMobile)
		phone.navigate(t, s.url("/status"))
		checkPhoneWidth(t, phone)
		var wrap []string
		phone.mustEval(t, `[...document.querySelectorAll("body *")].filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
			.map((e) => getComputedStyle(e)).filter((s) => s.wordBreak !== "keep-all" || s.overflowWrap !== "anywhere").map((s) => s.wordBreak)`, &wrap)
		if len(wrap) > 0 {
			t.Errorf("/status: %d texts wrap without keep-all/anywhere", len(wrap))
		}
		if *writeScreenshots {
			shot, err := chromedp.Run(phone.ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join("..", "..", "docs", "status-phone.png"), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		phone.checkClean(t, nil)
	})
}

func cmpOr(s, or string) string {
	if s == "" {
		return or
	}
	return s
}

// TestWeatherRoom fills the weather slots as the weather source will (a
// block about 200 px wide by the clock, a 120 px badge in each day header)
// and checks the busy week still fits at every size.
func TestWeatherRoom(t *testing.T) {
	browser := startBrowser(t)
	morning := time.Date(2026, 11, 24, 9, 41, 0, 0, seoul)
	snap, cals := busyWeek(t, morning)
	s := newSite(t, morning, snap, func(c *config.Config) { c.Calendars = cals })
	want := expectedCounts(snap, morning, 7)
	for _, size := range screenSizes {
		w, h := size[0], size[1]
		name := fmt.Sprintf("weather %dx%d", w, h)
		tb := newTab(t, browser, w, h)
		tb.navigate(t, s.url("/"))
		settle(t, tb)
		tb.mustEval(t, `(() => {
			const block = (cls, w, h) => { const d = document.createElement("span"); d.className = cls;
				for (const [k, v] of [["display", "inline-block"], ["width", w + "px"], ["height", h + "px"], ["background", "#345"]]) d.style.setProperty(k, v);
				return d; };
			document.querySelector(".weather-now").append(block("wx-test", 200, 64));
			for (const e of document.querySelectorAll(".wx-day")) e.append(block("wx-test", 120, 28));
			dispatchEvent(new Event("resize"));
			return true; })()`, new(bool))
		settle(t, tb)
		checkLayout(t, tb, name, w, h, want)
		tb.checkClean(t, nil)
	}
}

// TestPopup: a reminder pop-up says the title large, then "오늘 10:30 · 49분
// 후" and the place the board knows; the page behind is dimmed; a long one
// shrinks to fit, on a 7" screen too.
func TestPopup(t *testing.T) {
	browser := startBrowser(t)
	morning := time.Date(2026, 11, 24, 9, 41, 0, 0, seoul)
	s := newSite(t, morning, demoSnapshot(t, morning), nil)
	long := strings.Repeat("2026학년도 2학기 수강신청 확인 및 방과후학교 프로그램 변경 신청 — bring every form ", 6)
	tests := []struct {
		name, msg, kind    string
		title, when, where string
	}{
		{"reminder", "11-24 10:30\n🦷 치과 예약\n일정이 49분 후 시작합니다.", "event", "🦷 치과 예약", "오늘 10:30 · 49분 후", "서울치과"},
		{"tomorrow", "11-25 10:00\n학부모 상담\n일정이 1일 후 시작합니다.", "event", "학부모 상담", "내일 10:00 · 1일 후", "초등학교 2층"},
		{"long", "11-24 10:30\n" + long + "\n일정이 49분 후 시작합니다.", "event", long, "오늘 10:30 · 49분 후", ""},
	}
	for _, size := range [][2]int64{{800, 480}, {1920, 1080}} {
		tb := newTab(t, browser, size[0], size[1])
		tb.navigate(t, s.url("/"))
		tb.until(t, "first poll", `window.__rec.polls >= 1`, "")
		for i, tc := range tests {
			name := fmt.Sprintf("%s %dx%d", tc.name, size[0], size[1])
			s.add(remind.Notification{ID: fmt.Sprint(name, i), Message: tc.msg, Kind: tc.kind, DisplayTime: 3})
			tb.until(t, name+" shown", fmt.Sprintf(`!document.getElementById("toast").hidden && document.querySelector(".toast-title") && document.querySelector(".toast-title").textContent === %s`, jsString(tc.title)),
				`document.getElementById("toast-text").textContent`)
			var got struct {
				When, Where     string
				Back, Box       rect
				Dim             string
				Cut             bool
				TitlePx, TimePx float64
			}
			tb.mustEval(t, `(() => { const q = (s) => document.querySelector(s), box = (e) => { const r = e.getBoundingClientRect(); return { X: r.x, Y: r.y, W: r.width, H: r.height }; };
				const b = q(".toast");
				return { When: q(".toast-when").textContent, Where: q(".toast-where") ? q(".toast-where").textContent : "",
					Back: box(q("#toast")), Box: box(b), Dim: getComputedStyle(q("#toast")).backgroundColor,
					Cut: b.scrollHeight > b.clientHeight + 1 || b.scrollWidth > b.clientWidth + 1,
					TitlePx: parseFloat(getComputedStyle(q(".toast-title")).fontSize), TimePx: parseFloat(getComputedStyle(q(".toast-when")).fontSize) }; })()`, &got)
			if got.When != tc.when || got.Where != tc.where {
				t.Errorf("%s: says %q, %q; want %q, %q", name, got.When, got.Where, tc.when, tc.where)
			}
			if got.Back.X != 0 || got.Back.Y != 0 || got.Back.W != float64(size[0]) || got.Back.H != float64(size[1]) || !strings.HasPrefix(got.Dim, "rgba(0, 0, 0, 0.") {
				t.Errorf("%s: the page behind is not dimmed: %+v %s", name, got.Back, got.Dim)
			}
			if b := got.Box; got.Cut || b.X < 0 || b.Y < 0 || b.X+b.W > float64(size[0]) || b.Y+b.H > float64(size[1]) {
				t.Errorf("%s: pop-up %+v (cut: %v) does not fit the %dx%d screen", name, b, got.Cut, size[0], size[1])
			}
			if tc.name != "long" && got.TitlePx <= got.TimePx {
				t.Errorf("%s: title %.0f px, time %.0f px; want the title larger", name, got.TitlePx, got.TimePx)
			}
			tb.until(t, name+" gone", `document.getElementById("toast").hidden`, "")
		}
		tb.checkClean(t, nil)
	}
}

// TestFlowIntoTomorrow: in landscape, when the week column has to cut and
// tomorrow's panel has room, the week's first days continue in tomorrow's
// panel, whole and in order; in portrait, or back after a resize, they
// stay in the week.
func TestFlowIntoTomorrow(t *testing.T) {
	browser := startBrowser(t)
	morning := time.Date(2026, 11, 24, 9, 41, 0, 0, seoul)
	s := newSite(t, morning, demoSnapshot(t, morning), nil)
	tb := newTab(t, browser, 1920, 1080)
	tb.navigate(t, s.url("/"))
	settle(t, tb)
	type state struct {
		Flowed  []string // dates of the days in tomorrow's panel below tomorrow
		Week    []string // dates of the days in the week column
		Cut     int      // "+N" lines and folds shown
		Ordered bool     // every day in date order in the document
	}
	const read = `(() => {
  const dates = (sel) => [...document.querySelectorAll(sel)].map((d) => d.dataset.date);
  const all = dates(".day");
  return {
    Flowed: dates(".near > .day:last-child .day"),
    Week: dates(".week > .day"),
    Cut: [...document.querySelectorAll(".day .more, .day .fold")].filter((e) => !e.hidden).length,
    Ordered: all.every((d, i) => i === 0 || all[i - 1] < d),
  };
})()`
	var st state
	tb.mustEval(t, read, &st)
	if len(st.Flowed) == 0 || st.Flowed[0] != "2026-11-26" || st.Cut != 0 || !st.Ordered {
		t.Errorf("1920x1080: %+v, want 2026-11-26 on in tomorrow's panel, nothing cut, days in order", st)
	}
	if got := len(st.Flowed) + len(st.Week); got != 5 {
		t.Errorf("1920x1080: %d later days, want 5", got)
	}
	checkLayout(t, tb, "1920x1080 flowed", 1920, 1080, expectedCounts(demoSnapshot(t, morning), morning, 7))

	if err := chromedp.Do(tb.ctx, chromedp.EmulateViewport(1080, 1920)); err != nil {
		t.Fatal(err)
	}
	settle(t, tb)
	tb.mustEval(t, read, &st)
	if len(st.Flowed) != 0 || len(st.Week) != 5 || !st.Ordered {
		t.Errorf("portrait after a resize: %+v, want every later day back in the week, in order", st)
	}
	checkLayout(t, tb, "1080x1920 after a resize", 1080, 1920, expectedCounts(demoSnapshot(t, morning), morning, 7))
}
