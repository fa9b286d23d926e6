// Package remind turns calendar events and train reservations into
// notifications: a minute job scans for reminders whose time has come,
// queues each exactly once, and covers minutes it missed up to a limit.
//
// The rule: a run at now covers the reminder times t with
// minute(now) <= t < minute(now)+1m, where minute(now) is now rounded down
// to the whole minute. The job runs at second 0, so that is the spec's
// now <= t < now+1m without being thrown off by the milliseconds a timer
// fires late. A run also covers the minutes since the last window it
// completed (the mark), at most Reminders.CatchUpMinutes back.
package remind

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"time"
)

// Kinds of notification.
const (
	KindEvent  = "event"
	KindTrain  = "train"
	KindCustom = "custom"
)

// Due is one reminder: a notification to queue when its time comes.
// Adapters (EventDues, TrainDues) build them; Scan decides which are due.
type Due struct {
	// ID names the reminder: the same reminder (same source item, same
	// start, same lead time) always has the same ID, and the job queues an
	// ID at most once.
	ID string
	// At is the reminder time.
	At time.Time
	// NotAfter is when the reminder stops making sense (the event's start,
	// the departure, the payment deadline); a catch-up run skips items
	// whose NotAfter is before the run's minute. Zero: no limit.
	NotAfter time.Time
	Kind     string
	Message  string
}

// Window is the span of reminder times [From, To) one run covers. To is
// the end of the run's minute; From is the start of that minute, or
// earlier when the run catches up minutes no run covered.
type Window struct {
	From, To time.Time
	Now      time.Time // when the run ran, for messages
}

// Minute is the start of the run's own minute.
func (w Window) Minute() time.Time { return w.To.Add(-time.Minute) }

// Contains reports whether t is in [From, To).
func (w Window) Contains(t time.Time) bool { return !t.Before(w.From) && t.Before(w.To) }

// early lets a run that fires a hair before a minute (a timer, a slewed
// clock) count as that minute's run rather than the previous one's.
const early = 2 * time.Second

// Plan returns the window a run at now covers, given the end of the last
// window completed (zero at the very first start, which has no gap to
// cover). A gap longer than catchUp is covered only for its last catchUp;
// skipped is the part left uncovered, zero if none.
//
// The window always holds the run's own minute, even when the mark is
// already past it: a second run in the same minute (after a refresh
// stored new data) rescans it, and after the clock stepped back the
// minutes come round again. Reminders already queued are skipped by ID,
// not by the mark, so rescanning cannot repeat them.
func Plan(now, last time.Time, catchUp time.Duration) (w Window, skipped time.Duration) {
	minute := now.Add(early).Truncate(time.Minute) // Truncate also drops the monotonic reading
	w = Window{From: minute, To: minute.Add(time.Minute), Now: now}
	if last.IsZero() || !last.Before(minute) {
		return w, 0
	}
	w.From = last
	if oldest := minute.Add(-catchUp); w.From.Before(oldest) {
		skipped = oldest.Sub(w.From)
		w.From = oldest
	}
	return w, skipped
}

// Scan returns the items due in w, ordered by time then ID, each ID once:
// w.From <= At < w.To, and NotAfter, if set, not before the run's minute
// (an event that started before this minute gets no late reminder).
func Scan(w Window, items []Due) []Due {
	var due []Due
	minute := w.Minute()
	for _, d := range items {
		if !w.Contains(d.At) || (!d.NotAfter.IsZero() && d.NotAfter.Before(minute)) {
			continue
		}
		due = append(due, d)
	}
	sort.Slice(due, func(i, j int) bool {
		if !due[i].At.Equal(due[j].At) {
			return due[i].At.Before(due[j].At)
		}
		return due[i].ID < due[j].ID
	})
	out := due[:0]
	for i, d := range due {
		if i > 0 && d.ID == due[i-1].ID {
			continue
		}
		out = append(out, d)
	}
	return out
}

// makeID hashes the parts that identify a reminder into a short ID with a
// kind prefix. Hashing keeps reservation numbers and calendar IDs out of
// the page.
func makeID(prefix string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return prefix + hex.EncodeToString(h.Sum(nil)[:12])
}

func unixNano(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 10) }
