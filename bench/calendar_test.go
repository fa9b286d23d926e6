package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"kiosk/kiosk/ics"
)

// TestCalendar checks that the generated feed is what the table says it
// is: 2,000 VEVENTs the kiosk's parser reads, whose expansion has the daily
// series every day and the due reminders in the next minute.
func TestCalendar(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 29, 9, 0, 0, 0, seoul)
	var b bytes.Buffer
	if err := writeCalendar(&b, now, seoul); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "BEGIN:VEVENT"); n != 2000 {
		t.Fatalf("%d VEVENTs, want 2000", n)
	}
	feed, err := ics.Parse(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(feed.Warnings) > 0 {
		t.Errorf("feed warnings: %v", feed.Warnings)
	}
	from := time.Date(2026, 3, 29, 0, 0, 0, 0, seoul)
	events, truncated := feed.Expand(from, from.AddDate(0, 0, 1), ics.ExpandOptions{Calendar: "Big", Loc: seoul})
	if truncated {
		t.Fatal("expansion truncated")
	}
	daily, due := 0, 0
	for _, e := range events {
		switch {
		case strings.HasSuffix(e.Summary, " (매일)"):
			daily++
		case strings.HasPrefix(e.Summary, "Reminder due"):
			due++
			if len(e.Reminders) != 1 || e.Reminders[0] != 10 {
				t.Errorf("due event %s has reminders %v, want [10]", e.ID, e.Reminders)
			}
			if at := e.Start.Add(-10 * time.Minute); at.Before(now) || at.After(now.Add(time.Minute)) {
				t.Errorf("due event %s reminds at %v, want within a minute of %v", e.ID, at, now)
			}
		}
	}
	if daily != dailySeries || due != dueEvents {
		t.Errorf("one day has %d daily and %d due instances, want %d and %d", daily, due, dailySeries, dueEvents)
	}
}

func TestAssets(t *testing.T) {
	page := []byte(`<link rel="stylesheet" href="/static/abc/css/kiosk.css"><script src="/static/abc/js/kiosk.js" defer></script>` +
		`<body data-chime="/static/abc/sounds/chime.wav"><a href="/status">`)
	got := strings.Join(assets(page), " ")
	if want := "/static/abc/css/kiosk.css /static/abc/js/kiosk.js /static/abc/sounds/chime.wav"; got != want {
		t.Errorf("assets = %q, want %q", got, want)
	}
}
