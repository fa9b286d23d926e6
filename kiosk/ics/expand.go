package ics

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"time"

	"github.com/teambition/rrule-go"

	"kiosk/kiosk/calendar"
)

// ExpandOptions says whose events these are and where they are shown.
type ExpandOptions struct {
	Calendar string         // Event.Calendar, and part of every Event.ID
	Color    string         // Event.Color
	Loc      *time.Location // zone of floating times and all-day dates; nil means UTC

	// MaxEvents caps the result (the earliest are kept); default 5000.
	MaxEvents int
	// MaxPerSeries caps the instances of one recurring event; default 1000.
	MaxPerSeries int
}

const (
	defaultMaxEvents    = 5000
	defaultMaxPerSeries = 1000
	// maxReminderMinutes drops reminders more than four weeks ahead, such
	// as absolute triggers left over from an earlier instance.
	maxReminderMinutes = 4 * 7 * 24 * 60
)

// Expand returns the instances of the feed's events that overlap
// [from, to), sorted with calendar.Sort. truncated reports that a cap cut
// the result: MaxEvents, MaxPerSeries, or the steps one rule may take.
//
// All-day events start at local midnight of their first day in o.Loc and
// end at local midnight after their last; no zone shifts their dates.
// Recurring instances keep DTSTART's wall clock in its own zone across DST.
// An override (RECURRENCE-ID) replaces the instance it names, wherever it
// moved it; a cancelled override removes it; a cancelled event is gone
// with all its instances. Event.ID hashes the calendar name, the UID and
// the instance's original start, so it survives a re-fetch and a move.
func (f *Feed) Expand(from, to time.Time, o ExpandOptions) (events []calendar.Event, truncated bool) {
	if o.Loc == nil {
		o.Loc = time.UTC
	}
	if o.MaxEvents <= 0 {
		o.MaxEvents = defaultMaxEvents
	}
	if o.MaxPerSeries <= 0 {
		o.MaxPerSeries = defaultMaxPerSeries
	}
	x := &expander{opts: o, from: from, to: to, hardCap: 4 * o.MaxEvents}

	// One master per UID and one override per UID and original start: the
	// newest (SEQUENCE, then LAST-MODIFIED or DTSTAMP, then the last).
	masters := map[string]*component{}
	var order []*component
	overrides := map[string]map[string]*component{}
	futures := map[string]map[string]*component{} // RANGE=THISANDFUTURE
	for _, c := range f.events {
		if c.override {
			all := overrides
			if c.rangeFuture {
				all = futures
			}
			key := x.origKey(c.recurID)
			byKey := all[c.uid]
			if byKey == nil {
				byKey = map[string]*component{}
				all[c.uid] = byKey
			}
			if prev, ok := byKey[key]; !ok || !older(c, prev) {
				byKey[key] = c
			}
			continue
		}
		prev, ok := masters[c.uid]
		if !ok {
			order = append(order, c)
		}
		if !ok || !older(c, prev) {
			masters[c.uid] = c
		}
	}
	// An override older than its master stands only for an instance the
	// master still has: it must not bring back one the newer master
	// excluded or no longer generates.
	for uid, m := range masters {
		for _, all := range []map[string]map[string]*component{overrides, futures} {
			for key, ov := range all[uid] {
				if older(ov, m) && !x.generates(m, ov.recurID) {
					delete(all[uid], key)
				}
			}
		}
	}
	for _, first := range order {
		if x.full() {
			break
		}
		if m := masters[first.uid]; !m.cancelled {
			x.series(m, overrides[m.uid], futureList(futures[m.uid], x))
		}
	}
	// Overrides are instances of their own, shown wherever they moved to;
	// a RANGE=THISANDFUTURE one is, if its master is missing.
	for _, c := range f.events {
		if x.full() {
			break
		}
		all := overrides
		if c.rangeFuture {
			all = futures
		}
		if !c.override || c.cancelled || all[c.uid][x.origKey(c.recurID)] != c {
			continue
		}
		if m, ok := masters[c.uid]; ok && (m.cancelled || c.rangeFuture) {
			continue
		}
		start, end := x.span(c, c.start.wall, nil)
		if (calendar.Event{Start: start, End: end}).Overlaps(x.from, x.to) {
			x.add(c.uid, c, c.start.kind == kindDate, x.origKey(c.recurID), start, end)
		}
	}

	calendar.Sort(x.events)
	if len(x.events) > o.MaxEvents {
		x.events, x.truncated = x.events[:o.MaxEvents], true
	}
	return x.events, x.truncated
}

// older reports whether a is an older version of the same component than
// b: a lower SEQUENCE, or the same and an earlier LAST-MODIFIED/DTSTAMP.
func older(a, b *component) bool {
	if a.seq != b.seq {
		return a.seq < b.seq
	}
	return !a.stamp.IsZero() && !b.stamp.IsZero() && a.stamp.Before(b.stamp)
}

// futureList orders RANGE=THISANDFUTURE overrides by original start.
func futureList(byKey map[string]*component, x *expander) []*component {
	var out []*component
	for _, c := range byKey {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *component) int {
		return a.recurID.in(x.opts.Loc).Compare(b.recurID.in(x.opts.Loc))
	})
	return out
}

type expander struct {
	opts      ExpandOptions
	from, to  time.Time
	events    []calendar.Event
	hardCap   int
	truncated bool
}

func (x *expander) full() bool {
	if len(x.events) >= x.hardCap {
		x.truncated = true
		return true
	}
	return false
}

// generates reports whether master c has an instance at the original
// start id, not excluded by EXDATE or EXRULE.
func (x *expander) generates(c *component, id when) bool {
	allDay := c.start.kind == kindDate
	zone := c.start.zoneOf(x.opts.Loc)
	var w time.Time
	switch {
	case allDay || id.kind == kindDate:
		w = dateOnly(id.wall)
		if !allDay {
			w = w.Add(c.start.wall.Sub(dateOnly(c.start.wall)))
		}
	default:
		w = x.seriesWall(c, id, zone)
	}
	excluded := x.exclusions(c, zone, w.Add(-time.Second), w.Add(time.Second), nil)
	found := false
	x.instances(c, zone, w.Add(-time.Second), w.Add(time.Second), func(v time.Time, _ *rdate) bool {
		if v.Equal(w) || allDay && dateKey(v) == dateKey(w) {
			found = !excluded(v)
			return !found
		}
		return true
	})
	return found
}

// exclusions returns the test for instances c's EXDATEs and EXRULEs, and
// the original starts of overrides, remove, on c's wall clock in [lo, hi].
func (x *expander) exclusions(c *component, zone *time.Location, lo, hi time.Time, overrides map[string]*component) func(time.Time) bool {
	allDay := c.start.kind == kindDate
	exWall := map[int64]bool{}
	exDate := map[int]bool{}
	skip := func(w when) {
		if w.kind == kindDate || allDay {
			exDate[dateKey(w.wall)] = true
		} else {
			exWall[x.seriesWall(c, w, zone).Unix()] = true
		}
	}
	for _, w := range c.exdates {
		skip(w)
	}
	for _, ov := range overrides {
		skip(ov.recurID)
	}
	for _, r := range c.exrules {
		x.ruleInstances(c, r, zone, lo, hi, func(w time.Time) bool {
			if allDay {
				exDate[dateKey(w)] = true
			} else {
				exWall[w.Unix()] = true
			}
			return true
		})
	}
	return func(w time.Time) bool {
		return exDate[dateKey(w)] || (!allDay && exWall[w.Unix()])
	}
}

// series adds the instances of a master event: DTSTART, the RRULEs and the
// RDATEs, minus EXDATEs, EXRULEs and the instances overrides replace.
// futures (by original start) change the instances from theirs on.
func (x *expander) series(c *component, overrides map[string]*component, futures []*component) {
	loc := x.opts.Loc
	allDay := c.start.kind == kindDate
	zone := c.start.zoneOf(loc)

	if len(c.rules) == 0 && len(c.rdates) == 0 && len(c.exdates) == 0 && len(overrides) == 0 && len(futures) == 0 {
		// Most events happen once: no sets to build.
		start, end := x.span(c, c.start.wall, nil)
		if (calendar.Event{Start: start, End: end}).Overlaps(x.from, x.to) {
			x.add(c.uid, c, allDay, x.instanceKey(allDay, c.start.wall, zone), start, end)
		}
		return
	}

	// A THISANDFUTURE override moves its instances by its own shift on
	// the series' wall clock.
	type future struct {
		from  time.Time // original start on the wall clock
		shift time.Duration
		c     *component
	}
	var fs []future
	var widen time.Duration
	for _, f := range futures {
		var fw, sw time.Time
		if allDay {
			fw, sw = dateOnly(f.recurID.wall), dateOnly(f.start.wall)
		} else {
			fw, sw = x.seriesWall(c, f.recurID, zone), x.seriesWall(c, f.start, zone)
		}
		fs = append(fs, future{fw, sw.Sub(fw), f})
		widen = max(widen, sw.Sub(fw), fw.Sub(sw), f.maxLength())
	}

	// The window on the series' wall clock, widened by the event's length
	// and a day for offsets.
	lo := wallOf(x.from, zone).Add(-c.maxLength() - 26*time.Hour - widen)
	hi := wallOf(x.to, zone).Add(26*time.Hour + widen)
	excluded := x.exclusions(c, zone, lo, hi, overrides)

	seen := map[int64]bool{}
	n := 0
	x.instances(c, zone, lo, hi, func(w time.Time, r *rdate) bool {
		if seen[w.Unix()] || excluded(w) {
			return true
		}
		seen[w.Unix()] = true
		look := c
		ws := w
		var fut *future
		for i := range fs {
			if !w.Before(fs[i].from) {
				fut = &fs[i]
			}
		}
		if fut != nil {
			if fut.c.cancelled {
				return true
			}
			look, ws = fut.c, w.Add(fut.shift)
		}
		start, end := x.span(c, ws, r)
		if fut != nil && (fut.c.hasEnd || fut.c.hasDur) {
			s0, e0 := x.span(fut.c, fut.c.start.wall, nil)
			end = start.Add(e0.Sub(s0))
			if allDay {
				end = wallIn(dateOnly(ws).AddDate(0, 0, fut.c.allDayLength()), loc)
			}
		}
		if !(calendar.Event{Start: start, End: end}).Overlaps(x.from, x.to) {
			return true
		}
		if n >= x.opts.MaxPerSeries || x.full() {
			x.truncated = true
			return false
		}
		n++
		x.add(c.uid, look, allDay, x.instanceKey(allDay, w, zone), start, end)
		return true
	})
}

// instances calls fn with the start of each instance of c on its wall
// clock: DTSTART, then RDATEs, then the results of each RRULE within
// [lo, hi]; fn returns false to stop. r is the RDATE an instance came from.
func (x *expander) instances(c *component, zone *time.Location, lo, hi time.Time, fn func(w time.Time, r *rdate) bool) {
	allDay := c.start.kind == kindDate
	if !fn(c.start.wall, nil) {
		return
	}
	for i := range c.rdates {
		r := &c.rdates[i]
		var w time.Time
		switch {
		case allDay:
			w = dateOnly(r.at.wall)
		case r.at.kind == kindDate: // a date in a timed series: DTSTART's clock
			w = r.at.wall.Add(c.start.wall.Sub(dateOnly(c.start.wall)))
		default:
			w = x.seriesWall(c, r.at, zone)
		}
		if !fn(w, r) {
			return
		}
	}
	for _, rule := range c.rules {
		stopped := false
		x.ruleInstances(c, rule, zone, lo, hi, func(w time.Time) bool {
			stopped = !fn(w, nil)
			return !stopped
		})
		if stopped {
			return
		}
	}
}

// ruleInstances calls fn with the results of one RRULE or EXRULE of c in
// [lo, hi] on c's wall clock, until fn returns false.
func (x *expander) ruleInstances(c *component, rule recur, zone *time.Location, lo, hi time.Time, fn func(time.Time) bool) {
	o := *rule.opt
	o.Dtstart = c.start.wall
	if rule.hasUntil {
		o.Until = x.untilWall(c, rule.until, zone)
		if o.Until.Before(lo) {
			return
		}
	}
	rebase(&o, lo)
	shift := eraShift(o.Dtstart.Year(), hi.Year())
	if shift != 0 {
		o.Dtstart = o.Dtstart.AddDate(shift, 0, 0)
		if !o.Until.IsZero() {
			if o.Until.Year()+shift > 9999 {
				o.Until = time.Time{} // past the window anyway
			} else {
				o.Until = o.Until.AddDate(shift, 0, 0)
			}
		}
	}
	r, err := rrule.NewRRule(o)
	if err != nil { // checked when parsed; only a moved DTSTART could differ
		return
	}
	next := r.Iterator()
	for steps := 0; ; steps++ {
		w, ok := next()
		if !ok {
			return
		}
		w = w.AddDate(-shift, 0, 0)
		if w.After(hi) {
			return
		}
		if steps >= maxSteps {
			x.truncated = true
			return
		}
		if !w.Before(lo) && !fn(w) {
			return
		}
	}
}

// seriesWall places w on the wall clock of series c (zone), converting
// only when w was written in another zone or in UTC.
func (x *expander) seriesWall(c *component, w when, zone *time.Location) time.Time {
	if w.kind == c.start.kind && (w.kind != kindZoned || w.zone == c.start.zone) {
		return w.wall
	}
	return wallOf(w.in(x.opts.Loc), zone)
}

// untilWall puts UNTIL on the series' wall clock. A date-time UNTIL on an
// all-day series is read as the nearest date (producers write local
// midnight in UTC), the same in every zone.
func (x *expander) untilWall(c *component, u when, zone *time.Location) time.Time {
	switch {
	case c.start.kind == kindDate:
		if u.kind == kindDate {
			return u.wall
		}
		return dateOnly(u.wall.Add(12 * time.Hour))
	case u.kind == kindDate: // inclusive: the whole day
		return u.wall.Add(24*time.Hour - time.Second)
	default:
		return x.seriesWall(c, u, zone)
	}
}

// span returns the instance of c that starts at wall clock w: its start
// and end instants. r is the RDATE it came from, which may bring a PERIOD.
func (x *expander) span(c *component, w time.Time, r *rdate) (start, end time.Time) {
	loc := x.opts.Loc
	if c.start.kind == kindDate {
		days := c.allDayLength()
		if r != nil && r.hasDur {
			days = max(1, r.dur.days+int(r.dur.secs/86400))
		}
		start = wallIn(dateOnly(w), loc)
		return start, wallIn(dateOnly(w).AddDate(0, 0, days), loc)
	}
	zone := c.start.zoneOf(loc)
	start = wallIn(w, zone)
	switch {
	case r != nil && r.hasEnd:
		end = r.end.in(loc)
	case r != nil && r.hasDur:
		end = nominal(w, r.dur, zone)
	case c.hasEnd:
		end = start.Add(c.end.in(loc).Sub(c.start.in(loc)))
	case c.hasDur:
		end = nominal(w, c.dur, zone)
	default:
		end = start
	}
	if end.Before(start) {
		end = start
	}
	return start.In(loc), end.In(loc)
}

// nominal adds a duration's days on the wall clock, then its exact seconds.
func nominal(w time.Time, d duration, zone *time.Location) time.Time {
	return wallIn(w.AddDate(0, 0, d.days), zone).Add(time.Duration(d.secs) * time.Second)
}

// allDayLength is an all-day event's length in days, at least one.
func (c *component) allDayLength() int {
	days := 1
	switch {
	case c.hasEnd:
		days = int(dateOnly(c.end.wall).Sub(dateOnly(c.start.wall)) / (24 * time.Hour))
	case c.hasDur:
		days = c.dur.days + int(c.dur.secs/86400)
	}
	return min(max(days, 1), maxDurationDays)
}

// maxLength bounds how long one instance of c lasts, for widening windows.
func (c *component) maxLength() time.Duration {
	var d time.Duration
	switch {
	case c.start.kind == kindDate:
		d = time.Duration(c.allDayLength()) * 24 * time.Hour
	case c.hasEnd:
		d = c.end.wall.Sub(c.start.wall) + 26*time.Hour // zones may differ
	case c.hasDur:
		d = time.Duration(c.dur.days)*24*time.Hour + time.Duration(c.dur.secs)*time.Second + time.Hour
	}
	for _, r := range c.rdates {
		if r.hasDur {
			d = max(d, time.Duration(r.dur.days)*24*time.Hour+time.Duration(r.dur.secs)*time.Second+time.Hour)
		}
	}
	return min(max(d, 0), maxDurationDays*24*time.Hour)
}

func dateOnly(w time.Time) time.Time {
	y, m, d := w.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// origKey names an original start for Event.ID and override matching:
// the date for all-day instances, else the instant.
func (x *expander) origKey(w when) string {
	if w.kind == kindDate {
		return "D" + strconv.Itoa(dateKey(w.wall))
	}
	return "T" + strconv.FormatInt(w.in(x.opts.Loc).Unix(), 10)
}

func (x *expander) instanceKey(allDay bool, w time.Time, zone *time.Location) string {
	if allDay {
		return "D" + strconv.Itoa(dateKey(w))
	}
	return "T" + strconv.FormatInt(wallIn(w, zone).Unix(), 10)
}

// add adds an instance of the series uid, which looks as c says.
func (x *expander) add(uid string, c *component, allDay bool, key string, start, end time.Time) {
	x.events = append(x.events, calendar.Event{
		ID:        hashKey(x.opts.Calendar, uid, key),
		Calendar:  x.opts.Calendar,
		Summary:   c.summary,
		Location:  c.location,
		Start:     start,
		End:       end,
		AllDay:    allDay,
		Color:     x.opts.Color,
		Reminders: reminders(c.alarms, start, end),
	})
}

// reminders turns alarms into minutes before start, ascending. Triggers
// after the start cannot be said that way and are dropped; so are
// reminders more than four weeks ahead.
func reminders(alarms []alarm, start, end time.Time) []int {
	var out []int
	for _, a := range alarms {
		var before time.Duration
		switch {
		case a.isAbs:
			before = start.Sub(a.abs)
		case a.relEnd:
			before = -(end.Sub(start) + a.rel.std())
		default:
			before = -a.rel.std()
		}
		if before < 0 || before > maxReminderMinutes*time.Minute {
			continue
		}
		m := int(before / time.Minute)
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return out
}

// std is the duration with a day as 24 hours, for alarm offsets.
func (d duration) std() time.Duration {
	return time.Duration(d.days)*24*time.Hour + time.Duration(d.secs)*time.Second
}

// hashKey is a stable short hash of its parts.
func hashKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}
