package remind

import (
	"slices"
	"testing"
	"time"

	"kiosk/kiosk/calendar"
)

func TestPlan(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	at := func(h, m, s, ns int) time.Time { return time.Date(2026, 11, 22, h, m, s, ns, seoul) }
	tests := []struct {
		name     string
		now      time.Time
		last     time.Time
		from, to time.Time
		skipped  time.Duration
	}{
		{"first start: no gap", at(10, 0, 0, 0), time.Time{}, at(10, 0, 0, 0), at(10, 1, 0, 0), 0},
		{"first start mid-minute covers that minute", at(10, 0, 30, 0), time.Time{}, at(10, 0, 0, 0), at(10, 1, 0, 0), 0},
		{"timer a little late", at(10, 0, 0, 4e8), at(10, 0, 0, 0), at(10, 0, 0, 0), at(10, 1, 0, 0), 0},
		{"timer a hair early counts as the next minute", at(9, 59, 58, 5e8), at(10, 0, 0, 0), at(10, 0, 0, 0), at(10, 1, 0, 0), 0},
		{"2.5 s early is still the previous minute", at(9, 59, 57, 5e8), at(9, 59, 0, 0), at(9, 59, 0, 0), at(10, 0, 0, 0), 0},
		{"second run in the same minute rescans it", at(10, 0, 20, 0), at(10, 1, 0, 0), at(10, 0, 0, 0), at(10, 1, 0, 0), 0},
		{"missed runs: gap covered", at(10, 0, 0, 0), at(9, 55, 0, 0), at(9, 55, 0, 0), at(10, 1, 0, 0), 0},
		{"gap exactly catch-up", at(10, 0, 0, 0), at(9, 50, 0, 0), at(9, 50, 0, 0), at(10, 1, 0, 0), 0},
		{"gap beyond catch-up: last 10 min only", at(10, 0, 0, 0), at(8, 0, 0, 0), at(9, 50, 0, 0), at(10, 1, 0, 0), 110 * time.Minute},
		{"mark in the future (clock stepped back)", at(10, 0, 0, 0), at(11, 1, 0, 0), at(10, 0, 0, 0), at(10, 1, 0, 0), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, skipped := Plan(tt.now, tt.last, 10*time.Minute)
			if !w.From.Equal(tt.from) || !w.To.Equal(tt.to) || skipped != tt.skipped {
				t.Errorf("Plan(%s, last %s) = [%s, %s) skipped %s, want [%s, %s) skipped %s",
					tt.now.Format("15:04:05.0"), tt.last.Format("15:04"), w.From.Format("15:04"), w.To.Format("15:04"), skipped,
					tt.from.Format("15:04"), tt.to.Format("15:04"), tt.skipped)
			}
			if !w.Now.Equal(tt.now) {
				t.Errorf("Now = %s, want %s", w.Now, tt.now)
			}
		})
	}
}

func TestScan(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	at := func(h, m int) time.Time { return time.Date(2026, 11, 22, h, m, 0, 0, seoul) }
	sec := func(h, m, s int) time.Time { return time.Date(2026, 11, 22, h, m, s, 0, seoul) }
	w := Window{From: at(9, 55), To: at(10, 1), Now: at(10, 0)}
	items := []Due{
		{ID: "at-from", At: at(9, 55)},
		{ID: "before-from", At: sec(9, 54, 59)},
		{ID: "last-second", At: sec(10, 0, 59)},
		{ID: "at-to", At: at(10, 1)},
		{ID: "started-before-minute", At: at(9, 57), NotAfter: at(9, 59)},
		{ID: "starts-at-minute", At: at(9, 58), NotAfter: at(10, 0)},
		{ID: "starts-later", At: at(9, 56), NotAfter: at(10, 20)},
		{ID: "b-same-time", At: at(10, 0)},
		{ID: "a-same-time", At: at(10, 0)},
		{ID: "a-same-time", At: at(10, 0)}, // listed twice: queued once
	}
	var got []string
	for _, d := range Scan(w, items) {
		got = append(got, d.ID)
	}
	want := []string{"at-from", "starts-later", "starts-at-minute", "a-same-time", "b-same-time", "last-second"}
	if !slices.Equal(got, want) {
		t.Errorf("Scan = %q\nwant %q", got, want)
	}
}

// scanAt runs the whole pure path for a run at now after a window ending
// at last: Plan, EventDues, Scan.
func scanAt(now, last time.Time, events []calendar.Event, r EventRules) []Due {
	w, _ := Plan(now, last, 10*time.Minute)
	return Scan(w, EventDues(events, w, r))
}

func TestEventReminders(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, seoul) }
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, seoul) }
	def := func(m int) EventRules { return EventRules{DefaultMinutes: m, Location: seoul, Locale: "ko"} }
	tests := []struct {
		name   string
		events []calendar.Event
		rules  EventRules
		now    time.Time
		last   time.Time
		want   []time.Time // At of each due reminder
	}{
		{"default 30: t = now counts", []calendar.Event{ev("a", at(22, 10, 30))}, def(30), at(22, 10, 0), time.Time{}, []time.Time{at(22, 10, 0)}},
		{"default 30: t = now+1m does not", []calendar.Event{ev("a", at(22, 10, 31))}, def(30), at(22, 10, 0), time.Time{}, nil},
		{"default 30: t = now-1m was the last run's", []calendar.Event{ev("a", at(22, 10, 29))}, def(30), at(22, 10, 0), at(22, 10, 0), nil},
		{"t = now+59s counts", []calendar.Event{ev("a", at(22, 10, 30).Add(59*time.Second))}, def(30), at(22, 10, 0), time.Time{}, []time.Time{at(22, 10, 0).Add(59 * time.Second)}},
		{"default 0 turns it off", []calendar.Event{ev("a", at(22, 10, 30))}, def(0), at(22, 10, 0), time.Time{}, nil},
		{"explicit replaces the default", []calendar.Event{ev("a", at(22, 10, 30), 10)}, def(30), at(22, 10, 0), time.Time{}, nil},
		{"explicit 10 fires", []calendar.Event{ev("a", at(22, 10, 30), 10)}, def(30), at(22, 10, 20), time.Time{}, []time.Time{at(22, 10, 20)}},
		{"explicit with default off", []calendar.Event{ev("a", at(22, 10, 30), 60, 10)}, def(0), at(22, 9, 30), time.Time{}, []time.Time{at(22, 9, 30)}},
		{"0 minutes: at the start", []calendar.Event{ev("a", at(22, 10, 30), 0)}, def(30), at(22, 10, 30), time.Time{}, []time.Time{at(22, 10, 30)}},
		{"two events, same minute", []calendar.Event{ev("a", at(22, 10, 30)), ev("b", at(22, 11, 0), 60)}, def(30), at(22, 10, 0), time.Time{}, []time.Time{at(22, 10, 0), at(22, 10, 0)}},
		{"all-day: none by default", []calendar.Event{allDay("a", day(23))}, def(30), at(22, 23, 30), time.Time{}, nil},
		{"all-day: none by default at midnight either", []calendar.Event{allDay("a", day(23))}, def(30), at(23, 0, 0), time.Time{}, nil},
		{"all-day: own reminder from local midnight", []calendar.Event{allDay("a", day(23), 30)}, def(30), at(22, 23, 30), time.Time{}, []time.Time{at(22, 23, 30)}},
		{"all-day: a day before at 9:00 (900 min)", []calendar.Event{allDay("a", day(23), 900)}, def(0), at(22, 9, 0), time.Time{}, []time.Time{at(22, 9, 0)}},
		{"all-day start in another zone: midnight in ours", []calendar.Event{allDay("a", day(23).UTC(), 30)}, def(30), at(22, 23, 30), time.Time{}, []time.Time{at(22, 23, 30)}},
		{"catch-up covers the gap", []calendar.Event{ev("a", at(22, 10, 27))}, def(30), at(22, 10, 0), at(22, 9, 55), []time.Time{at(22, 9, 57)}},
		{"catch-up stops at 10 min", []calendar.Event{ev("a", at(22, 10, 19)), ev("b", at(22, 10, 20))}, def(30), at(22, 10, 0), at(22, 8, 0), []time.Time{at(22, 9, 50)}},
		{"catch-up skips an event already started", []calendar.Event{ev("a", at(22, 9, 58), 5), ev("b", at(22, 10, 0), 5), ev("c", at(22, 10, 2), 5)}, def(30), at(22, 10, 0), at(22, 9, 50),
			[]time.Time{at(22, 9, 55), at(22, 9, 57)}},
		{"first start: no catch-up", []calendar.Event{ev("a", at(22, 10, 27))}, def(30), at(22, 10, 0), time.Time{}, nil},
		{"forward jump: only catch-up back", []calendar.Event{ev("a", at(22, 13, 40)), ev("b", at(22, 14, 20))}, def(30), at(22, 14, 0), at(22, 12, 0), []time.Time{at(22, 13, 50)}},
		{"backward jump: the current minute only", []calendar.Event{ev("a", at(22, 9, 20)), ev("b", at(22, 9, 30))}, def(30), at(22, 9, 0), at(22, 10, 1), []time.Time{at(22, 9, 0)}},
		{"negative minutes ignored", []calendar.Event{ev("a", at(22, 9, 30), -30)}, def(30), at(22, 10, 0), time.Time{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []time.Time
			for _, d := range scanAt(tt.now, tt.last, tt.events, tt.rules) {
				got = append(got, d.At)
			}
			if !slices.EqualFunc(got, tt.want, time.Time.Equal) {
				t.Errorf("due at %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEventIDs(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	start := time.Date(2026, 11, 22, 10, 30, 0, 0, seoul)
	w := Window{From: start.Add(-2 * time.Hour), To: start.Add(time.Minute), Now: start}
	r := EventRules{DefaultMinutes: 30, Location: seoul, Locale: "ko"}
	id := func(e calendar.Event) []string {
		var ids []string
		for _, d := range EventDues([]calendar.Event{e}, w, r) {
			ids = append(ids, d.ID)
		}
		return ids
	}
	base := ev("a", start)
	first := id(base)
	if len(first) != 1 || len(first[0]) < 20 {
		t.Fatalf("ids = %q", first)
	}
	renamed := base
	renamed.Summary = "renamed"
	if got := id(renamed); !slices.Equal(got, first) {
		t.Errorf("a new title changed the ID: %q vs %q", got, first)
	}
	other := map[string]calendar.Event{}
	moved := base
	moved.Start = start.Add(-5 * time.Minute)
	other["moved"] = moved
	cal := base
	cal.Calendar = "work"
	other["other calendar"] = cal
	inst := base
	inst.ID = "id-a_20261129"
	other["other instance"] = inst
	mins := base
	mins.Reminders = []int{30, 60}
	for name, e := range other {
		for _, got := range id(e) {
			if got == first[0] {
				t.Errorf("%s: same ID %s", name, got)
			}
		}
	}
	if got := id(mins); len(got) != 2 || got[0] != first[0] || got[1] == got[0] {
		t.Errorf("explicit 30 should share the default 30's ID, 60 not: %q vs %q", got, first)
	}
}

// TestDST checks exact instants on the days the clocks change: minutes
// before are real minutes, and the message shows the local wall time.
func TestDST(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	utc := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, time.UTC) }
	tests := []struct {
		name    string
		loc     *time.Location
		start   time.Time // UTC instant
		minutes int
		wantAt  time.Time // UTC instant
		head    string    // first message line: local start
		wall    string    // local wall time of At
	}{
		// Berlin springs forward 2026-03-29 at 02:00 CET (01:00Z) to 03:00 CEST.
		{"berlin spring 03:30 CEST", berlin, utc(3, 29, 1, 30), 30, utc(3, 29, 1, 0), "03-29 03:30", "03:00 CEST"},
		{"berlin spring 03:30 CEST, 60 min", berlin, utc(3, 29, 1, 30), 60, utc(3, 29, 0, 30), "03-29 03:30", "01:30 CET"},
		// Berlin falls back 2026-10-25 at 03:00 CEST (01:00Z) to 02:00 CET: 02:30 happens twice.
		{"berlin fall 02:30 CEST (first)", berlin, utc(10, 25, 0, 30), 30, utc(10, 25, 0, 0), "10-25 02:30", "02:00 CEST"},
		{"berlin fall 02:30 CET (second)", berlin, utc(10, 25, 1, 30), 30, utc(10, 25, 1, 0), "10-25 02:30", "02:00 CET"},
		{"berlin fall 03:30 CET", berlin, utc(10, 25, 2, 30), 30, utc(10, 25, 2, 0), "10-25 03:30", "03:00 CET"},
		{"berlin fall 03:30 CET, 90 min", berlin, utc(10, 25, 2, 30), 90, utc(10, 25, 1, 0), "10-25 03:30", "02:00 CET"},
		// New York springs forward 2026-03-08 at 02:00 EST (07:00Z) to 03:00 EDT.
		{"new york spring 03:30 EDT", ny, utc(3, 8, 7, 30), 30, utc(3, 8, 7, 0), "03-08 03:30", "03:00 EDT"},
		{"new york spring 03:30 EDT, 60 min", ny, utc(3, 8, 7, 30), 60, utc(3, 8, 6, 30), "03-08 03:30", "01:30 EST"},
		// New York falls back 2026-11-01 at 02:00 EDT (06:00Z) to 01:00 EST.
		{"new york fall 01:30 EST (second)", ny, utc(11, 1, 6, 30), 30, utc(11, 1, 6, 0), "11-01 01:30", "01:00 EST"},
		{"new york fall 02:30 EST", ny, utc(11, 1, 7, 30), 60, utc(11, 1, 6, 30), "11-01 02:30", "01:30 EST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := EventRules{Location: tt.loc, Locale: "en"}
			events := []calendar.Event{ev("Dentist", tt.start.In(tt.loc), tt.minutes)}
			if got := tt.wantAt.In(tt.loc).Format("15:04 MST"); got != tt.wall {
				t.Fatalf("test setup: At is %s local, want %s", got, tt.wall)
			}
			due := scanAt(tt.wantAt.In(tt.loc), time.Time{}, events, r)
			if len(due) != 1 || !due[0].At.Equal(tt.wantAt) {
				t.Fatalf("run at %s: due %v, want one at %s", tt.wantAt, due, tt.wantAt)
			}
			if got := line(due[0].Message, 0); got != tt.head {
				t.Errorf("message starts %q, want %q", got, tt.head)
			}
			if got, want := line(due[0].Message, 2), startsIn("en", tt.minutes); got != want {
				t.Errorf("lead %q, want %q", got, want)
			}
			before := tt.wantAt.Add(-time.Minute)
			if due := scanAt(before, time.Time{}, events, r); len(due) != 0 {
				t.Errorf("run a minute early (%s) already fires", before)
			}
			after := tt.wantAt.Add(time.Minute)
			if due := scanAt(after, after, events, r); len(due) != 0 {
				t.Errorf("run a minute late (%s) fires again", after)
			}
		})
	}
}
