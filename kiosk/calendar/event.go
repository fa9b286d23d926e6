// Package calendar holds the kiosk's calendar vocabulary: an event instance,
// the dashboard window, and the Google Calendar source.
package calendar

import (
	"sort"
	"time"
)

// Event is one instance of a calendar event: recurring series are expanded
// by their source, so every Event has its own concrete start.
//
// An all-day event starts at local midnight of its first day and ends at
// local midnight after its last day (exclusive), in the configured zone.
type Event struct {
	ID       string    `json:"id"`       // stable per instance: source, UID and original start
	Calendar string    `json:"calendar"` // the configured calendar name
	Summary  string    `json:"summary"`
	Location string    `json:"location"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	AllDay   bool      `json:"all_day"`
	Color    string    `json:"color"`
	// Reminders are minutes before Start (for all-day events, before local
	// midnight of the first day). Empty means the event has none of its own.
	Reminders []int `json:"reminders,omitempty"`
}

// Overlaps reports whether e overlaps the half-open interval [from, to).
// A zero-length event overlaps when it starts inside the interval.
func (e Event) Overlaps(from, to time.Time) bool {
	if !e.Start.Before(to) {
		return false
	}
	if e.End.After(e.Start) {
		return e.End.After(from)
	}
	return !e.Start.Before(from)
}

// Window returns [local midnight of now's day, that plus days days) in loc.
// It counts calendar days, so a DST day is 23 or 25 hours long.
func Window(now time.Time, loc *time.Location, days int) (from, to time.Time) {
	n := now.In(loc)
	from = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	return from, from.AddDate(0, 0, days)
}

// Sort orders events by start; all-day events before timed ones that start
// at the same instant, then by calendar and summary so the order is stable.
func Sort(events []Event) {
	sort.SliceStable(events, func(i, j int) bool {
		a, b := events[i], events[j]
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		if a.AllDay != b.AllDay {
			return a.AllDay
		}
		if a.Calendar != b.Calendar {
			return a.Calendar < b.Calendar
		}
		return a.Summary < b.Summary
	})
}

// MaxReminderMinutes is the longest reminder the kiosk honours: four weeks,
// Google Calendar's limit, which also caps ICS alarms and
// reminders.default_minutes.
const MaxReminderMinutes = 4 * 7 * 24 * 60

// FetchDays is how many days, from local midnight today, to fetch so that
// the page's daysAhead days are covered and so is every reminder: an
// event four weeks out whose four-week reminder is due today must be held
// although the page does not show it. The extra day covers the page's
// midnight roll-over before the next refresh.
func FetchDays(daysAhead int) int {
	return max(daysAhead, MaxReminderMinutes/(24*60)) + 1
}
