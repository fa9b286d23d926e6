package web

// Tests of the real pages in Debian's Chromium, driven over the DevTools
// protocol with chromedp. Each test serves the app on a real listener on
// 127.0.0.1 and opens it in headless Chromium, whose zone is UTC while the
// kiosk's is Asia/Seoul. They skip where /usr/bin/chromium is missing, except
// in CI (CI=true), where it is installed and a missing browser is a failure.
//
//	go test ./kiosk/web -run Browser
//	go test ./kiosk/web -run TestScreenshots -screenshots   # rewrites docs/*.png

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"kiosk/cache"
	"kiosk/kiosk/calendar"
	"kiosk/kiosk/config"
	"kiosk/kiosk/dashboard"
	"kiosk/kiosk/demo"
	"kiosk/kiosk/remind"
	"kiosk/kiosk/source"
	"kiosk/static"
	"kiosk/views"
)

var writeScreenshots = flag.Bool("screenshots", false, "TestScreenshots writes docs/screenshot.png and docs/status-phone.png")

const chromium = "/usr/bin/chromium"

// wait is how long a test waits for the page to reach a state. The page
// polls every 2 s and backs off to 8 s while offline; a loaded 2-core
// machine running -race needs the slack.
const wait = 20 * time.Second

// startBrowser starts headless Chromium for t and its subtests and closes it
// gracefully when t ends.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI installs chromium, but: %v", err)
		}
		t.Skipf("no browser: %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(t.TempDir()), // fresh profile; removed after the browser closed
		// This machine refuses outside connections: no background fetches.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"), // as on the Pi
		chromedp.Env("TZ=UTC"),                                       // the kiosk's zone is Asia/Seoul: the page must not use the browser's
		chromedp.WindowSize(1920, 1080),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil { // starts the browser; no timeout on this context
		bcancel()
		acancel()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(bctx, 10*time.Second)
		defer ccancel()
		if err := chromedp.Cancel(cctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("close chromium: %v", err)
		}
		bcancel()
		acancel()
	})
	return bctx
}

// recorder runs in every document before the page's own script. It wraps
// fetch and Audio.play to count polls and chimes, logs every toast shown
// with its times, and collects CSP violations. DevTools scripts are exempt
// from the page's CSP.
const recorder = `(() => {
  const rec = window.__rec = { polls: 0, plays: 0, shows: [], csp: [] };
  const fetch0 = window.fetch;
  window.fetch = function (input, init) {
    const p = fetch0.apply(this, arguments);
    if (String(input).endsWith("/api/notifications") && !(init && init.method && init.method !== "GET")) {
      p.then(() => rec.polls++, () => rec.polls++);
    }
    return p;
  };
  const play0 = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () { rec.plays++; return play0.apply(this, arguments); };
  document.addEventListener("securitypolicyviolation", (e) => rec.csp.push(e.violatedDirective + " " + e.blockedURI));
  document.addEventListener("DOMContentLoaded", () => {
    const toast = document.getElementById("toast");
    if (!toast) return;
    const text = document.getElementById("toast-text");
    let last = null;
    const look = () => {
      const t = performance.now();
      if (toast.hidden) {
        if (last && last.hidden === undefined) last.hidden = t;
        return;
      }
      if (!last || last.hidden !== undefined || last.text !== text.textContent) {
        if (last && last.hidden === undefined) last.hidden = t;
        last = { text: text.textContent, shown: t };
        rec.shows.push(last);
      }
    };
    look();
    new MutationObserver(look).observe(toast, { attributes: true, childList: true, subtree: true, characterData: true });
  });
})();`

// tab is one page in its own browser context (its own localStorage),
// with the console collected.
type tab struct {
	ctx context.Context
	mu  sync.Mutex
	log []chromedp.ConsoleMessage
}

// newTab opens a tab of w×h CSS pixels. When the test ends it fails on any
// uncaught exception, console error or CSP violation the page had.
func newTab(t *testing.T, browser context.Context, w, h int64, opts ...chromedp.EmulateViewportOption) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	tb := &tab{ctx: ctx}
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.log = append(tb.log, m)
			tb.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	addScript := chromedp.Func(func(ctx context.Context, tt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tt, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: recorder})
		return err
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h, opts...), addScript); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	return tb
}

// problems returns the console errors and exceptions so far, leaving out
// those allow accepts.
func (tb *tab) problems(allow func(chromedp.ConsoleMessage) bool) []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var out []string
	for _, m := range tb.log {
		if m.Type != chromedp.ConsoleError && !m.IsException() {
			continue
		}
		if allow != nil && allow(m) {
			continue
		}
		out = append(out, fmt.Sprintf("%s (%s %s:%d)", m, m.Source, m.URL, m.Line+1))
	}
	return out
}

// checkClean fails t on console errors, exceptions and CSP violations.
func (tb *tab) checkClean(t *testing.T, allow func(chromedp.ConsoleMessage) bool) {
	t.Helper()
	for _, p := range tb.problems(allow) {
		t.Errorf("console: %s", p)
	}
	var csp []string
	if err := tb.eval(`window.__rec ? window.__rec.csp : []`, &csp); err != nil {
		t.Errorf("read CSP violations: %v", err)
	}
	for _, v := range csp {
		t.Errorf("CSP violation: %s", v)
	}
}

func (tb *tab) navigate(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, wait)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate %s: %v", url, err)
	}
}

// eval evaluates expr in the page, waits for it when it is a promise, and
// decodes its JSON value into v.
func (tb *tab) eval(expr string, v any) error {
	ctx, cancel := context.WithTimeout(tb.ctx, wait)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func (tb *tab) mustEval(t *testing.T, expr string, v any) {
	t.Helper()
	if err := tb.eval(expr, v); err != nil {
		t.Fatalf("eval %s: %v", expr, err)
	}
}

// until waits for the JavaScript expression cond to be true, across
// reloads of the page. On time-out it fails t with what, and with the value
// of state when given.
func (tb *tab) until(t *testing.T, what, cond, state string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		left := time.Until(deadline)
		ctx, cancel := context.WithTimeout(tb.ctx, left+5*time.Second)
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](cond,
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(left)))
		cancel()
		if err == nil {
			return
		}
		if errors.Is(err, chromedp.ErrPollingTimeout) || time.Now().After(deadline) || tb.ctx.Err() != nil {
			var got any
			if state != "" {
				if serr := tb.eval(state, &got); serr != nil {
					got = serr
				}
			}
			t.Fatalf("%s: %v (state: %v)", what, err, got)
		}
		// The page navigated while polling: poll the new one.
		time.Sleep(100 * time.Millisecond)
	}
}

// polls is how many notification polls the page has finished.
func (tb *tab) polls(t *testing.T) int {
	t.Helper()
	var n int
	tb.mustEval(t, `window.__rec.polls`, &n)
	return n
}

// show is one toast as the recorder saw it; times are performance.now() ms.
type show struct {
	Text   string   `json:"text"`
	Shown  float64  `json:"shown"`
	Hidden *float64 `json:"hidden"`
}

func (tb *tab) shows(t *testing.T) []show {
	t.Helper()
	var s []show
	tb.mustEval(t, `window.__rec.shows`, &s)
	return s
}

// liveBoard is a Board whose snapshot a test can replace.
type liveBoard struct {
	p atomic.Pointer[dashboard.Snapshot]
}

func newLiveBoard(s *dashboard.Snapshot) *liveBoard {
	b := &liveBoard{}
	b.p.Store(s)
	return b
}

func (b *liveBoard) Snapshot() *dashboard.Snapshot { return b.p.Load() }

// site is a served kiosk: a server on a real listener, its queue and board.
type site struct {
	t     *testing.T
	opts  Options
	queue *remind.Queue
	board *liveBoard
	addr  string
	stop  func()
}

// newSite serves the app on 127.0.0.1 with the clock fixed at at, polls
// every 2 s, and cfg edited by edit.
func newSite(t *testing.T, clockAt time.Time, snap *dashboard.Snapshot, edit func(*config.Config), more ...func(*Options)) *site {
	t.Helper()
	cfg, err := config.Default(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.PollSeconds = 2
	if edit != nil {
		edit(cfg)
	}
	clock := func() time.Time { return clockAt }
	store, err := cache.Open("", clock, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	queue, err := remind.NewQueue(store)
	if err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, queue: queue, board: newLiveBoard(snap)}
	s.opts = Options{
		Config: cfg, Board: s.board, Log: slog.New(slog.DiscardHandler), Now: clock,
		Version: "v1", Views: views.FS, Static: static.FS, Queue: queue,
		Status: StatusInfo{Started: clockAt.Add(-time.Hour)},
	}
	for _, f := range more {
		f(&s.opts)
	}
	s.start("127.0.0.1:0")
	t.Cleanup(func() { s.stop() })
	return s
}

func (s *site) url(path string) string { return "http://" + s.addr + path }

// start serves a new Server built from s.opts on addr.
func (s *site) start(addr string) {
	s.t.Helper()
	srv, err := New(s.opts)
	if err != nil {
		s.t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				s.t.Errorf("serve: %v", err)
			}
		})
	}
}

// add queues a notification of the site's clock.
func (s *site) add(n remind.Notification) remind.Notification {
	s.t.Helper()
	if n.Expire == 0 {
		n.Expire = s.opts.Now().Add(10 * time.Minute).Unix()
	}
	n, err := s.queue.Add(n)
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestBrowser(t *testing.T) {
	browser := startBrowser(t)

	// A due reminder shows once, for display_time; a reload does not bring
	// it back, and markup in it stays text.
	t.Run("toast", func(t *testing.T) {
		t.Parallel()
		s := newSite(t, now, sampleSnapshot(), nil)
		tb := newTab(t, browser, 1920, 1080)
		tb.navigate(t, s.url("/"))
		tb.until(t, "first poll", `window.__rec.polls >= 1`, "")

		msg := "치과 10:00\n<b>bold</b><img src=x onerror=\"window.pwned=1\">"
		s.add(remind.Notification{ID: "ev-dentist", Message: msg, DisplayTime: 2, Sound: true})
		tb.until(t, "toast shown", `!document.getElementById("toast").hidden`, `window.__rec`)
		var got struct {
			Text, Inner string
			Children    int
			Visible     bool
		}
		tb.mustEval(t, `(() => { const e = document.getElementById("toast-text"), r = e.getBoundingClientRect();
			return { Text: e.textContent, Inner: e.innerText, Children: e.querySelectorAll("*").length,
				Visible: r.width > 0 && r.height > 0 && r.bottom <= innerHeight }; })()`, &got)
		if got.Text != msg || got.Children != 0 {
			t.Errorf("toast text %q with %d elements inside; want the message as text, no elements", got.Text, got.Children)
		}
		if got.Inner != msg {
			t.Errorf("toast renders %q, want the line break kept: %q", got.Inner, msg)
		}
		if !got.Visible {
			t.Error("toast is not inside the viewport")
		}

		tb.until(t, "toast hidden after display_time", `document.getElementById("toast").hidden`, `window.__rec.shows`)
		// Let three more polls pass: the reminder is still in the queue.
		after := tb.polls(t)
		tb.until(t, "three more polls", fmt.Sprintf(`window.__rec.polls >= %d`, after+3), "")
		shows := tb.shows(t)
		if len(shows) != 1 || shows[0].Hidden == nil {
			t.Fatalf("shows = %+v, want one that ended", shows)
		}
		if d := *shows[0].Hidden - shows[0].Shown; d < 1900 || d > 6000 {
			t.Errorf("toast shown for %.0f ms, want about display_time (2000 ms)", d)
		}
		var plays int
		tb.mustEval(t, `window.__rec.plays`, &plays)
		if plays != 1 {
			t.Errorf("chime played %d times, want 1", plays)
		}
		var pwned bool
		tb.mustEval(t, `!!window.pwned`, &pwned)
		if pwned {
			t.Error("markup in the message ran")
		}
		var seen map[string]int64
		tb.mustEval(t, `JSON.parse(localStorage.getItem("kiosk.seen"))`, &seen)
		if seen["ev-dentist"] != now.Add(10*time.Minute).Unix() {
			t.Errorf("kiosk.seen = %v, want ev-dentist with its expiry", seen)
		}

		// After a reload: polls go on, and the reminder stays away.
		tb.navigate(t, s.url("/"))
		tb.until(t, "three polls after the reload", `window.__rec.polls >= 3`, "")
		if shows := tb.shows(t); len(shows) != 0 {
			t.Errorf("after a reload the toast came back: %+v", shows)
		}
		tb.checkClean(t, nil)
	})

	// Quiet hours: toasts show, without the chime, one after the other. A
	// notice-board notification is on the board once.
	t.Run("quiet", func(t *testing.T) {
		t.Parallel()
		s := newSite(t, now, &dashboard.Snapshot{}, func(c *config.Config) {
			c.QuietHours = &config.Span{Start: "08:00", End: "10:00"}
		})
		s.add(remind.Notification{ID: "pinned", Message: "택배 도착", DisplayTime: 1, Sound: true, ShowNotiboard: true})
		tb := newTab(t, browser, 1920, 1080)
		tb.navigate(t, s.url("/"))
		tb.until(t, "first poll", `window.__rec.polls >= 1`, "")
		s.add(remind.Notification{ID: "a", Message: "first", DisplayTime: 2, Sound: true})
		s.add(remind.Notification{ID: "b", Message: "second", DisplayTime: 2, Sound: true})
		tb.until(t, "all shown", `window.__rec.shows.length == 3 && document.getElementById("toast").hidden`, `window.__rec.shows`)
		var got []string
		for _, sh := range tb.shows(t) {
			got = append(got, sh.Text)
		}
		if strings.Join(got, ",") != "택배 도착,first,second" {
			t.Errorf("shown %q, want 택배 도착,first,second", got)
		}
		var quiet struct {
			Plays  int
			Dim    bool
			Pinned []string
		}
		tb.mustEval(t, `({ Plays: window.__rec.plays, Dim: document.body.classList.contains("quiet"),
			Pinned: [...document.querySelectorAll("#notiboard li")].map(li => li.textContent.trim()) })`, &quiet)
		if quiet.Plays != 0 || !quiet.Dim {
			t.Errorf("quiet hours: %d chimes, dimmed %v; want none, dimmed", quiet.Plays, quiet.Dim)
		}
		if strings.Join(quiet.Pinned, ",") != "택배 도착" {
			t.Errorf("notice board %q, want the pinned notification once", quiet.Pinned)
		}
		tb.checkClean(t, nil)
	})

	// Markup in calendar data is text, also after the board is swapped in.
	t.Run("markup", func(t *testing.T) {
		t.Parallel()
		evil := `<img src=x onerror="window.pwned=1"><b>Bold</b>`
		snap := &dashboard.Snapshot{Events: []calendar.Event{
			{ID: "x", Calendar: "F", Summary: evil, Location: `"><i>loc</i>`, Start: at(0, 12, 0), End: at(0, 13, 0)},
		}}
		s := newSite(t, now, snap, func(c *config.Config) { c.Dashboard.ReloadSeconds = 1 })
		tb := newTab(t, browser, 1920, 1080)
		tb.navigate(t, s.url("/"))
		changed := *snap
		changed.Events = append([]calendar.Event{{ID: "y", Calendar: "F", Summary: "Second " + evil, Start: at(0, 11, 0), End: at(0, 12, 0)}}, snap.Events...)
		s.board.p.Store(&changed)
		tb.until(t, "board swapped in", `document.querySelectorAll(".event").length == 2`, `document.getElementById("board").innerText`)
		var got struct {
			Summaries []string
			Elements  int
			Pwned     bool
		}
		tb.mustEval(t, `({ Summaries: [...document.querySelectorAll(".summary")].map(e => e.textContent),
			Elements: document.querySelectorAll("#board img, #board b, #board i").length, Pwned: !!window.pwned })`, &got)
		if len(got.Summaries) != 2 || got.Summaries[0] != "Second "+evil || got.Summaries[1] != evil || got.Elements != 0 || got.Pwned {
			t.Errorf("board: %+v; want the titles as text, no elements from them", got)
		}
		tb.checkClean(t, nil)
	})

	// The offline mark appears when the server stops, and clears when it is
	// back; a new version served later reloads the page.
	t.Run("offline", func(t *testing.T) {
		t.Parallel()
		s := newSite(t, now, sampleSnapshot(), func(c *config.Config) { c.Dashboard.ReloadSeconds = 2 })
		tb := newTab(t, browser, 1920, 1080)
		tb.navigate(t, s.url("/"))
		tb.until(t, "first poll", `window.__rec.polls >= 1`, "")
		var hidden bool
		tb.mustEval(t, `document.getElementById("offline").hidden`, &hidden)
		if !hidden {
			t.Fatal("offline mark shown while the server answers")
		}
		addr := s.addr
		s.stop()
		tb.until(t, "offline mark shown", `!document.getElementById("offline").hidden`, `window.__rec.polls`)
		s.start(addr)
		tb.until(t, "offline mark cleared", `document.getElementById("offline").hidden`, `window.__rec.polls`)
		var version string
		tb.mustEval(t, `document.body.dataset.version`, &version)
		if version != "v1" {
			t.Fatalf("page reloaded after the outage: version %q", version)
		}

		s.stop()
		s.opts.Version = "v2"
		s.start(addr)
		tb.until(t, "reload for the new version", `document.body.dataset.version == "v2"`, `document.body.dataset.version`)
		tb.checkClean(t, func(m chromedp.ConsoleMessage) bool { // the outages
			return m.Source == "network" && strings.Contains(m.Text, "net::ERR_")
		})
	})

	// The first paint, before any script, has the events; the clock shows
	// the kiosk's zone, not the browser's.
	t.Run("first paint and clock", func(t *testing.T) {
		t.Parallel()
		// 08:30 in Seoul is 23:30 the day before in UTC. The clock repaints
		// on the minute: a second later it says 08:31.
		early := time.Date(2026, 11, 22, 8, 30, 59, 0, seoul)
		s := newSite(t, early, sampleSnapshot(), func(c *config.Config) { c.Locale = "en" })

		bare := newTab(t, browser, 1920, 1080)
		if _, err := chromedp.Call(bare.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
		bare.navigate(t, s.url("/"))
		var paint struct {
			Clock, Date string
			Shown       []string
		}
		bare.mustEval(t, `({ Clock: document.getElementById("clock").textContent, Date: document.getElementById("date").textContent,
			Shown: [...document.querySelectorAll(".summary")].filter(e => { const r = e.getBoundingClientRect();
				return r.width > 0 && r.height > 0 && r.top >= 0 && r.bottom <= innerHeight; }).map(e => e.textContent) })`, &paint)
		if paint.Clock != "08:30" || paint.Date != "Sunday, November 22, 2026" {
			t.Errorf("server-rendered clock %q date %q, want 08:30, Sunday, November 22, 2026", paint.Clock, paint.Date)
		}
		if got := strings.Join(paint.Shown, ","); got != "Trip,Dentist" {
			t.Errorf("first paint shows events %q, want Trip,Dentist (breakfast is over)", got)
		}

		tb := newTab(t, browser, 1920, 1080)
		tb.navigate(t, s.url("/"))
		var zone string
		tb.mustEval(t, `Intl.DateTimeFormat().resolvedOptions().timeZone`, &zone)
		if zone != "UTC" {
			t.Fatalf("the browser's zone is %q; the test needs UTC", zone)
		}
		tb.until(t, "clock at the next minute", `document.getElementById("clock").textContent === "08:31"`, `document.getElementById("clock").textContent`)
		var clock struct{ Clock, Date string }
		tb.mustEval(t, `({ Clock: document.getElementById("clock").textContent, Date: document.getElementById("date").textContent })`, &clock)
		if clock.Date != "Sunday, November 22, 2026" {
			t.Errorf("date %q, want Seoul's Sunday, November 22, 2026 (UTC would be Saturday)", clock.Date)
		}
		bare.checkClean(t, nil)
		tb.checkClean(t, nil)
	})

	// Nothing overflows the screen, landscape or portrait.
	t.Run("no scrollbars", func(t *testing.T) {
		t.Parallel()
		s := newSite(t, now, sampleSnapshot(), nil)
		for _, size := range [][2]int64{{1920, 1080}, {1080, 1920}} {
			tb := newTab(t, browser, size[0], size[1])
			tb.navigate(t, s.url("/"))
			tb.until(t, "first poll", `window.__rec.polls >= 1`, "")
			checkFits(t, tb, fmt.Sprintf("%dx%d", size[0], size[1]), "")
			tb.checkClean(t, nil)
		}
	})

	// Without an admin token the status page has no admin form, only a
	// hint, and still refreshes itself without a script error. The data
	// dir problem heads it, its long commands kept within a phone's width.
	t.Run("status without an admin token", func(t *testing.T) {
		t.Parallel()
		s := newSite(t, now, sampleSnapshot(), nil, func(o *Options) {
			o.Status.Fallback, o.Status.DataDir = cache.ReadOnly, "/home/pi/a-rather-long-folder-name/for-the-kiosk-data"
		})
		tb := newTab(t, browser, 360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch)
		tb.navigate(t, s.url("/status"))
		var got struct {
			Form bool
			Hint string
		}
		tb.mustEval(t, `({Form: !!document.getElementById("message-form"), Hint: document.querySelector("#admin-off .hint").textContent})`, &got)
		if got.Form || !strings.Contains(got.Hint, "admin_token_file") {
			t.Errorf("admin form shown %v, hint %q: want no form and a hint naming admin_token_file", got.Form, got.Hint)
		}
		var fix string
		tb.mustEval(t, `document.querySelector(".headline .fix").textContent`, &fix)
		if !strings.Contains(fix, "chown") {
			t.Errorf("headline fix %q lacks the chown command", fix)
		}
		checkPhoneWidth(t, tb)
		tb.checkClean(t, nil)
	})

	// The status page on a phone: no horizontal overflow; its admin form
	// keeps the token in localStorage and sends a message that the
	// dashboard then shows.
	t.Run("status on a phone", func(t *testing.T) {
		t.Parallel()
		s := newSite(t, now, sampleSnapshot(), func(c *config.Config) { c.AdminToken = token })
		tb := newTab(t, browser, 360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch)
		tb.navigate(t, s.url("/status"))
		checkPhoneWidth(t, tb)

		send := func(msg string) string {
			t.Helper()
			tb.mustEval(t, `document.getElementById("admin-result").textContent = ""`, new(string))
			ctx, cancel := context.WithTimeout(tb.ctx, wait)
			defer cancel()
			if err := chromedp.Do(ctx,
				chromedp.SetValue(chromedp.ID("message"), msg),
				chromedp.Click(chromedp.CSS("#message-form button")),
			); err != nil {
				t.Fatal(err)
			}
			tb.until(t, "answer", `!["", "…"].includes(document.getElementById("admin-result").textContent)`, `document.getElementById("admin-result").textContent`)
			var res string
			tb.mustEval(t, `document.getElementById("admin-result").textContent`, &res)
			return res
		}
		ctx, cancel := context.WithTimeout(tb.ctx, wait)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("token"), "wrong-token")); err != nil {
			t.Fatal(err)
		}
		if res := send("nope"); res != "관리자 토큰이 틀렸습니다" { // the page's language, not the API's English
			t.Errorf("with a wrong token: %q, want the 401 in Korean", res)
		}
		tb.mustEval(t, `document.getElementById("token").value = ""`, new(string))
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.ID("token"), token),
			chromedp.Click(chromedp.CSS("#token-form button")),
		); err != nil {
			t.Fatal(err)
		}
		var stored string
		tb.mustEval(t, `localStorage.getItem("kiosk.admin")`, &stored)
		if stored != token {
			t.Fatalf("kiosk.admin = %q, want the token", stored)
		}
		// A reload fills the token in from localStorage.
		tb.navigate(t, s.url("/status"))
		var filled string
		tb.mustEval(t, `document.getElementById("token").value`, &filled)
		if filled != token {
			t.Fatalf("token field after a reload = %q", filled)
		}
		msg := "저녁 먹자!\nDinner is ready"
		if res := send(msg); res != "완료" {
			t.Fatalf("send: %q, want 완료 (201)", res)
		}
		var left string
		tb.mustEval(t, `document.getElementById("message").value`, &left)
		if left != "" {
			t.Errorf("message field keeps %q after sending", left)
		}
		checkPhoneWidth(t, tb)
		tb.checkClean(t, func(m chromedp.ConsoleMessage) bool { // the deliberate 401
			return m.Source == "network" && strings.Contains(m.Text, "401")
		})

		dash := newTab(t, browser, 1920, 1080)
		dash.navigate(t, s.url("/"))
		dash.until(t, "message on the dashboard", fmt.Sprintf(`document.getElementById("toast-text").textContent == %s`, jsString(msg)),
			`document.getElementById("toast-text").textContent`)
		dash.checkClean(t, nil)
	})
}

// checkFits fails t when the page scrolls or a box cuts off its content.
// Boxes matching clips may clip theirs, when marked with the class overflow
// (the page fades them out at the bottom).
func checkFits(t *testing.T, tb *tab, name, clips string) {
	t.Helper()
	var fit struct {
		Scroll [4]float64
		Cut    []string
	}
	tb.mustEval(t, `((clips) => {
		const d = document.documentElement, b = document.body;
		const cut = [];
		const name = (e) => e.tagName + "." + [...e.classList].join(".") + " " + JSON.stringify(e.textContent.trim().slice(0, 30));
		for (const e of document.querySelectorAll("body *")) {
			const s = getComputedStyle(e);
			if (s.display === "none" || e.closest("[hidden]")) continue;
			const clip = clips && e.parentElement.closest(clips);
			if (clip) {
				if (!clip.classList.contains("overflow") && (clip.scrollHeight > clip.clientHeight + 1)) {
					cut.push("not marked overflow: " + name(clip));
				}
				continue;
			}
			const r = e.getBoundingClientRect();
			if (r.width === 0 && r.height === 0) continue;
			if (r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5 || r.left < -0.5 || r.top < -0.5) {
				cut.push("outside the screen: " + name(e));
			}
			if (clips && e.matches(clips)) continue;
			if (s.overflow.includes("hidden") && (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1)) {
				cut.push("cut off: " + name(e) + " " + e.scrollWidth + "x" + e.scrollHeight + " in " + e.clientWidth + "x" + e.clientHeight);
			}
		}
		return { Scroll: [Math.max(d.scrollWidth, b.scrollWidth), innerWidth, Math.max(d.scrollHeight, b.scrollHeight), innerHeight], Cut: [...new Set(cut)] };
	})(`+jsString(clips)+`)`, &fit)
	if fit.Scroll[0] > fit.Scroll[1] || fit.Scroll[2] > fit.Scroll[3] {
		t.Errorf("%s: page is %vx%v in a %vx%v window", name, fit.Scroll[0], fit.Scroll[2], fit.Scroll[1], fit.Scroll[3])
	}
	for _, c := range fit.Cut {
		t.Errorf("%s: %s", name, c)
	}
}

// checkPhoneWidth fails t when the page is wider than the phone.
func checkPhoneWidth(t *testing.T, tb *tab) {
	t.Helper()
	var w struct {
		Scroll, Inner float64
		Wide          []string
	}
	tb.mustEval(t, `({ Scroll: document.documentElement.scrollWidth, Inner: innerWidth,
		Wide: [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
			.map(e => e.tagName + "." + e.className) })`, &w)
	if w.Scroll > w.Inner || len(w.Wide) > 0 {
		t.Errorf("status page is %v px wide on a %v px phone; too wide: %v", w.Scroll, w.Inner, w.Wide)
	}
}

// demoSnapshot is the built-in demo data at at, as the screen shows it.
func demoSnapshot(t *testing.T, at time.Time) *dashboard.Snapshot {
	t.Helper()
	clock := func() time.Time { return at }
	cal := &demo.Calendar{Name: "가족", Color: "#5b9bd5", Loc: seoul, Locale: "ko", Now: clock}
	from, to := calendar.Window(at, seoul, 7)
	events, err := cal.Events(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	trains, err := (&demo.Trains{Now: clock}).Reservations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	updated := at.Add(-3 * time.Minute)
	return &dashboard.Snapshot{Events: events, Trains: trains, Sources: []source.Status{
		{Name: "가족", Kind: "demo", OK: true, Updated: &updated},
		{Name: "SRT", Kind: "srt", OK: true, Updated: &updated},
	}}
}
