package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/config"
	"kiosk/kiosk/dashboard"
	"kiosk/kiosk/ics"
	"kiosk/kiosk/remind"
	"kiosk/kiosk/source"
	"kiosk/static"
	"kiosk/views"
)

// The upstream fault tests run in-process: the real ICS source, board,
// store and fiber app, with the calendar served by a local fake that
// misbehaves. In-process because the test needs a short client timeout
// (main's is 30 s), a clock it can move past back-offs, and the
// goroutine count, none of which the binary exposes.

// upClock is a clock the test moves by hand.
type upClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *upClock) now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *upClock) add(d time.Duration)     { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func (c *upClock) set(t time.Time)         { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func newUpClock(t time.Time) *upClock      { return &upClock{t: t} }
func upEventStart(d, h int) time.Time      { return time.Date(2026, 11, 22+d, h, 0, 0, 0, seoul) }
func upICSTime(t time.Time) string         { return t.UTC().Format("20060102T150405Z") }
func upDeadline(d time.Duration) time.Time { return time.Now().Add(d) }

// upFeed is the good calendar: three events in the dashboard window.
var upFeed = func() string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kiosk test//EN\r\n")
	for i, s := range []time.Time{upEventStart(0, 10), upEventStart(1, 8), upEventStart(2, 19)} {
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:up-%d@example.test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Good %d\r\nEND:VEVENT\r\n",
			i, upICSTime(s), upICSTime(s.Add(time.Hour)), i)
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.String()
}()

// secretPath is in the feed URL, as private calendar addresses carry
// their token there: no error text may show it.
const secretPath = "/private-0123456789abcdef/basic.ics"

// upstreamTimeout is the test's client timeout, and readBudget how long a
// dashboard read may take while a refresh hangs on the upstream.
const (
	upstreamTimeout = 400 * time.Millisecond
	readBudget      = 150 * time.Millisecond
	maxFeedBytes    = 64 << 10
)

type fault struct {
	name  string
	serve http.HandlerFunc // nil: the upstream's port is closed
	// want lists words of which the source's error must hold one.
	want       []string
	retryAfter time.Duration // the back-off the upstream asked for
}

func faults() []fault {
	huge := "BEGIN:VCALENDAR\r\n" + strings.Repeat("X-FILLER:"+strings.Repeat("x", 70)+"\r\n", 2*maxFeedBytes/80)
	return []fault{
		{"timeout", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			[]string{"timeout", "deadline"}, 0},
		{"connection reset", func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			conn.(*net.TCPConn).SetLinger(0) // close sends RST
			conn.Close()
		}, []string{"reset", "eof"}, 0},
		{"slow body, 1 byte/s", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/calendar")
			w.WriteHeader(200)
			for i := 0; i < len(upFeed); i++ {
				w.Write([]byte{upFeed[i]})
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(time.Second):
				}
			}
		}, []string{"timeout", "deadline", "canceled"}, 0},
		{"500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", 500) }, []string{"500"}, 0},
		{"502 with an HTML page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
		}, []string{"502"}, 0},
		{"503 with Retry-After", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(503)
		}, []string{"503"}, 120 * time.Second},
		{"429 with Retry-After seconds", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "1800")
			w.WriteHeader(429)
		}, []string{"429"}, 30 * time.Minute},
		{"truncated body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(len(upFeed)))
			w.Header().Set("Content-Type", "text/calendar")
			w.Write([]byte(upFeed[:len(upFeed)/2])) // the server then closes the connection
		}, []string{"eof", "cut", "short", "unexpected"}, 0},
		{"huge body with Content-Length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(len(huge)))
			w.Write([]byte(huge))
		}, []string{"larger than"}, 0},
		{"huge body, chunked", func(w http.ResponseWriter, r *http.Request) {
			for i := 0; i < len(huge); i += 4096 {
				w.Write([]byte(huge[i:min(i+4096, len(huge))]))
				w.(http.Flusher).Flush()
			}
		}, []string{"larger than"}, 0},
		{"HTML where a calendar is expected", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<!doctype html><html><head><title>Sign in</title></head><body><form>…</form></body></html>"))
		}, []string{"calendar"}, 0},
		{"JSON where a calendar is expected", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"error":{"code":401,"message":"Login Required"}}`))
		}, []string{"calendar"}, 0},
		{"empty 200", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/calendar")
		}, []string{"calendar", "empty"}, 0},
		{"connection refused", nil, []string{"refused", "connect"}, 0},
	}
}

// upSite is a server on a board with one ICS calendar served by up.
type upSite struct {
	clock  *upClock
	srv    *Server
	board  *dashboard.Board
	store  *cache.Store
	client *http.Client
	hits   func() int
}

func (u *upSite) dashboard(t *testing.T) (DashboardJSON, time.Duration) {
	t.Helper()
	t0 := time.Now()
	res, body := get(t, u.srv, "/api/dashboard")
	took := time.Since(t0)
	var d DashboardJSON
	if res.StatusCode != 200 || json.Unmarshal([]byte(body), &d) != nil {
		t.Fatalf("/api/dashboard: %d %.200s", res.StatusCode, body)
	}
	return d, took
}

// TestUpstreamFaults makes the calendar's upstream fail in each way in
// turn, after one good fetch. Each time: the dashboard keeps the last good
// events and answers within readBudget even while the refresh hangs; the
// source is reported not ok, stale, with a fitting error that does not
// show the feed's secret path, and a next try that honours Retry-After;
// nothing is fetched before then; a recovered upstream clears it all; and
// no goroutine outlives the case.
func TestUpstreamFaults(t *testing.T) {
	// fasthttp starts one date-updating goroutine per process, at the
	// first request: not a leak, so start it before counting.
	get(t, newServer(t, &dashboard.Snapshot{}, nil), "/healthz")
	for _, f := range faults() {
		t.Run(f.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			func() {
				var (
					mu   sync.Mutex
					bad  bool
					hits int
				)
				fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					hits++
					b := bad
					mu.Unlock()
					if r.URL.Path != secretPath {
						http.NotFound(w, r)
						return
					}
					if b && f.serve != nil {
						f.serve(w, r)
						return
					}
					w.Header().Set("Content-Type", "text/calendar")
					w.Write([]byte(upFeed))
				}))
				defer fake.Close()
				u := newUpSite(t, fake.URL+secretPath, func() int { mu.Lock(); defer mu.Unlock(); return hits })
				defer u.close()

				if err := u.board.RefreshCalendars(context.Background()); err != nil {
					t.Fatalf("good fetch: %v", err)
				}
				good, _ := u.dashboard(t)
				if len(good.Events) != 3 || !good.Sources[0].OK {
					t.Fatalf("after the good fetch: %d events, %+v", len(good.Events), good.Sources)
				}

				mu.Lock()
				bad = true
				mu.Unlock()
				if f.serve == nil { // the port closes
					fake.Close()
				}
				u.clock.add(6 * time.Minute) // past the calendar TTL

				// Refresh in the background and read meanwhile.
				done := make(chan error, 1)
				go func() { done <- u.board.RefreshCalendars(context.Background()) }()
				var refreshErr error
				reads := 0
				for waiting := true; waiting; {
					select {
					case refreshErr = <-done:
						waiting = false
					default:
					}
					d, took := u.dashboard(t)
					reads++
					if took > readBudget {
						t.Errorf("a dashboard read took %v during the refresh, budget %v", took, readBudget)
					}
					if len(d.Events) != 3 {
						t.Fatalf("during the fault the dashboard lists %d events, want the last good 3", len(d.Events))
					}
					time.Sleep(10 * time.Millisecond)
				}
				if refreshErr == nil {
					t.Fatal("the refresh reported no error")
				}

				d, _ := u.dashboard(t)
				st := d.Sources[0]
				msg := strings.ToLower(st.Error)
				if st.OK || !st.Stale || st.Failures != 1 || st.NextTry == nil || st.Error == "" {
					t.Errorf("source after the fault: %+v", st)
				}
				t.Logf("%d reads during the refresh; reported: %q, next try in %v", reads, st.Error, st.NextTry.Sub(u.clock.now()).Round(time.Second))
				if !containsAny(msg, f.want) {
					t.Errorf("error %q names none of %q", st.Error, f.want)
				}
				if strings.Contains(st.Error, "private-0123") || strings.Contains(refreshErr.Error(), "private-0123") {
					t.Errorf("an error shows the feed's secret path: %q / %q", st.Error, refreshErr)
				}
				if f.retryAfter > 0 && st.NextTry.Sub(u.clock.now()) < f.retryAfter-time.Second {
					t.Errorf("next try %v is sooner than the Retry-After %v", st.NextTry.Sub(u.clock.now()), f.retryAfter)
				}
				var sj StatusJSON
				if _, body := get(t, u.srv, "/api/status"); json.Unmarshal([]byte(body), &sj) != nil ||
					len(sj.Sources) != 1 || sj.Sources[0].OK || sj.Sources[0].Error != st.Error {
					t.Errorf("/api/status does not report the fault: %.300s", body)
				}
				if _, page := get(t, u.srv, "/status"); !strings.Contains(page, "Home") {
					t.Errorf("the status page does not show the source")
				}

				// Within the back-off the upstream is left alone.
				hitsBefore := u.hits()
				u.clock.add(st.NextTry.Sub(u.clock.now()) / 2)
				u.board.RefreshCalendars(context.Background())
				if f.serve != nil && u.hits() != hitsBefore {
					t.Errorf("fetched again within the back-off")
				}

				// Once the upstream is well and the back-off over, all is clear.
				if f.serve == nil {
					return // the fake is closed for good
				}
				mu.Lock()
				bad = false
				mu.Unlock()
				u.clock.set(st.NextTry.Add(time.Second))
				if err := u.board.RefreshCalendars(context.Background()); err != nil {
					t.Fatalf("refresh after recovery: %v", err)
				}
				d, _ = u.dashboard(t)
				if st := d.Sources[0]; !st.OK || st.Stale || st.Failures != 0 || st.Error != "" || st.NextTry != nil || len(d.Events) != 3 {
					t.Errorf("after recovery: %d events, %+v", len(d.Events), st)
				}
			}()
			// Goroutines of the case (fake server, client connections, the
			// store) must all end.
			deadline := upDeadline(3 * time.Second)
			for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if after := runtime.NumGoroutine(); after > before {
				buf := make([]byte, 1<<16)
				t.Errorf("%d goroutines before, %d after:\n%s", before, after, buf[:runtime.Stack(buf, true)])
			}
		})
	}
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// newUpSite builds the site; setup, if given, changes the config and the
// feed's client before they are used.
func newUpSite(t *testing.T, url string, hits func() int, setup ...func(*config.Config, *http.Client)) *upSite {
	t.Helper()
	clock := newUpClock(now)
	store, err := cache.Open("", clock.now, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Default(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Calendars = []config.Calendar{{Name: "Home", ICS: &config.ICS{URL: url}}}
	client := &http.Client{Timeout: upstreamTimeout}
	for _, f := range setup {
		f(cfg, client)
	}
	log := slog.New(slog.DiscardHandler)
	src := ics.New(ics.Options{Name: "Home", URL: url, Loc: seoul, HTTPClient: client, MaxBytes: maxFeedBytes, Now: clock.now, Logger: log})
	board := dashboard.New(dashboard.Options{
		Store: store, Scrub: source.NewScrubber(), Log: log, Loc: seoul, DaysAhead: 7, CalendarTTL: 5 * time.Minute,
		Calendars: []dashboard.Calendar{{Name: "Home", Kind: "ics", Source: src}},
	})
	queue, err := remind.NewQueue(store)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Config: cfg, Board: board, Log: log, Now: clock.now, Version: "test",
		Views: views.FS, Static: static.FS, Queue: queue, Status: StatusInfo{Started: now}})
	if err != nil {
		t.Fatal(err)
	}
	return &upSite{clock: clock, srv: srv, board: board, store: store, client: client, hits: hits}
}

func (u *upSite) close() {
	u.client.CloseIdleConnections()
	u.srv.App().Shutdown()
	u.store.Close()
}
