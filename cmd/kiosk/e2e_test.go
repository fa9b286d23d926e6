package main

// End-to-end: the real server (run) with a config naming real sources (an
// ICS file, the SRT fake), read back through /api/dashboard.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kiosk/kiosk/srt/srttest"
)

type dashboardJSON struct {
	Events []struct {
		ID, Calendar, Summary, Start, End string
		AllDay                            bool `json:"all_day"`
	}
	Trains []struct {
		Train, Car, Seat, Departure string
		Standby                     bool    `json:"standby"`
		Paid                        bool    `json:"paid"`
		Deadline                    *string `json:"payment_deadline"`
	}
	Sources []struct {
		Name, Kind, Error, Note string
		OK                      bool `json:"ok"`
	}
}

// serveUntil runs the server with cfg until ready(d) holds, then stops it.
func serveUntil(t *testing.T, cfg string, dataDir string, ready func(dashboardJSON) bool) dashboardJSON {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "kiosk.yaml")
	addr := freeAddr(t)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var logs bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-config", path, "-addr", addr, "-data", dataDir}, noEnv, &bytes.Buffer{}, &logs)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	}()
	var d dashboardJSON
	for deadline := time.Now().Add(30 * time.Second); ; {
		d = dashboardJSON{}
		if res, err := http.Get("http://" + addr + "/api/dashboard"); err == nil {
			json.NewDecoder(res.Body).Decode(&d)
			res.Body.Close()
			if ready(d) {
				return d
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %+v\n%s", d, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestICSEndToEnd(t *testing.T) {
	// Dates relative to today in Seoul, so the events fall in the window.
	seoul, _ := time.LoadLocation("Asia/Seoul")
	now := time.Now().In(seoul)
	day := func(d int) time.Time { return time.Date(now.Year(), now.Month(), now.Day()+d, 0, 0, 0, 0, seoul) }
	ics := strings.Join([]string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
		"BEGIN:VEVENT", "UID:allday@test", "DTSTAMP:20260101T000000Z",
		"DTSTART;VALUE=DATE:" + day(1).Format("20060102"), "DTEND;VALUE=DATE:" + day(3).Format("20060102"),
		"SUMMARY:Trip <b>bold</b>", "END:VEVENT",
		"BEGIN:VEVENT", "UID:ny@test", "DTSTAMP:20260101T000000Z",
		"DTSTART;TZID=America/New_York:" + day(0).AddDate(0, 0, -14).Format("20060102") + "T100000",
		"RRULE:FREQ=DAILY", "DURATION:PT1H", "SUMMARY:New York standup", "END:VEVENT",
		"BEGIN:VEVENT", "UID:utc@test", "DTSTAMP:20260101T000000Z",
		"DTSTART:" + day(2).Add(3*time.Hour).UTC().Format("20060102T150405Z"),
		"SUMMARY:UTC call", "END:VEVENT",
		"END:VCALENDAR", "",
	}, "\r\n")
	file := filepath.Join(t.TempDir(), "school.ics")
	os.WriteFile(file, []byte(ics), 0o600)
	cfg := "timezone: Asia/Seoul\ncalendars:\n  - name: School\n    ics: {file: " + file + "}\n"
	d := serveUntil(t, cfg, t.TempDir(), func(d dashboardJSON) bool { return len(d.Events) > 0 })

	byName := map[string][]string{}
	for _, e := range d.Events {
		if e.Calendar != "School" {
			t.Errorf("calendar %q", e.Calendar)
		}
		byName[e.Summary] = append(byName[e.Summary], e.Start+"/"+e.End+fmt.Sprint("/", e.AllDay))
	}
	if got, want := byName["Trip <b>bold</b>"], []string{day(1).Format(time.RFC3339) + "/" + day(3).Format(time.RFC3339) + "/true"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("all-day: %v, want %v", got, want)
	}
	if got := byName["UTC call"]; len(got) != 1 || !strings.HasPrefix(got[0], day(2).Add(3*time.Hour).Format(time.RFC3339)) {
		t.Errorf("UTC event: %v", got)
	}
	ny, _ := time.LoadLocation("America/New_York")
	standups := byName["New York standup"]
	if len(standups) < 6 {
		t.Fatalf("standups %v", standups)
	}
	for _, s := range standups {
		start, _ := time.Parse(time.RFC3339, strings.Split(s, "/")[0])
		if h := start.In(ny).Hour(); h != 10 {
			t.Errorf("standup at %s is %02d:00 in New York, want 10:00", start, h)
		}
		if !strings.HasSuffix(strings.Split(s, "/")[0], "+09:00") {
			t.Errorf("start %s not in the configured zone", s)
		}
	}
}

// TestSRTEndToEnd: the dashboard shows the fake's three reservations, and a
// restart within the cache TTL asks SR nothing.
func TestSRTEndToEnd(t *testing.T) {
	fake := srttest.New(t, srttest.Scenario{Bookings: srttest.Sample(time.Now())})
	data := t.TempDir()
	cfg := fmt.Sprintf(`timezone: Asia/Seoul
trains:
  srt:
    login_id: %q
    password: %q
    endpoint: %q
`, srttest.LoginPhone, srttest.Password, fake.URL)
	ready := func(d dashboardJSON) bool { return len(d.Trains) == 3 }
	d := serveUntil(t, cfg, data, ready)
	var standby, unpaid, seated int
	for _, tr := range d.Trains {
		switch {
		case tr.Standby:
			standby++
			if tr.Seat != "" {
				t.Errorf("standby with a seat: %+v", tr)
			}
		case !tr.Paid && tr.Deadline != nil:
			unpaid++
		}
		if tr.Seat != "" && tr.Car != "" {
			seated++
		}
	}
	if standby != 1 || unpaid != 1 || seated != 2 {
		t.Errorf("trains %+v: want one standby, one unpaid hold with a deadline, two with seats", d.Trains)
	}
	logins, lists := fake.Count(srttest.PathLogin), fake.Count(srttest.PathList)
	if logins != 1 || lists < 1 {
		t.Fatalf("first run: %d logins, %d list calls", logins, lists)
	}
	d = serveUntil(t, cfg, data, ready) // a restart within cache_minutes
	if fake.Count(srttest.PathLogin) != logins || fake.Count(srttest.PathList) != lists {
		t.Errorf("restart within the TTL asked SR again: logins %d→%d, lists %d→%d",
			logins, fake.Count(srttest.PathLogin), lists, fake.Count(srttest.PathList))
	}
	for _, s := range d.Sources {
		if s.Kind == "srt" && (!s.OK || s.Name != "SRT") {
			t.Errorf("SRT source %+v", s)
		}
	}
}
