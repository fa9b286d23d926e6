package dashboard

import (
	"context"
	"errors"
	"fmt"
	"kiosk/kiosk/clock"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/calendar"
	"kiosk/kiosk/remind"
	"kiosk/kiosk/srt"
)

type fakeCal struct {
	name  string
	err   error
	calls int
}

func (f *fakeCal) Events(_ context.Context, from, to time.Time) ([]calendar.Event, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	return []calendar.Event{{ID: f.name, Summary: f.name, Start: from.Add(10 * time.Hour), End: from.Add(11 * time.Hour)}}, nil
}

func newBoard(t *testing.T, store *cache.Store, cals []Calendar, trains *Trains, changed *atomic.Int32) *Board {
	t.Helper()
	return New(Options{
		Store: store, Log: slog.New(slog.DiscardHandler), Loc: time.UTC, DaysAhead: 7,
		CalendarTTL: 5 * time.Minute, Calendars: cals, Trains: trains,
		OnChange: func() { changed.Add(1) },
	})
}

func TestFailingCalendarKeepsItsDataAndSparesTheOthers(t *testing.T) {
	c := clock.New(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	store, _ := cache.Open("", c.Now, nil)
	defer store.Close()
	a, b := &fakeCal{name: "A"}, &fakeCal{name: "B"}
	var changed atomic.Int32
	board := newBoard(t, store, []Calendar{{Name: "A", Kind: "ics", Source: a}, {Name: "B", Kind: "google", Source: b}}, nil, &changed)
	ctx := context.Background()

	if err := board.RefreshCalendars(ctx); err != nil {
		t.Fatal(err)
	}
	snap := board.Snapshot()
	if len(snap.Events) != 2 || snap.Events[0].Calendar == "" || changed.Load() != 1 {
		t.Fatalf("first refresh: %d events, calendar %q, changed %d", len(snap.Events), snap.Events[0].Calendar, changed.Load())
	}
	if err := board.RefreshCalendars(ctx); err != nil || a.calls != 1 || changed.Load() != 1 {
		t.Fatalf("within the TTL: err %v, calls %d, changed %d", err, a.calls, changed.Load())
	}

	c.Add(6 * time.Minute)
	a.err = errors.New("ics: HTTP 500")
	if err := board.RefreshCalendars(ctx); err == nil {
		t.Fatal("the failure was not reported")
	}
	snap = board.Snapshot()
	if len(snap.Events) != 2 {
		t.Fatalf("the failing calendar's events vanished: %d events", len(snap.Events))
	}
	st := snap.Sources
	if st[0].Name != "A" || st[0].OK || !st[0].Stale || st[0].Error == "" || !st[1].OK {
		t.Errorf("statuses %+v", st)
	}
	if changed.Load() != 2 {
		t.Errorf("OnChange ran %d times, want 2 (B brought new data)", changed.Load())
	}
}

// TestRestartShowsStoredData is the offline boot: a new board over the same
// store shows the last good data before any fetch.
func TestRestartShowsStoredData(t *testing.T) {
	c := clock.New(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	dir := t.TempDir()
	store, err := cache.Open(dir, c.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	var changed atomic.Int32
	trains := &Trains{Name: "SRT", Kind: "srt", TTL: 30 * time.Minute, Fetch: func(context.Context) ([]srt.Reservation, error) {
		return []srt.Reservation{{Train: "SRT 301", Departure: c.Now().Add(time.Hour)}}, nil
	}}
	board := newBoard(t, store, []Calendar{{Name: "A", Kind: "ics", Source: &fakeCal{name: "A"}}}, trains, &changed)
	board.RefreshCalendars(context.Background())
	board.RefreshTrains(context.Background())
	store.Close()

	store, err = cache.Open(dir, c.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	offline := &fakeCal{name: "A", err: errors.New("no network")}
	noTrains := &Trains{Name: "SRT", Kind: "srt", TTL: 30 * time.Minute, Fetch: func(context.Context) ([]srt.Reservation, error) {
		return nil, errors.New("no network")
	}}
	board = newBoard(t, store, []Calendar{{Name: "A", Kind: "ics", Source: offline}}, noTrains, &changed)
	snap := board.Snapshot()
	if len(snap.Events) != 1 || len(snap.Trains) != 1 || !snap.Sources[0].OK {
		t.Fatalf("after restart: %d events, %d trains, sources %+v", len(snap.Events), len(snap.Trains), snap.Sources)
	}
	if offline.calls != 0 {
		t.Error("New fetched; it must only read the store")
	}
}

// TestSnapshotKeptWhileNothingStored: a refresh that finds every source
// fresh keeps the snapshot (no re-read of the store every minute).
func TestSnapshotKeptWhileNothingStored(t *testing.T) {
	c := clock.New(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	store, _ := cache.Open("", c.Now, nil)
	defer store.Close()
	var changed atomic.Int32
	board := newBoard(t, store, []Calendar{{Name: "A", Kind: "ics", Source: &fakeCal{name: "A"}}}, nil, &changed)
	board.RefreshCalendars(context.Background())
	first := board.Snapshot()
	c.Add(time.Minute)
	board.RefreshCalendars(context.Background())
	if board.Snapshot() != first {
		t.Error("the snapshot was rebuilt though nothing was stored")
	}
	c.Add(5 * time.Minute)
	board.RefreshCalendars(context.Background())
	if board.Snapshot() == first {
		t.Error("not rebuilt after a refetch")
	}
}

// TestTrainReminderIDsSurviveTheStore: two reservations on the same train
// (a seat rebooked beside the first one) keep distinct reminder IDs after
// the snapshot has gone through the store, as after every restart.
func TestTrainReminderIDsSurviveTheStore(t *testing.T) {
	c := clock.New(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	store, _ := cache.Open("", c.Now, nil)
	defer store.Close()
	dep := c.Now().Add(2 * time.Hour)
	trains := &Trains{Name: "SRT", Kind: "srt", TTL: 30 * time.Minute, Fetch: func(context.Context) ([]srt.Reservation, error) {
		return []srt.Reservation{
			{PNR: "FAKE-PNR-1", Train: "SRT 301", Departure: dep, Car: "3", Seat: "7A"},
			{PNR: "FAKE-PNR-2", Train: "SRT 301", Departure: dep, Car: "3", Seat: "8A"},
		}, nil
	}}
	var changed atomic.Int32
	if err := newBoard(t, store, nil, trains, &changed).RefreshTrains(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A new board reads only what the store kept.
	snap := newBoard(t, store, nil, trains, &changed).Snapshot()
	w := remind.Window{From: dep.Add(-time.Hour), To: dep.Add(-time.Hour + time.Minute), Now: dep.Add(-time.Hour)}
	due := remind.TrainDues(snap.Trains, w, remind.TrainRules{BeforeMinutes: 60, Location: time.UTC})
	if len(due) != 2 {
		t.Fatalf("%d reminders, want 2", len(due))
	}
	if due[0].ID == due[1].ID {
		t.Errorf("both reservations have reminder ID %s", due[0].ID)
	}
}

// bigCal is a calendar too large for the store to keep: the in-memory
// store (the fallback of a read-only or full data dir) takes values up to
// 1 MiB.
type bigCal struct{ calls int }

func (f *bigCal) Events(_ context.Context, from, to time.Time) ([]calendar.Event, error) {
	f.calls++
	events := make([]calendar.Event, 3000)
	for i := range events {
		start := from.Add(time.Duration(i) * time.Minute)
		events[i] = calendar.Event{ID: fmt.Sprint("e", i), Summary: strings.Repeat("가", 150), Start: start, End: start.Add(time.Hour)}
	}
	return events, nil
}

// TestFetchKeptWhenTheStoreFailsToWrite: a good fetch the store could not
// write is not a failure of the source, and its data is shown.
func TestFetchKeptWhenTheStoreFailsToWrite(t *testing.T) {
	c := clock.New(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	store, _ := cache.Open("", c.Now, nil)
	defer store.Close()
	events, _ := (&bigCal{}).Events(context.Background(), c.Now(), c.Now())
	if cache.Set(store, "probe", events, 0) == nil {
		t.Fatal("the store kept the big calendar: the test needs a write that fails")
	}
	big := &bigCal{}
	var changed atomic.Int32
	board := newBoard(t, store, []Calendar{{Name: "Big", Kind: "ics", Source: big}, {Name: "A", Kind: "ics", Source: &fakeCal{name: "A"}}}, nil, &changed)
	if err := board.RefreshCalendars(context.Background()); err != nil {
		t.Errorf("refresh: %v, want no error: the fetch was good", err)
	}
	snap := board.Snapshot()
	if len(snap.Events) != 3001 {
		t.Errorf("%d events shown, want the 3001 fetched", len(snap.Events))
	}
	if st := snap.Sources[0]; !st.OK || st.Stale || st.Failures != 0 {
		t.Errorf("status %+v, want ok", st)
	}
	if changed.Load() != 1 {
		t.Errorf("OnChange ran %d times, want 1", changed.Load())
	}
	c.Add(time.Minute)
	if err := board.RefreshCalendars(context.Background()); err != nil || big.calls != 1 {
		t.Errorf("within the TTL: %v, %d fetches; want no error and no new fetch", err, big.calls)
	}
}

// windowCal serves the events that start in the window asked for, as
// Google and the ICS expander do.
type windowCal struct{ events []calendar.Event }

func (f *windowCal) Events(_ context.Context, from, to time.Time) ([]calendar.Event, error) {
	var out []calendar.Event
	for _, e := range f.events {
		if e.Overlaps(from, to) {
			out = append(out, e)
		}
	}
	return out, nil
}

// TestReminderBeyondThePageFires: the page shows 7 days, but an event
// further out whose reminder is due now (two weeks before it; Google allows
// four) is fetched, and its reminder fires at its minute.
func TestReminderBeyondThePageFires(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, seoul)
	c := clock.New(now)
	store, _ := cache.Open("", c.Now, nil)
	defer store.Close()
	tests := []struct {
		name    string
		start   time.Time
		minutes int
	}{
		{"10 days out, 10-day reminder", now.Add(10*24*time.Hour + 5*time.Minute), 10 * 1440},
		{"14 days out, 14-day reminder", now.Add(14*24*time.Hour + 5*time.Minute), 14 * 1440},
		{"4 weeks out, 4-week reminder", now.Add(28*24*time.Hour + 5*time.Minute), 28 * 1440},
	}
	cal := &windowCal{}
	for i, tc := range tests {
		cal.events = append(cal.events, calendar.Event{ID: fmt.Sprint("e", i), Summary: tc.name,
			Start: tc.start, End: tc.start.Add(time.Hour), Reminders: []int{tc.minutes}})
	}
	var changed atomic.Int32
	board := New(Options{Store: store, Log: slog.New(slog.DiscardHandler), Loc: seoul, DaysAhead: 7,
		CalendarTTL: 5 * time.Minute, Calendars: []Calendar{{Name: "Family", Kind: "google", Source: cal}},
		OnChange: func() { changed.Add(1) }})
	if err := board.RefreshCalendars(context.Background()); err != nil {
		t.Fatal(err)
	}
	events := board.Snapshot().Events
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at := tc.start.Add(-time.Duration(tc.minutes) * time.Minute) // now + 5 min
			for _, minute := range []time.Time{at.Add(-time.Minute), at, at.Add(time.Minute)} {
				w := remind.Window{From: minute, To: minute.Add(time.Minute), Now: minute}
				due := remind.EventDues(events, w, remind.EventRules{Location: seoul, Locale: "en"})
				n := 0
				for _, d := range due {
					if strings.Contains(d.Message, tc.name) {
						n++
					}
				}
				if want := minute.Equal(at); (n == 1) != want {
					t.Errorf("at %s: %d reminders of the event, want fired=%v", minute.Format("01-02 15:04"), n, want)
				}
			}
		})
	}
}
