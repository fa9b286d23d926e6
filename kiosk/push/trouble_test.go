package push

import (
	"strings"
	"testing"
	"time"

	"kiosk/kiosk/source"
)

func TestTroubleAlerts(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, seoul)
	r := newRig(t, now, nil)
	r.opts.Dests = r.opts.Dests[:1]
	o := r.outbox()
	tr := NewTroubles(o, r.opts.Log)
	failing := []source.Status{{Name: "Family", Kind: "ics", Error: "ics: HTTP 503 Service Unavailable", Failures: 3, Category: source.Server}}
	ok := []source.Status{{Name: "Family", Kind: "ics", OK: true}}
	step := func(d time.Duration, st []source.Status) {
		t.Helper()
		r.clock.Add(d)
		if err := tr.Check(st); err != nil {
			t.Fatal(err)
		}
		flush(o)
	}
	sent := func() int { return len(r.texts(1)) }

	step(0, failing)
	step(59*time.Minute, failing)
	if n := sent(); n != 0 {
		t.Fatalf("alerted after 59 minutes: %q", r.texts(1))
	}
	step(time.Minute, failing)
	if got := r.texts(1); len(got) != 1 || !strings.Contains(got[0], "Family") || !strings.Contains(got[0], "503") {
		t.Fatalf("after an hour got %q, want one alert naming the source and the error", got)
	}
	tr = NewTroubles(r.outbox(), r.opts.Log) // a restart does not repeat it
	for range 5 {
		step(10*time.Minute, failing)
	}
	if n := sent(); n != 1 {
		t.Fatalf("%d messages while still failing, want the one alert: %q", n, r.texts(1))
	}
	step(time.Minute, ok)
	step(time.Minute, ok)
	if got := r.texts(1); len(got) != 2 || !strings.Contains(got[1], "다시 정상") {
		t.Fatalf("after recovery got %q, want one recovery message", got)
	}
	// It fails again the same day: no second alert, and so no recovery.
	step(time.Minute, failing)
	step(2*time.Hour, failing)
	step(time.Minute, ok)
	if n := sent(); n != 2 {
		t.Errorf("a second failure the same day sent %q", r.texts(1)[2:])
	}
	// The next day it may alert again.
	r.clock.Set(time.Date(2026, 3, 3, 9, 0, 0, 0, seoul))
	step(0, failing)
	step(time.Hour, failing)
	if n := sent(); n != 3 {
		t.Errorf("next day: %d messages, want a third (the new alert)", n)
	}
}

func TestCredentialErrorAlertsAtOnce(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	r := newRig(t, now, nil)
	r.opts.Dests = r.opts.Dests[:1]
	o := r.outbox()
	tr := NewTroubles(o, r.opts.Log)
	for _, st := range []source.Status{
		{Name: "Family", Kind: "google", Category: source.Auth,
			Error: "Family: not authorized (401): the saved sign-in was not accepted; run `kiosk auth google` again"},
		{Name: "SRT", Kind: "srt", Category: source.RateLimited, Error: "srt: ip address blocked by SR"},
		{Name: "Old", Kind: "ics", Error: "ics: login refused: wrong password"}, // stored before categories
		{Name: "School", Kind: "notices", OK: false},                            // not run yet: no alert
		{Name: "Feed", Kind: "notices", Category: source.RateLimited, Error: "notices: HTTP 429"},
	} {
		if err := tr.Check([]source.Status{st}); err != nil {
			t.Fatal(err)
		}
	}
	flush(o)
	got := r.texts(1)
	if len(got) != 3 || !strings.Contains(got[0], "kiosk auth google") || !strings.Contains(got[1], "SRT") || !strings.Contains(got[1], "인터넷 주소를 막았습니다") ||
		!strings.Contains(got[2], "Old") {
		t.Errorf("got %q, want alerts for Google, SRT and Old at once, none for a rate-limited feed", got)
	}
}
