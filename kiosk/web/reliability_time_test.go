package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/calendar"
	"kiosk/kiosk/config"
	"kiosk/kiosk/dashboard"
	"kiosk/kiosk/remind"
	"kiosk/kiosk/source"
	"kiosk/static"
	"kiosk/views"
)

// The whole reminder path on a clock the test moves: a calendar source,
// the board that refreshes it into the store, the reminder job run every
// minute as the scheduler does, the queue, and GET /api/notifications as
// the page polls it. kiosk/remind tests each piece; this checks that they
// agree across DST changes and clock steps.

// timeCalendar is a calendar upstream that always has the same events.
type timeCalendar []calendar.Event

func (c timeCalendar) Events(context.Context, time.Time, time.Time) ([]calendar.Event, error) {
	return c, nil
}

type timeSite struct {
	clock *upClock
	store *cache.Store
	board *dashboard.Board
	job   *remind.Job
	srv   *Server

	// What the page saw: by event title, the ID and when it first and
	// last appeared; shown twice is an ID that came back after leaving,
	// or a second ID for one title.
	id    map[string]string
	msg   map[string]string
	first map[string]time.Time
	last  map[string]time.Time
	gone  map[string]bool
}

func newTimeSite(t *testing.T, loc *time.Location, start time.Time, events []calendar.Event) *timeSite {
	t.Helper()
	s := &timeSite{clock: newUpClock(start), id: map[string]string{}, msg: map[string]string{}, first: map[string]time.Time{},
		last: map[string]time.Time{}, gone: map[string]bool{}}
	var err error
	s.store, err = cache.Open("", s.clock.now, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.store.Close() })
	cfg, err := config.Default(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Location, cfg.Timezone, cfg.Locale = loc, loc.String(), "en"
	log := slog.New(slog.DiscardHandler)
	s.board = dashboard.New(dashboard.Options{Store: s.store, Scrub: source.NewScrubber(), Log: log, Loc: loc,
		DaysAhead: 7, CalendarTTL: 5 * time.Minute,
		Calendars: []dashboard.Calendar{{Name: "Home", Kind: "ics", Source: timeCalendar(events)}}})
	queue, err := remind.NewQueue(s.store)
	if err != nil {
		t.Fatal(err)
	}
	rules := remind.EventRules{DefaultMinutes: 0, Location: loc, Locale: "en"}
	s.job = remind.NewJob(queue, cfg.Reminders, func(w remind.Window) ([]remind.Due, error) {
		return remind.EventDues(s.board.Snapshot().Events, w, rules), nil
	}, log)
	s.srv, err = New(Options{Config: cfg, Board: s.board, Log: log, Now: s.clock.now, Version: "test",
		Views: views.FS, Static: static.FS, Queue: queue, Status: StatusInfo{Started: start, Reminders: s.job.Status}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// at sets the clock, lets the minute jobs run as the scheduler would
// (refresh, then reminders) and reads the notifications as the page does.
func (s *timeSite) at(t *testing.T, now time.Time) {
	t.Helper()
	s.clock.set(now)
	if err := s.board.RefreshCalendars(context.Background()); err != nil {
		t.Fatalf("%v: refresh: %v", now, err)
	}
	if err := s.job.Run(context.Background()); err != nil {
		t.Fatalf("%v: reminder run: %v", now, err)
	}
	res, body := get(t, s.srv, "/api/notifications")
	if res.StatusCode != 200 {
		t.Fatalf("%v: GET /api/notifications = %d", now, res.StatusCode)
	}
	if ms, _ := strconv.ParseInt(res.Header.Get("X-Server-Time"), 10, 64); ms != now.UnixMilli() {
		t.Errorf("%v: X-Server-Time %d, want the clock's %d", now, ms, now.UnixMilli())
	}
	var list []remind.Notification
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	here := map[string]bool{}
	for _, n := range list {
		lines := strings.Split(n.Message, "\n")
		if len(lines) != 3 || n.Kind != remind.KindEvent {
			t.Fatalf("%v: unexpected notification %+v", now, n)
		}
		title := lines[1]
		if here[title] {
			t.Errorf("%v: %q listed twice", now, title)
		}
		here[title] = true
		switch {
		case s.id[title] == "":
			s.id[title], s.msg[title], s.first[title] = n.ID, n.Message, now
		case s.id[title] != n.ID:
			t.Errorf("%v: %q queued again under a second ID", now, title)
		case s.gone[title]:
			t.Errorf("%v: %q shown again after it had gone (first at %v)", now, title, s.first[title])
		}
		s.last[title] = now
	}
	for title := range s.id {
		if !here[title] {
			s.gone[title] = true
		}
	}
}

// walk runs every minute from from (inclusive) to to (exclusive).
func (s *timeSite) walk(t *testing.T, from, to time.Time) {
	t.Helper()
	for now := from; now.Before(to); now = now.Add(time.Minute) {
		s.at(t, now)
	}
}

// check compares when each title first showed with want (zero: never).
func (s *timeSite) check(t *testing.T, loc *time.Location, want map[string]time.Time) {
	t.Helper()
	for title, at := range want {
		got, ok := s.first[title]
		switch {
		case at.IsZero() && ok:
			t.Errorf("%q shown at %v, want never", title, got.In(loc))
		case !at.IsZero() && !ok:
			t.Errorf("%q never shown, want at %v", title, at.In(loc))
		case !at.IsZero() && !got.Equal(at):
			t.Errorf("%q first shown at %v, want %v", title, got.In(loc), at.In(loc))
		}
	}
}

func timeEvent(title string, start time.Time, minutes ...int) calendar.Event {
	return calendar.Event{ID: title, Calendar: "Home", Summary: title, Start: start, End: start.Add(30 * time.Minute), Reminders: minutes}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestRemindersAcrossDST walks the clock minute by minute through both of
// Berlin's 2026 changes: each reminder shows once, exactly its minutes
// before the start in real time, and says the start in local time.
func TestRemindersAcrossDST(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	utc := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, time.UTC) }
	tests := []struct {
		name     string
		from, to time.Time
		events   []calendar.Event
		want     map[string]time.Time // title → first shown
		local    map[string]string    // title → start as the message says it
	}{
		{
			name: "spring forward, 02:00 CET → 03:00 CEST on 29 March",
			from: utc(3, 28, 22, 50), to: utc(3, 29, 2, 0),
			events: []calendar.Event{
				timeEvent("at 03:30 CEST, 60 min", time.Date(2026, 3, 29, 3, 30, 0, 0, berlin), 60), // 01:30Z
				timeEvent("at 03:00 CEST, 90 min", time.Date(2026, 3, 29, 3, 0, 0, 0, berlin), 90),  // 01:00Z
				timeEvent("at 01:45 CET, 15 min", time.Date(2026, 3, 29, 1, 45, 0, 0, berlin), 15),  // 00:45Z
			},
			want: map[string]time.Time{
				"at 03:30 CEST, 60 min": utc(3, 29, 0, 30), // 01:30 CET: the hour in between does not exist
				"at 03:00 CEST, 90 min": utc(3, 28, 23, 30),
				"at 01:45 CET, 15 min":  utc(3, 29, 0, 30),
			},
			local: map[string]string{"at 03:30 CEST, 60 min": "03-29 03:30", "at 03:00 CEST, 90 min": "03-29 03:00", "at 01:45 CET, 15 min": "03-29 01:45"},
		},
		{
			name: "fall back, 03:00 CEST → 02:00 CET on 25 October",
			from: utc(10, 24, 23, 0), to: utc(10, 25, 3, 30),
			events: []calendar.Event{
				timeEvent("first 02:30 (CEST), 30 min", utc(10, 25, 0, 30), 30),
				timeEvent("second 02:30 (CET), 30 min", utc(10, 25, 1, 30), 30),
				timeEvent("at 04:00 CET, 120 min", time.Date(2026, 10, 25, 4, 0, 0, 0, berlin), 120), // 03:00Z
			},
			want: map[string]time.Time{
				"first 02:30 (CEST), 30 min": utc(10, 25, 0, 0), // the first 02:00
				"second 02:30 (CET), 30 min": utc(10, 25, 1, 0), // the second 02:00
				"at 04:00 CET, 120 min":      utc(10, 25, 1, 0), // 120 real minutes before is the second 02:00
			},
			local: map[string]string{"first 02:30 (CEST), 30 min": "10-25 02:30", "second 02:30 (CET), 30 min": "10-25 02:30", "at 04:00 CET, 120 min": "10-25 04:00"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTimeSite(t, berlin, tc.from, tc.events)
			s.walk(t, tc.from, tc.to)
			s.check(t, berlin, tc.want)
			for title, want := range tc.local {
				n := s.msg[title]
				if !strings.HasPrefix(n, want+"\n") {
					t.Errorf("%q says %q, want the local start %s", title, strings.SplitN(n, "\n", 2)[0], want)
				}
			}
			// Each stayed on the list for the expiry (10 min), no longer.
			for title := range tc.want {
				if d := s.last[title].Sub(s.first[title]); d != 9*time.Minute {
					t.Errorf("%q listed for %v, want the 10 minutes of its expiry", title, d+time.Minute)
				}
			}
		})
	}
}

// TestRemindersAcrossClockSteps steps the clock as NTP does on a Pi with
// no real-time clock.
func TestRemindersAcrossClockSteps(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	at := func(h, m, sec int) time.Time { return time.Date(2026, 11, 22, h, m, sec, 0, berlin) }

	t.Run("forward two hours", func(t *testing.T) {
		events := []calendar.Event{
			timeEvent("before the step", at(9, 10, 0), 5),         // due 09:05
			timeEvent("in the skipped hours", at(10, 30, 0), 30),  // due 10:00: beyond catch-up
			timeEvent("within catch-up", at(11, 20, 0), 20),       // due 11:00: 5.5 min before the new now
			timeEvent("started in the gap", at(10, 50, 0), 0, 10), // due 10:40 and 10:50: both over
			timeEvent("after the step", at(11, 40, 0), 30),        // due 11:10
		}
		s := newTimeSite(t, berlin, at(9, 0, 0), events)
		s.walk(t, at(9, 0, 0), at(9, 6, 0))
		s.at(t, at(11, 5, 30)) // the step, at no whole minute
		s.walk(t, at(11, 6, 0), at(11, 30, 0))
		s.check(t, berlin, map[string]time.Time{
			"before the step":      at(9, 5, 0),
			"in the skipped hours": {},
			"within catch-up":      at(11, 5, 30),
			"started in the gap":   {},
			"after the step":       at(11, 10, 0),
		})
		if s.last["before the step"].After(at(9, 5, 0)) {
			t.Errorf("the reminder from before the step was still listed at %v, after its expiry", s.last["before the step"])
		}
		if g := s.job.Status().Gap; g == nil || !g.To.After(g.From) {
			t.Errorf("the job does not report the skipped span: %+v", g)
		}
		var st StatusJSON
		_, body := get(t, s.srv, "/api/status")
		if json.Unmarshal([]byte(body), &st) != nil || st.Reminders == nil || st.Reminders.WindowTo == nil ||
			*st.Reminders.WindowTo != "2026-11-22T11:30:00+01:00" {
			t.Errorf("/api/status lacks the reminder job's last window: %.400s", body)
		}
	})

	t.Run("back one hour", func(t *testing.T) {
		events := []calendar.Event{
			timeEvent("queued before the step", at(10, 20, 0), 10), // due 10:10, an hour that repeats
			timeEvent("due after the step", at(10, 45, 0), 10),     // due 10:35, reached once
			timeEvent("due in the repeated hour", at(9, 50, 0), 5), // due 09:45, reached after the step only
		}
		s := newTimeSite(t, berlin, at(10, 0, 0), events)
		s.walk(t, at(10, 0, 0), at(10, 13, 0))
		s.at(t, at(9, 12, 30)) // the step back
		if s.last["queued before the step"].After(at(10, 12, 0)) {
			t.Error("a notification created after the new now is still listed: it was shown already")
		}
		s.walk(t, at(9, 13, 0), at(10, 50, 0))
		s.check(t, berlin, map[string]time.Time{
			"queued before the step":   at(10, 10, 0),
			"due in the repeated hour": at(9, 45, 0),
			"due after the step":       at(10, 35, 0),
		})
		if j := s.job.Status().Jump; j == nil || j.Seconds > -3000 {
			t.Errorf("the job does not report the step back: %+v", j)
		}
	})
}
