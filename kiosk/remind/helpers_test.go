package remind

import (
	"kiosk/kiosk/clock"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"kiosk/cache"
	"kiosk/kiosk/calendar"
	"kiosk/kiosk/config"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// advanceTo lets time pass on c until t (t must not be before now).
func advanceTo(c *clock.Fake, t time.Time) { c.Add(t.Sub(c.Now())) }

// env is a job over an in-memory store whose events the test changes.
type env struct {
	t      testing.TB
	clock  *clock.Fake
	store  *cache.Store
	queue  *Queue
	job    *Job
	events []calendar.Event
	rules  EventRules
	cfg    config.Reminders
}

func newEnv(t testing.TB, start time.Time) *env {
	t.Helper()
	e := &env{t: t, clock: clock.New(start)}
	store, err := cache.Open("", e.clock.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e.store = store
	e.rules = EventRules{DefaultMinutes: 30, Location: start.Location(), Locale: "ko"}
	e.cfg = config.Reminders{ExpireMinutes: 10, DisplaySeconds: 30, CatchUpMinutes: 10}
	e.restart()
	return e
}

// restart builds a new queue and job over the same store, as a new
// process would.
func (e *env) restart() {
	e.t.Helper()
	q, err := NewQueue(e.store)
	if err != nil {
		e.t.Fatal(err)
	}
	e.queue = q
	e.job = NewJob(q, e.cfg, func(w Window) ([]Due, error) {
		return EventDues(e.events, w, e.rules), nil
	}, nil)
	e.job.mono = e.clock.Elapsed
}

// run runs the job at t and returns how many it queued.
func (e *env) run(t time.Time) int {
	e.t.Helper()
	advanceTo(e.clock, t)
	if err := e.job.Run(e.t.Context()); err != nil {
		e.t.Fatalf("Run at %s: %v", t.Format("15:04:05"), err)
	}
	return e.job.Status().Queued
}

// runEachMinute runs the job at second 0 of every minute from..to inclusive
// and returns the total queued.
func (e *env) runEachMinute(from, to time.Time) int {
	e.t.Helper()
	n := 0
	for t := from; !t.After(to); t = t.Add(time.Minute) {
		n += e.run(t)
	}
	return n
}

func (e *env) activeIDs() []string {
	var ids []string
	for _, n := range e.queue.Active(e.clock.Now()) {
		ids = append(ids, n.ID)
	}
	return ids
}

// summaries returns the titles (second message line) of the active
// notifications, oldest first.
func (e *env) summaries() []string {
	var out []string
	for _, n := range e.queue.Active(e.clock.Now()) {
		out = append(out, line(n.Message, 1))
	}
	return out
}

func line(s string, i int) string {
	lines := strings.Split(s, "\n")
	if i >= len(lines) {
		return ""
	}
	return lines[i]
}

func ev(summary string, start time.Time, reminders ...int) calendar.Event {
	return calendar.Event{ID: "id-" + summary, Calendar: "family", Summary: summary,
		Start: start, End: start.Add(time.Hour), Reminders: reminders}
}

func allDay(summary string, day time.Time, reminders ...int) calendar.Event {
	return calendar.Event{ID: "id-" + summary, Calendar: "family", Summary: summary,
		Start: day, End: day.AddDate(0, 0, 1), AllDay: true, Reminders: reminders}
}
