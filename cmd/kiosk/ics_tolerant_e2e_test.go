package main

// End-to-end: an ICS feed with the malformed lines real producers write,
// served over HTTP to the real server, read back through /api/dashboard.

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestICSTolerantEndToEnd(t *testing.T) {
	// Dates relative to today in Seoul, so the events fall in the window.
	seoul, _ := time.LoadLocation("Asia/Seoul")
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Now().In(seoul)
	day := func(d int) time.Time { return time.Date(now.Year(), now.Month(), now.Day()+d, 0, 0, 0, 0, seoul) }
	date := func(d int) string { return day(d).Format("20060102") }
	feed := "\ufeff" + strings.Join([]string{
		"BEGIN:VCALENDAR", "PRODID:-//Apple Inc.//macOS 15.0//EN", "X-WR-CALNAME:Club", "X-WR-TIMEZONE:America/New_York",
		// iCloud: a raw line break inside a quoted address, a misspelt END.
		"BEGIN:VEVENT", "UID:icloud@test", "DTSTAMP:20260101T000000Z",
		"DTSTART;TZID=Asia/Seoul:" + date(1) + "T100000", "DTEND;TZID=Asia/Seoul:" + date(1) + "T110000",
		`X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-APPLE-RADIUS=70;X-TITLE="Stadthalle`,
		`Musterstraße 5, 12345 Musterstadt":geo:52.1,13.2`,
		"SUMMARY:Concert", "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT30M", "END:VALRM", "END:VEVENT",
		// Exchange: an odd property name, parameters without '=' and with a
		// stray quote, and no END:VEVENT before the next event.
		"BEGIN:VEVENT", "UID:exchange@test", "X-ENTOURAGE_UUID:2B3C4D5E-0000", "ATTENDEE;RSVP:mailto:a@example.test",
		`ATTENDEE;CN="Coach\":mailto:coach@example.test`,
		"DTSTART:" + day(2).Add(9*time.Hour).UTC().Format("20060102T150405Z"), "DURATION:PT1H", "SUMMARY:Review",
		// Confluence: COUNT=-1 beside UNTIL; floating times in X-WR-TIMEZONE.
		"BEGIN:VEVENT", "UID:confluence@test", "DTSTART:" + date(0) + "T080000", "DTEND:" + date(0) + "T083000",
		"RRULE:FREQ=DAILY;COUNT=-1;UNTIL=" + date(2) + "T235959Z", "SUMMARY:Standup", "END:VEVENT",
		// Left out and counted: a garbage line, an event whose start is unreadable.
		"::::",
		"BEGIN:VEVENT", "UID:bad@test", "DTSTART:soon", "SUMMARY:Unreadable", "END:VEVENT",
		"END:VCALENDAR", "",
	}, "\n")
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		w.Write([]byte(feed))
	}))
	defer upstream.Close()
	cfg := "timezone: Asia/Seoul\ncalendars:\n  - name: Club\n    ics: {url: \"" + upstream.URL + "/secret-token/club.ics\"}\n"
	d := serveUntil(t, cfg, t.TempDir(), func(d dashboardJSON) bool { return len(d.Events) > 0 })

	byName := map[string][]string{}
	for _, e := range d.Events {
		byName[e.Summary] = append(byName[e.Summary], e.Start+"/"+e.End)
	}
	span := func(start time.Time, d time.Duration) string {
		return start.In(seoul).Format(time.RFC3339) + "/" + start.Add(d).In(seoul).Format(time.RFC3339)
	}
	// Standup is 08:00 in New York (the feed's zone) on today's date in
	// Seoul and the next two (UNTIL), which is 21:00 or 22:00 in Seoul.
	var standups []string
	for i := 0; i <= 2; i++ {
		standups = append(standups, span(time.Date(day(i).Year(), day(i).Month(), day(i).Day(), 8, 0, 0, 0, ny), 30*time.Minute))
	}
	for name, want := range map[string][]string{
		"Concert":    {span(day(1).Add(10*time.Hour), time.Hour)},
		"Review":     {span(day(2).Add(9*time.Hour), time.Hour)},
		"Standup":    standups,
		"Unreadable": nil,
	} {
		if got := byName[name]; !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	if len(d.Sources) != 1 {
		t.Fatalf("sources %+v", d.Sources)
	}
	src := d.Sources[0]
	if want := "2 lines skipped (first: line without a property name)"; !src.OK || src.Error != "" || src.Note != want {
		t.Errorf("source %+v, want ok with note %q", src, want)
	}
}
