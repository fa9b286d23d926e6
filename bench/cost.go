package main

import (
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"kiosk/kiosk/demo"
)

// kioskFlags run Chromium as systemd/kiosk-browser.service does, headless.
// Headless Chromium (the new headless mode: the whole browser, drawing
// with software compositing to no screen) counts as a hidden window for
// some throttles; a wall screen is always visible, so those are off.
// Component updates and background networking are off so that no download
// falls into a short window at random (Debian's launcher adds the latter).
var kioskFlags = []chromedp.ExecAllocatorOption{
	chromedp.Headless,
	chromedp.NoFirstRun,
	chromedp.NoDefaultBrowserCheck,
	chromedp.Flag("kiosk", true),
	chromedp.Flag("noerrdialogs", true),
	chromedp.Flag("disable-infobars", true),
	chromedp.Flag("hide-crash-restore-bubble", true),
	chromedp.Flag("check-for-update-interval", "31536000"),
	chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	chromedp.Flag("disable-pinch", true),
	chromedp.Flag("overscroll-history-navigation", "0"),
	chromedp.Flag("password-store", "basic"),
	chromedp.Flag("disable-background-timer-throttling", true),
	chromedp.Flag("disable-backgrounding-occluded-windows", true),
	chromedp.Flag("disable-renderer-backgrounding", true),
	chromedp.Flag("disable-component-update", true),
	chromedp.Flag("disable-background-networking", true),
}

// Photos for the photo run: camera-sized JPEGs, changed every 30 s.
const (
	costPhotos        = 4
	costPhotoW        = 3000
	costPhotoH        = 2000
	costPhotoInterval = 30
)

// before is what the page cost before issue 15 (its redesign): a run with
// -browser-duration 5m on the 2-core amd64 VM of the README, with nothing
// else running, of the page at 1bfaf0b, back to back with a run of the
// page as it is now (22 s, 426.9 MB and 93 s, 445.7 MB). An earlier VM of
// the same size measured 38 s, 431.0 MB and 95 s, 443.5 MB before against
// 20 s, 422.5 MB and 77 s, 438.3 MB after. Runs taken while the machine is
// loaded read lower (Chromium draws fewer frames and spends less), so
// compare only runs on an otherwise idle machine. The redesign must not
// cost more. Figures from another machine compare only with a before run
// on that machine.
var before = map[bool]struct {
	cpuPerHour float64 // s
	pss        int64   // bytes
}{
	false: {34, 429.2e6},
	true:  {98, 446.7e6},
}

// beforeDuration is how long the before runs were.
const beforeDuration = 5 * time.Minute

// verdict is pass for a run as long as the before runs, else none.
func verdict(o options, pass *bool) *bool {
	if o.browserDur != beforeDuration {
		return nil
	}
	return pass
}

// costResult is what Chromium cost while it showed the page.
type costResult struct {
	elapsed time.Duration
	cpu     map[string]time.Duration // utime+stime by process type
	pss     int64
	pssBy   map[string]int64 // by process type
	uss     int64
	// resident is the tree's resident pages, each counted once: its
	// PSS if no other process shared them; 0 if unknown (not root).
	resident int64
	others   int // processes of other Chromiums running at the end
	procs    int
	photos   int     // images loaded in the window
	rafHz    float64 // animation frames per second before the window
	visible  string  // document.visibilityState
}

// memory is the tree's PSS, counted as if no other Chromium shared its
// pages when that is known.
func (r costResult) memory() int64 {
	if r.resident > 0 {
		return r.resident
	}
	return r.pss
}

func (r costResult) perHour() float64 {
	var total time.Duration
	for _, d := range r.cpu {
		total += d
	}
	return total.Seconds() * float64(time.Hour) / float64(r.elapsed)
}

// browserCost shows the page in Chromium for o.browserDur, once with
// no photos and once with photos, each against a fresh server on the demo
// events, and adds what Chromium cost to the report.
func browserCost(ctx context.Context, o options, bin, work string, rep *report, say func(string, ...any)) error {
	if _, err := os.Stat(o.chromium); err != nil {
		rep.note("browser cost skipped: %v (install chromium or pass -chromium).", err)
		return nil
	}
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		return err
	}
	icsPath := filepath.Join(work, "demo.ics")
	f, err := os.Create(icsPath)
	if err != nil {
		return err
	}
	err = writeDemoCalendar(f, time.Now(), seoul)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	photoDir := filepath.Join(work, "photos")
	say("writing %d %d×%d photos", costPhotos, costPhotoW, costPhotoH)
	photoBytes, err := writePhotos(photoDir, costPhotos, costPhotoW, costPhotoH)
	if err != nil {
		return err
	}
	for _, photos := range []bool{false, true} {
		name, yaml := "no photos", fmt.Sprintf("timezone: Asia/Seoul\nlocale: ko\ncalendars:\n  - name: Family\n    ics: {file: %q}\n", icsPath)
		if photos {
			name = fmt.Sprintf("photos every %d s", costPhotoInterval)
			yaml += fmt.Sprintf("photos: {dir: %q, interval_seconds: %d}\n", photoDir, costPhotoInterval)
		}
		config := filepath.Join(work, fmt.Sprintf("cost-%v.yaml", photos))
		if err := os.WriteFile(config, []byte(yaml), 0o600); err != nil {
			return err
		}
		say("Chromium on the page, %s, for %v", name, o.browserDur)
		r, err := costRun(ctx, o, bin, config, filepath.Join(work, fmt.Sprintf("data-cost-%v", photos)), photos)
		if err != nil {
			return fmt.Errorf("browser cost, %s: %w", name, err)
		}
		cpu, mem := r.perHour(), r.memory()
		b := before[photos]
		target, pass := "≤ before (not measured)", (*bool)(nil)
		if b.cpuPerHour > 0 {
			target, pass = fmt.Sprintf("≤ %.0f s (before issue 15)", b.cpuPerHour), ptr(cpu <= b.cpuPerHour)
		}
		value := fmt.Sprintf("%.0f s", cpu)
		if b.cpuPerHour > 0 {
			value += fmt.Sprintf(" (%.2f× before)", cpu/b.cpuPerHour)
		}
		rep.add("browser: CPU per hour, "+name, value, target, verdict(o, pass))
		target, pass, value = "≤ before (not measured)", nil, mb(mem)
		if b.pss > 0 {
			target, pass = "≤ "+mb(b.pss)+" (before issue 15)", ptr(mem <= b.pss)
			value += fmt.Sprintf(" (%.2f× before)", float64(mem)/float64(b.pss))
		}
		rep.add("browser: PSS at the end, "+name, value, target, verdict(o, pass))
		if r.resident > 0 {
			rep.note("browser, %s: PSS is its %d processes' resident pages, each counted once (/proc/PID/pagemap): their PSS as if no other Chromium ran. The sum of their smaps_rollup PSS was %s with %d processes of other Chromiums running, which share its library pages.",
				name, r.procs, mb(r.pss), r.others)
		} else if r.others > 0 {
			rep.note("browser, %s: %d processes of other Chromiums ran at the end and share its library pages, which lowers its PSS: compare PSS only from runs with none, or run as root (pagemap).", name, r.others)
		}
		var parts []string
		for _, t := range slices.Sorted(maps.Keys(r.cpu)) {
			parts = append(parts, fmt.Sprintf("%s %.1f s, %s", t, r.cpu[t].Seconds(), mb(r.pssBy[t])))
		}
		rep.note("browser, %s: CPU in %v and smaps_rollup PSS at the end by process type: %s; private memory (USS) %s; %d images loaded in the window; page %s, %.0f animation frames/s before it.",
			name, r.elapsed.Round(time.Second), strings.Join(parts, ", "), mb(r.uss), r.photos, r.visible, r.rafHz)
		rep.markdown = append(rep.markdown, fmt.Sprintf("| %s | %.0f s | %s |", name, cpu, mb(mem)))
	}
	if o.browserDur != beforeDuration {
		rep.note("browser: no PASS or MISS: the before figures are from %v runs, this one ran %v.", beforeDuration, o.browserDur)
	}
	rep.note("browser: %v per run; %d photos of %d×%d (%.1f MB in all) in the photo run.",
		o.browserDur, costPhotos, costPhotoW, costPhotoH, float64(photoBytes)/1e6)
	return nil
}

// costRun serves the page with config and shows it in Chromium for
// o.browserDur after it has loaded (and, with photos, shown the
// first photo) and settled.
func costRun(ctx context.Context, o options, bin, config, dataDir string, photos bool) (costResult, error) {
	var r costResult
	s, err := startServer(bin, config, dataDir)
	if err != nil {
		return r, err
	}
	defer s.kill()
	if _, err := s.waitHealthz(time.Now(), 30*time.Second); err != nil {
		return r, err
	}
	if _, err := s.waitSynced(60 * time.Second); err != nil {
		return r, err
	}
	b, err := startBrowser(ctx, o.chromium, kioskFlags...)
	if err != nil {
		return r, err
	}
	defer b.close()
	if err := chromedp.Do(b.tab, chromedp.Navigate(s.base+"/")); err != nil {
		return r, fmt.Errorf("chromium: load the page: %w", err)
	}
	if photos {
		shown, err := chromedp.Run(b.tab, chromedp.Evaluate[bool](firstPhotoJS, chromedp.EvalAwaitPromise))
		if err != nil {
			return r, fmt.Errorf("chromium: wait for a photo: %w", err)
		}
		if !shown {
			return r, fmt.Errorf("chromium: no photo shown within a minute\n%s", s.log)
		}
	}
	if r.rafHz, err = chromedp.Run(b.tab, chromedp.Evaluate[float64](instrumentJS, chromedp.EvalAwaitPromise)); err != nil {
		return r, fmt.Errorf("chromium: instrument the page: %w", err)
	}
	if err := sleep(ctx, 5*time.Second); err != nil { // the first poll, fonts, the crossfade
		return r, err
	}
	start, err := sampleTree(b.pid)
	if err != nil {
		return r, err
	}
	t0 := time.Now()
	if err := sleep(ctx, o.browserDur); err != nil {
		return r, err
	}
	end, err := sampleTree(b.pid)
	if err != nil {
		return r, err
	}
	r.elapsed = time.Since(t0)
	r.cpu = map[string]time.Duration{}
	for t, d := range end.cpu {
		r.cpu[t] = d - start.cpu[t]
	}
	r.pss, r.pssBy, r.uss, r.procs = end.pss, end.pssBy, end.uss, len(end.pids)
	r.others = sameExe(b.pid, end.pids)
	seen := map[uint64]struct{}{}
	for _, pid := range end.pids {
		residentPages(pid, seen) // a process that ended meanwhile has none
	}
	r.resident = int64(len(seen)) * int64(os.Getpagesize())
	if end.pssErr != nil {
		return r, fmt.Errorf("PSS: %w", end.pssErr)
	}
	type state struct {
		Images  int    `json:"images"`
		Visible string `json:"visible"`
	}
	st, err := chromedp.Run(b.tab, chromedp.Evaluate[state](`({images: window.benchImages, visible: document.visibilityState})`))
	if err != nil {
		return r, fmt.Errorf("chromium: read the page: %w", err)
	}
	r.photos, r.visible = st.Images, st.Visible
	return r, s.stop()
}

// firstPhotoJS waits up to a minute for a loaded image on the page.
const firstPhotoJS = `new Promise((done) => {
  const t0 = Date.now();
  const check = () => {
    if ([...document.images].some((i) => i.complete && i.naturalWidth > 0)) return done(true);
    if (Date.now() - t0 > 60000) return done(false);
    setTimeout(check, 250);
  };
  check();
})`

// instrumentJS counts the images the page loads from now on (cached ones
// too) and returns the animation frame rate over one second: about 60
// shows that Chromium draws the page as a visible window.
const instrumentJS = `new Promise((done) => {
  window.benchImages = 0;
  document.addEventListener("load", (e) => { if (e.target.tagName === "IMG") window.benchImages++; }, true);
  let frames = 0;
  const t0 = performance.now();
  const frame = (t) => { frames++; if (t - t0 < 1000) requestAnimationFrame(frame); else done(frames * 1000 / (t - t0)); };
  requestAnimationFrame(frame);
})`

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// treeSample is the CPU time of a process tree so far.
type treeSample struct {
	pids   []int
	cpu    map[string]time.Duration // by Chromium process type
	pss    int64
	pssBy  map[string]int64
	uss    int64
	pssErr error
}

// sampleTree adds up utime+stime over root and its descendants, each
// process's reaped children included: a process that ends between two
// samples then still counts, in its parent's type. It adds up PSS too.
func sampleTree(root int) (treeSample, error) {
	pids, err := tree(root)
	if err != nil {
		return treeSample{}, err
	}
	s := treeSample{pids: pids, cpu: map[string]time.Duration{}, pssBy: map[string]int64{}}
	for _, pid := range pids {
		st, err := readStat(pid)
		if err != nil {
			continue // ended meanwhile
		}
		typ := chromiumType(pid)
		s.cpu[typ] += st.cpu + st.children
		m, err := readMemory(pid)
		if err != nil && s.pssErr == nil {
			s.pssErr = err
		}
		s.pss += m.pss
		s.pssBy[typ] += m.pss
		s.uss += m.uss
	}
	return s, nil
}

// writeDemoCalendar writes the demo calendar's events from yesterday to
// two weeks ahead as an ICS feed, so that the server shows the demo's
// events from a config file that can also name a photo directory.
func writeDemoCalendar(w io.Writer, now time.Time, loc *time.Location) error {
	cal := &demo.Calendar{Name: "Family", Loc: loc, Locale: "ko", Now: func() time.Time { return now }}
	events, err := cal.Events(context.Background(), now.AddDate(0, 0, -1), now.AddDate(0, 0, 14))
	if err != nil {
		return err
	}
	text := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`)
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kiosk bench//EN\r\n")
	utc := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	for _, e := range events {
		b.WriteString("BEGIN:VEVENT\r\nUID:" + e.ID + "@bench.example.test\r\nDTSTAMP:" + utc(now) + "\r\n")
		if e.AllDay {
			b.WriteString("DTSTART;VALUE=DATE:" + e.Start.Format("20060102") + "\r\nDTEND;VALUE=DATE:" + e.End.Format("20060102") + "\r\n")
		} else {
			b.WriteString("DTSTART:" + utc(e.Start) + "\r\nDTEND:" + utc(e.End) + "\r\n")
		}
		b.WriteString("SUMMARY:" + text.Replace(e.Summary) + "\r\n")
		if e.Location != "" {
			b.WriteString("LOCATION:" + text.Replace(e.Location) + "\r\n")
		}
		for _, m := range e.Reminders {
			fmt.Fprintf(&b, "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:reminder\r\nTRIGGER:-PT%dM\r\nEND:VALARM\r\n", m)
		}
		b.WriteString("END:VEVENT\r\n")
	}
	b.WriteString("END:VCALENDAR\r\n")
	_, err = io.WriteString(w, b.String())
	return err
}

// writePhotos writes n JPEGs of w×h into dir that compress like camera
// photos (gradients, soft shapes, sensor noise), one bright, one dark,
// and returns their total size.
func writePhotos(dir string, n, w, h int) (int64, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	var total int64
	for i := range n {
		r := rand.New(rand.NewPCG(uint64(i), 15))
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		level := [...]float64{230, 30, 120, 150}[i%4] // bright, dark, busy, busy
		hue := float64(i) * 2.1
		for y := range h {
			for x := range w {
				fx, fy := float64(x)/float64(w), float64(y)/float64(h)
				wave := 40 * math.Sin(fx*9+hue) * math.Cos(fy*7-hue)
				if level > 200 || level < 50 {
					wave /= 4
				}
				p := img.Pix[y*img.Stride+4*x:]
				for c := range 3 {
					v := level + wave + 30*math.Sin(fx*3+fy*2+hue+float64(c)) + r.NormFloat64()*10
					p[c] = uint8(max(0, min(255, v)))
				}
				p[3] = 255
			}
		}
		name := filepath.Join(dir, fmt.Sprintf("photo-%d.jpg", i+1))
		f, err := os.Create(name)
		if err != nil {
			return 0, err
		}
		err = jpeg.Encode(f, img, &jpeg.Options{Quality: 90})
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return 0, err
		}
		st, err := os.Stat(name)
		if err != nil {
			return 0, err
		}
		total += st.Size()
	}
	return total, nil
}
