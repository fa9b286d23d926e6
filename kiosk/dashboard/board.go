// Package dashboard keeps what the screen shows: it refreshes the calendar
// and train sources into the store and holds an in-memory snapshot of the
// last good data, which the pages and the reminder job read.
package dashboard

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/calendar"
	"kiosk/kiosk/source"
	"kiosk/kiosk/srt"
)

// EventSource is a calendar upstream: Google Calendar, an ICS feed, the demo.
type EventSource interface {
	Events(ctx context.Context, from, to time.Time) ([]calendar.Event, error)
}

// Calendar is one configured calendar.
type Calendar struct {
	Name   string
	Kind   string // google, ics, demo
	Source EventSource
}

// Trains is the train upstream.
type Trains struct {
	Name  string // "SRT"
	Kind  string // "srt"
	TTL   time.Duration
	Fetch func(ctx context.Context) ([]srt.Reservation, error)
}

// Snapshot is the last good data of every source, merged.
type Snapshot struct {
	Events  []calendar.Event // every stored instance, sorted by start
	Trains  []srt.Reservation
	Sources []source.Status
}

// Options configure a Board.
type Options struct {
	Store *cache.Store
	Scrub *source.Scrubber
	Log   *slog.Logger
	// OnChange, if set, is called after a refresh stored new data and the
	// snapshot holds it (the reminder job runs then, so a reminder whose
	// window is open during the first fetch is not lost).
	OnChange    func()
	Loc         *time.Location
	DaysAhead   int
	CalendarTTL time.Duration
	Calendars   []Calendar
	Trains      *Trains // nil: no trains configured
}

// Board refreshes sources and serves snapshots. Refreshes may run
// concurrently with reads; readers never wait for the network.
type Board struct {
	opts   Options
	runner *source.Runner
	snap   atomic.Pointer[Snapshot]
	build  sync.Mutex
	dirty  atomic.Bool
}

// New returns a board whose snapshot already holds what the store kept from
// earlier runs, so a restart without network shows the last good data.
func New(opts Options) *Board {
	b := &Board{opts: opts}
	b.runner = source.NewRunner(opts.Store, opts.Log, opts.Scrub, func(string) { b.dirty.Store(true) })
	b.rebuild()
	return b
}

// Snapshot returns the current data; callers must not modify it.
func (b *Board) Snapshot() *Snapshot { return b.snap.Load() }

// Names lists every source's name and kind, calendars first.
func (b *Board) Names() (names, kinds []string) {
	for _, c := range b.opts.Calendars {
		names, kinds = append(names, c.Name), append(kinds, c.Kind)
	}
	if t := b.opts.Trains; t != nil {
		names, kinds = append(names, t.Name), append(kinds, t.Kind)
	}
	return names, kinds
}

// RefreshCalendars fetches every calendar whose data is older than the
// refresh period, each on its own so that a slow or failing one delays or
// blanks none of the others. It returns the failures joined.
func (b *Board) RefreshCalendars(ctx context.Context) error {
	// Further ahead than the page shows: reminders reach four weeks out.
	from, to := calendar.Window(b.opts.Store.Now(), b.opts.Loc, calendar.FetchDays(b.opts.DaysAhead))
	before := b.runner.Stored()
	errs := make([]error, len(b.opts.Calendars))
	var wg sync.WaitGroup
	for i, c := range b.opts.Calendars {
		wg.Go(func() {
			_, errs[i] = source.Run(ctx, b.runner, c.Name, c.Kind, b.opts.CalendarTTL,
				func(ctx context.Context) ([]calendar.Event, error) {
					events, err := c.Source.Events(ctx, from, to)
					for j := range events {
						events[j].Calendar = c.Name
					}
					return events, err
				})
		})
	}
	wg.Wait()
	b.rebuildIfStored(before)
	return errors.Join(errs...)
}

// RefreshTrains fetches the reservations if their cache has expired.
func (b *Board) RefreshTrains(ctx context.Context) error {
	t := b.opts.Trains
	if t == nil {
		return nil
	}
	before := b.runner.Stored()
	_, err := source.Run(ctx, b.runner, t.Name, t.Kind, t.TTL, t.Fetch)
	b.rebuildIfStored(before)
	return err
}

// ResetAll makes every source fetch at its next refresh, skipping back-off.
func (b *Board) ResetAll() error {
	names, _ := b.Names()
	var errs []error
	for _, n := range names {
		errs = append(errs, source.Reset(b.opts.Store, n))
	}
	return errors.Join(errs...)
}

// rebuildIfStored rebuilds the snapshot when a refresh stored something
// since before. The refresh jobs run every minute and mostly find their
// data fresh: re-reading and sorting every event then is wasted on a Pi.
func (b *Board) rebuildIfStored(before uint64) {
	if b.runner.Stored() != before {
		b.rebuild()
	}
}

// rebuild reads every source's last good data from the store.
func (b *Board) rebuild() {
	b.build.Lock()
	defer b.build.Unlock()
	s := &Snapshot{}
	for _, c := range b.opts.Calendars {
		e, err := source.Peek[[]calendar.Event](b.runner, c.Name)
		if err != nil {
			b.opts.Log.Warn("dashboard: reading stored events", "calendar", c.Name, "error", err)
			continue
		}
		s.Events = append(s.Events, e.Value...)
	}
	calendar.Sort(s.Events)
	if t := b.opts.Trains; t != nil {
		e, err := source.Peek[[]srt.Reservation](b.runner, t.Name)
		if err != nil {
			b.opts.Log.Warn("dashboard: reading stored trains", "error", err)
		}
		s.Trains = e.Value
	}
	names, kinds := b.Names()
	s.Sources = source.Statuses(b.opts.Store, names, kinds)
	b.snap.Store(s)
	if b.dirty.Swap(false) && b.opts.OnChange != nil {
		b.opts.OnChange()
	}
}

// HasTrains reports whether a train source is configured.
func (b *Board) HasTrains() bool { return b.opts.Trains != nil }
