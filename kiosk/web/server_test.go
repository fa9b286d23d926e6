package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	_ "time/tzdata"

	"kiosk/cache"
	"kiosk/kiosk/calendar"
	"kiosk/kiosk/config"
	"kiosk/kiosk/dashboard"
	"kiosk/kiosk/notices"
	"kiosk/kiosk/remind"
	"kiosk/kiosk/source"
	"kiosk/kiosk/srt"
	"kiosk/static"
	"kiosk/views"
)

type fixedBoard struct{ snap *dashboard.Snapshot }

func (b fixedBoard) Snapshot() *dashboard.Snapshot { return b.snap }

var seoul, _ = time.LoadLocation("Asia/Seoul")

// now is 2026-11-22 09:00 KST, a Sunday.
var now = time.Date(2026, 11, 22, 9, 0, 0, 0, seoul)

func newServer(t testing.TB, snap *dashboard.Snapshot, edit func(*config.Config)) *Server {
	t.Helper()
	return newServerWith(t, snap, edit, nil)
}

// newServerWith is newServer whose Options opts may change before New.
func newServerWith(t testing.TB, snap *dashboard.Snapshot, edit func(*config.Config), opts func(*Options)) *Server {
	t.Helper()
	cfg, err := config.Default(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(cfg)
	}
	store, err := cache.Open("", func() time.Time { return now }, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	queue, err := remind.NewQueue(store)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{
		Config: cfg, Board: fixedBoard{snap}, Log: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return now }, Version: "v1.2.3", Views: views.FS, Static: static.FS,
		Queue: queue, Status: StatusInfo{Started: now.Add(-time.Hour)},
	}
	if opts != nil {
		opts(&o)
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func get(t testing.TB, s *Server, path string) (*http.Response, string) {
	t.Helper()
	res, err := s.App().Test(httptest.NewRequest("GET", path, nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func at(d, h, m int) time.Time { return time.Date(2026, 11, 22+d, h, m, 0, 0, seoul) }

func sampleSnapshot() *dashboard.Snapshot {
	deadline := at(0, 10, 30)
	updated := at(0, 8, 0).UTC()
	return &dashboard.Snapshot{
		Events: []calendar.Event{
			{ID: "old", Calendar: "Family", Summary: "Yesterday", Start: at(-1, 10, 0), End: at(-1, 11, 0)},
			{ID: "trip", Calendar: "Family", Summary: "Trip", Start: at(-2, 0, 0), End: at(1, 0, 0), AllDay: true},
			{ID: "breakfast", Calendar: "Family", Summary: "Breakfast", Start: at(0, 7, 0), End: at(0, 8, 0)},
			{ID: "dentist", Calendar: "School", Summary: "Dentist", Start: at(0, 10, 0).UTC(), End: at(0, 11, 0).UTC(), Color: "#d06b64"},
			{ID: "late", Calendar: "Family", Summary: "Next week", Start: at(7, 0, 0), End: at(7, 1, 0)},
		},
		Trains: []srt.Reservation{
			{Train: "SRT 100", DepartureStation: "수서", ArrivalStation: "부산", Departure: at(0, 8, 0), Arrival: at(0, 10, 0)},
			{PNR: "FAKE-PNR-301", Train: "SRT 301", DepartureStation: "수서", ArrivalStation: "부산", Departure: at(1, 8, 0), Arrival: at(1, 10, 31),
				Car: "3", Seat: "7A", SeatClass: "일반실", Passengers: 1, PaymentDeadline: &deadline},
		},
		Sources: []source.Status{
			{Name: "Family", Kind: "google", OK: true, Updated: &updated},
			{Name: "School", Kind: "ics", Stale: true, Updated: &updated, Error: "ics: HTTP 500"},
		},
	}
}

func TestDashboardJSON(t *testing.T) {
	s := newServer(t, sampleSnapshot(), func(c *config.Config) {
		c.Calendars = []config.Calendar{{Name: "Family", Color: "#123456"}, {Name: "School"}}
	})
	res, body := get(t, s, "/api/dashboard")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, content type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var d struct {
		Version, Now, Timezone string
		Events                 []map[string]any
		Trains                 []map[string]any
		Sources                []map[string]any
	}
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatal(err)
	}
	if d.Version != "v1.2.3" || d.Now != "2026-11-22T09:00:00+09:00" || d.Timezone != "Asia/Seoul" {
		t.Errorf("header fields: %q %q %q", d.Version, d.Now, d.Timezone)
	}
	var ids []string
	for _, e := range d.Events {
		ids = append(ids, e["id"].(string))
	}
	if got := strings.Join(ids, ","); got != "trip,breakfast,dentist" {
		t.Errorf("events = %s, want the window's instances in start order: trip,breakfast,dentist", got)
	}
	trip, dentist := d.Events[0], d.Events[2]
	if trip["start"] != "2026-11-20T00:00:00+09:00" || trip["end"] != "2026-11-23T00:00:00+09:00" || trip["all_day"] != true {
		t.Errorf("all-day event: %v", trip)
	}
	if dentist["start"] != "2026-11-22T10:00:00+09:00" || dentist["color"] != "#d06b64" || dentist["calendar"] != "School" {
		t.Errorf("timed event not in the zone or lost its color: %v", dentist)
	}
	if trip["color"] != "#123456" {
		t.Errorf("calendar color not applied: %v", trip["color"])
	}
	wantKeys := "all_day,calendar,color,end,id,location,start,summary"
	if got := keys(trip); got != wantKeys {
		t.Errorf("event keys %s, want %s", got, wantKeys)
	}
	if len(d.Trains) != 1 || d.Trains[0]["train"] != "SRT 301" {
		t.Fatalf("trains = %v, want only the future one", d.Trains)
	}
	tr := d.Trains[0]
	if got, want := keys(tr), "arrival,arrival_station,car,departure,departure_station,paid,passengers,payment_deadline,seat,seat_class,standby,train"; got != want {
		t.Errorf("train keys %s, want %s", got, want)
	}
	if tr["payment_deadline"] != "2026-11-22T10:30:00+09:00" || tr["departure"] != "2026-11-23T08:00:00+09:00" {
		t.Errorf("train times: %v", tr)
	}
	if len(d.Sources) != 2 || d.Sources[1]["stale"] != true || d.Sources[1]["updated"] != "2026-11-22T08:00:00+09:00" {
		t.Errorf("sources = %v", d.Sources)
	}
}

func keys(m map[string]any) string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	sortStrings(k)
	return strings.Join(k, ",")
}

func TestDashboardEmptyArraysNotNull(t *testing.T) {
	s := newServer(t, &dashboard.Snapshot{}, nil)
	_, body := get(t, s, "/api/dashboard")
	for _, k := range []string{`"events":[]`, `"trains":[]`, `"sources":[]`} {
		if !strings.Contains(body, k) {
			t.Errorf("body lacks %s: %s", k, body)
		}
	}
}

func TestPage(t *testing.T) {
	s := newServer(t, sampleSnapshot(), func(c *config.Config) { c.Locale = "en" })
	res, body := get(t, s, "/")
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{
		`<html lang="en">`, "09:00", "Sunday, November 22, 2026",
		">Today<", ">Tomorrow<", "Dentist", `10:00<span class="until">11:00</span>`,
		"1 earlier today", // breakfast ended at 08:00: counted, not listed
		`<span class="range">~11/22</span> <span class="nth">day 3 of 3</span>`, // the trip, a marker on its last day
		`<span class="rel" data-rel="`,                                          // the dentist is next: in 60 min
		">in 1 h<",
		"SRT 301", "Pay by",
		"School: stale since 11/22 08:00", `data-date="2026-11-22"`,
		`data-version="v1.2.3"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "Yesterday") || strings.Contains(body, "Next week") || strings.Contains(body, "SRT 100") || strings.Contains(body, "Breakfast") {
		t.Error("page shows something outside the window, or a finished event of today")
	}
	if strings.Index(body, "Trip") > strings.Index(body, "Dentist") {
		t.Error("multi-day and all-day events must come first in a day")
	}
	if strings.Contains(body, "demo") {
		t.Error("demo badge shown outside demo mode")
	}
	// The school calendar is stale: its events carry the mark, and an empty
	// day does not claim to be free.
	if !strings.Contains(body, `class="row event next stale"`) {
		t.Error("the stale calendar's event is not marked")
	}
	if strings.Contains(body, "No events<") || !strings.Contains(body, "No events loaded") {
		t.Error(`empty days say "No events" while a calendar fails`)
	}
}

func TestHostileTextIsEscaped(t *testing.T) {
	evil := `<script>alert(1)</script><img src=x onerror=alert(2)>`
	snap := &dashboard.Snapshot{
		Events: []calendar.Event{{ID: "x", Calendar: "F", Summary: evil, Location: `"><b>loc</b>`, Start: at(0, 12, 0), End: at(0, 13, 0),
			Color: `red;}</style><script>x</script>`}},
		Trains:  []srt.Reservation{{Train: "<i>SRT</i>", DepartureStation: "<b>", Departure: at(1, 1, 0), Arrival: at(1, 2, 0)}},
		Sources: []source.Status{{Name: "<svg onload=x>", Kind: "ics", Error: "<script>"}},
	}
	s := newServer(t, snap, nil)
	for _, path := range []string{"/", "/partial/board"} {
		_, body := get(t, s, path)
		for _, bad := range []string{"<script>alert", "<img src=x", "<b>loc</b>", "<i>SRT</i>", "<svg", "</style><script>"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s: unescaped %q in page", path, bad)
			}
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the title is not shown as text", path)
		}
	}
	_, body := get(t, s, "/api/dashboard")
	if strings.Contains(body, "<script>") {
		t.Error("JSON carries raw markup; encoding/json must escape < >")
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := newServer(t, &dashboard.Snapshot{}, nil)
	for _, path := range []string{"/", "/api/dashboard", "/healthz", "/nope"} {
		res, _ := get(t, s, path)
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: missing nosniff or referrer policy", path)
		}
	}
}

func TestNoInlineScriptOrStyle(t *testing.T) {
	s := newServer(t, sampleSnapshot(), nil)
	_, body := get(t, s, "/")
	for _, bad := range []string{"<script>", " style=", "onload=", "onclick=", "<style"} {
		if strings.Contains(body, bad) {
			t.Errorf("page has %q, which the CSP blocks", bad)
		}
	}
}

func TestRoutes(t *testing.T) {
	s := newServer(t, &dashboard.Snapshot{}, nil)
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/healthz", 200, "ok"},
		{"/api/notifications", 200, "[]"},
		{"/api/nope", 404, `{"error":"Not Found"}`},
		{s.assets + "/js/kiosk.js", 200, ""},
		{s.assets + "/css/kiosk.css", 200, ""},
		{s.assets + "/sounds/chime.wav", 200, ""},
		{"/static/old/js/kiosk.js", 404, ""},
		{s.assets + "/../static.go", 404, ""},
	}
	for _, tc := range tests {
		res, body := get(t, s, tc.path)
		if res.StatusCode != tc.status || (tc.body != "" && body != tc.body) {
			t.Errorf("GET %s = %d %q, want %d %q", tc.path, res.StatusCode, body, tc.status, tc.body)
		}
	}
	res, _ := get(t, s, s.assets+"/js/kiosk.js")
	if !strings.Contains(res.Header.Get("Cache-Control"), "max-age=31536000") {
		t.Errorf("versioned assets should be cached long: %q", res.Header.Get("Cache-Control"))
	}
}

func TestPageLinksExistingAssets(t *testing.T) {
	s := newServer(t, &dashboard.Snapshot{}, nil)
	_, body := get(t, s, "/")
	for _, asset := range []string{"/js/kiosk.js", "/css/kiosk.css", "/sounds/chime.wav"} {
		if !strings.Contains(body, s.assets+asset) {
			t.Errorf("page does not link %s", asset)
		}
	}
}

// TestMaxEventsIgnored: max_events no longer cuts the page; what fits is
// measured in the page, which counts the rest under each day.
func TestMaxEventsIgnored(t *testing.T) {
	var events []calendar.Event
	for i := range 50 {
		events = append(events, calendar.Event{ID: fmt.Sprint(i), Calendar: "F", Summary: fmt.Sprintf("E%02d", i),
			Start: at(1, 10, i), End: at(1, 11, i)})
	}
	s := newServer(t, &dashboard.Snapshot{Events: events}, func(c *config.Config) {
		c.Locale = "en"
		c.Dashboard.MaxEvents = 10
	})
	_, body := get(t, s, "/")
	if n := strings.Count(body, `<li class="row event`); n != 50 {
		t.Errorf("page has %d events, want all 50 (the page fits them)", n)
	}
	if !strings.Contains(body, `data-count="50"`) || !strings.Contains(body, `data-more="&#43;%d more"`) {
		t.Error("the day does not carry its count and the +N format")
	}
	_, js := get(t, s, "/api/dashboard")
	if n := strings.Count(js, `"summary"`); n != 50 {
		t.Errorf("/api/dashboard returns %d events, want every instance (50)", n)
	}
}

// TestBoardFailures: a calendar that failed without data is named in the
// board's place, a stale one says since when, empty days say nothing is
// loaded, and only configured sections with something to show are there.
func TestBoardFailures(t *testing.T) {
	updated := at(-1, 20, 38)
	tests := []struct {
		name      string
		sources   []source.Status
		trains    []srt.Reservation
		want, not []string
	}{
		{
			name:    "failed without data",
			sources: []source.Status{{Name: "가족", Kind: "google", Error: "google: 401"}},
			want:    []string{"가족 캘린더: 불러오지 못함 (설정 확인)", "불러온 일정 없음"},
			not:     []string{">일정 없음<", `class="side"`, "기차", "알림판"},
		},
		{
			name:    "stale",
			sources: []source.Status{{Name: "학교", Kind: "ics", Stale: true, Updated: &updated, Error: "ics: HTTP 500"}},
			want:    []string{"학교: 11/21 20:38 이후 갱신 안 됨", "불러온 일정 없음"},
			not:     []string{">일정 없음<"},
		},
		{
			name:    "all fine, no trains or notices",
			sources: []source.Status{{Name: "가족", Kind: "google", OK: true, Updated: &updated}},
			want:    []string{">일정 없음<"},
			not:     []string{"불러오지", "갱신 안 됨", `class="side"`, `class="alerts"`},
		},
		{
			name:    "a train after midnight",
			sources: []source.Status{{Name: "SRT", Kind: "srt", OK: true, Updated: &updated}},
			trains:  []srt.Reservation{{Train: "SRT 651", DepartureStation: "수서", ArrivalStation: "광주송정", Departure: at(0, 23, 10), Arrival: at(1, 0, 58)}},
			want:    []string{`00:58 <span class="next-day">&#43;1</span>`, "기차"},
		},
		{
			name:    "trains failing",
			sources: []source.Status{{Name: "SRT", Kind: "srt", Error: "srt: login"}},
			want:    []string{"SRT: 불러오지 못함", "기차"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, &dashboard.Snapshot{Sources: tc.sources, Trains: tc.trains}, nil)
			_, body := get(t, s, "/partial/board")
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("board lacks %q", w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(body, n) {
					t.Errorf("board has %q", n)
				}
			}
		})
	}
}

// TestNoticesGrouped: each notice source is one heading over its items.
func TestNoticesGrouped(t *testing.T) {
	s := newServerWith(t, &dashboard.Snapshot{}, nil, func(o *Options) {
		o.Notices = func(time.Time) []notices.Item {
			return []notices.Item{
				{Source: "학교", Title: "공개수업", Published: now},
				{Source: "아파트", Title: "승강기 점검", Published: now},
				{Source: "학교", Title: "방학 안내", Published: now},
			}
		}
	})
	_, body := get(t, s, "/partial/board")
	if n := strings.Count(body, "<h2>학교<"); n != 1 {
		t.Errorf("the school heading shows %d times, want once", n)
	}
	if i, j, k := strings.Index(body, "공개수업"), strings.Index(body, "방학 안내"), strings.Index(body, "<h2>아파트<"); i > j || j > k {
		t.Error("the school's notices are not together under its heading")
	}
}

func TestRelative(t *testing.T) {
	tests := []struct {
		d      time.Duration
		ko, en string
	}{
		{30 * time.Second, "1분 후", "in 1 min"},
		{35 * time.Minute, "35분 후", "in 35 min"},
		{2 * time.Hour, "2시간 후", "in 2 h"},
		{125 * time.Minute, "2시간 5분 후", "in 2 h 5 min"},
		{50 * time.Hour, "2일 후", "in 2 days"},
	}
	for _, tc := range tests {
		if got := locales["ko"].relative(tc.d); got != tc.ko {
			t.Errorf("ko relative(%v) = %q, want %q", tc.d, got, tc.ko)
		}
		if got := locales["en"].relative(tc.d); got != tc.en {
			t.Errorf("en relative(%v) = %q, want %q", tc.d, got, tc.en)
		}
	}
}

func benchSnapshot(n int) *dashboard.Snapshot {
	snap := sampleSnapshot()
	snap.Events = nil
	for i := range n {
		start := at(i%7, 6+i%16, i%60)
		snap.Events = append(snap.Events, calendar.Event{ID: fmt.Sprint("ev", i), Calendar: "Family",
			Summary: fmt.Sprintf("Event number %d with a title", i), Location: "Somewhere", Start: start, End: start.Add(time.Hour)})
	}
	calendar.Sort(snap.Events)
	return snap
}

// benchGet measures GET path with 500 events: "rendered" moves the clock a
// second per request, so every request renders (the cost a Pi pays once a
// second); "cached" keeps it, so requests share one rendering.
func benchGet(b *testing.B, path string) {
	for _, tc := range []struct {
		name string
		tick time.Duration
	}{{"rendered", time.Second}, {"cached", 0}} {
		b.Run(tc.name, func(b *testing.B) {
			s := newServer(b, benchSnapshot(500), nil)
			clock := now
			s.now = func() time.Time { return clock }
			req := httptest.NewRequest("GET", path, nil)
			b.ReportAllocs()
			for b.Loop() {
				clock = clock.Add(tc.tick)
				res, err := s.App().Test(req, -1)
				if err != nil || res.StatusCode != 200 {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
			}
		})
	}
}

func BenchmarkDashboardJSON500(b *testing.B) { benchGet(b, "/api/dashboard") }
func BenchmarkPage500(b *testing.B)          { benchGet(b, "/") }

func TestDisplayAndClockHeaders(t *testing.T) {
	s := newServer(t, &dashboard.Snapshot{}, func(c *config.Config) {
		c.Display = &config.Display{Off: "08:30", On: "10:00"}
		c.QuietHours = &config.Span{Start: "08:00", End: "09:30"}
	})
	s.synced = func() (bool, bool) { return false, true }
	_, body := get(t, s, "/api/display")
	if body != `{"scheduled":true,"on":false,"off":"08:30","on_at":"10:00","next_change":"2026-11-22T10:00:00+09:00"}` {
		t.Errorf("/api/display = %s", body)
	}
	res, _ := get(t, s, "/api/notifications")
	if res.Header.Get("X-Kiosk-Quiet") != "1" || res.Header.Get("X-Clock-Synced") != "0" {
		t.Errorf("headers: quiet %q synced %q", res.Header.Get("X-Kiosk-Quiet"), res.Header.Get("X-Clock-Synced"))
	}
	if res.Header.Get("X-Server-Time") != fmt.Sprint(now.UnixMilli()) {
		t.Errorf("X-Server-Time %q", res.Header.Get("X-Server-Time"))
	}
	s.synced = func() (bool, bool) { return true, true }
	if res, _ := get(t, s, "/api/notifications"); res.Header.Get("X-Clock-Synced") != "" {
		t.Error("synced clock still flagged")
	}
}

// TestServeStopsAtOnce: a stop right as serving starts (SIGTERM during
// start-up) must still end Serve.
func TestServeStopsAtOnce(t *testing.T) {
	s := newServer(t, &dashboard.Snapshot{}, nil)
	for i := range 30 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Serve(ctx, ln) }()
		if i%2 == 0 {
			time.Sleep(time.Duration(i) * 100 * time.Microsecond)
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run %d: %v", i, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("run %d: Serve did not return after the stop", i)
		}
	}
}

type swapBoard struct {
	snap atomic.Pointer[dashboard.Snapshot]
}

func (b *swapBoard) Snapshot() *dashboard.Snapshot { return b.snap.Load() }

// TestRenderCacheFollowsData: answers are rendered once a second, but a new
// snapshot or a queue change shows at once.
func TestRenderCacheFollowsData(t *testing.T) {
	s := newServer(t, &dashboard.Snapshot{}, func(c *config.Config) { c.Locale = "en" })
	b := &swapBoard{}
	b.snap.Store(&dashboard.Snapshot{Events: []calendar.Event{{ID: "a", Summary: "First", Start: at(0, 10, 0), End: at(0, 11, 0)}}})
	s.board = b
	for _, path := range []string{"/", "/partial/board", "/api/dashboard"} {
		if _, body := get(t, s, path); !strings.Contains(body, "First") {
			t.Fatalf("%s lacks the first event", path)
		}
	}
	b.snap.Store(&dashboard.Snapshot{Events: []calendar.Event{{ID: "b", Summary: "Second", Start: at(0, 10, 0), End: at(0, 11, 0)}}})
	for _, path := range []string{"/", "/partial/board", "/api/dashboard"} {
		if _, body := get(t, s, path); !strings.Contains(body, "Second") || strings.Contains(body, "First") {
			t.Errorf("%s within the same second still shows the old snapshot", path)
		}
	}
	s.queue.Add(remind.Notification{Message: "Board note", Expire: now.Add(time.Hour).Unix(), ShowNotiboard: true})
	if _, body := get(t, s, "/partial/board"); !strings.Contains(body, "Board note") {
		t.Error("a queue change within the same second is not on the board")
	}
}
