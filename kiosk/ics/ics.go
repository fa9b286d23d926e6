// Package ics reads iCalendar feeds (RFC 5545) as schools, clubs and
// workplaces publish them from Outlook/Exchange, iCloud, Nextcloud or
// Google, and expands them into calendar.Event instances for a window.
//
// Parsing is its own and tolerant, as calendar apps are: a line it cannot
// read loses that line, never the feed (lines.go, parser.go). Recurrence
// rules are teambition/rrule-go's; the glue here does the rest: time zones
// (IANA, Windows names, VTIMEZONE blocks with their history,
// X-WR-TIMEZONE), RDATE and EXDATE lists, EXRULE, RECURRENCE-ID overrides
// with SEQUENCE and RANGE=THISANDFUTURE, cancelled instances, all-day
// dates, alarms, and bounds on hostile input.
package ics

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// Feed is a parsed feed, independent of the window and zone it is later
// expanded in, so one parse serves many Expand calls.
type Feed struct {
	// Name is the feed's X-WR-CALNAME, if it has one.
	Name string
	// Warnings lists what was left out or guessed, one line each, such as
	// an unknown TZID read as floating time or an RRULE that was refused.
	// Lines name the UID, never the summary.
	Warnings []string
	// Skipped counts what could not be read and was left out: lines that
	// are no content line, properties the kiosk reads whose values are
	// unreadable, and events without a readable start. Lines it repaired
	// (a raw line break, a misspelt or missing END) are not counted.
	Skipped int
	// SkipReason says why the first of them was left out, in fixed words
	// that quote nothing from the feed.
	SkipReason string

	events []*component
	zone   string // X-WR-TIMEZONE: the zone of floating times, if set
}

// component is one VEVENT, reduced to what the kiosk shows.
type component struct {
	uid         string
	summary     string
	location    string
	start       when
	end         when
	hasEnd      bool
	dur         duration
	hasDur      bool
	rules       []recur // RRULEs: instances are their union
	exrules     []recur // EXRULEs: their instances are excluded
	rdates      []rdate
	exdates     []when
	recurID     when
	override    bool // has RECURRENCE-ID
	rangeFuture bool // RECURRENCE-ID;RANGE=THISANDFUTURE
	cancelled   bool
	seq         int
	stamp       time.Time // LAST-MODIFIED, else DTSTAMP (UTC); zero if neither
	alarms      []alarm
}

// recur is one RRULE or EXRULE. UNTIL is kept as written, as its zone is
// known only once the feed is read.
type recur struct {
	opt      *rrule.ROption
	until    when
	hasUntil bool
}

// rdate is one RDATE value; a PERIOD brings its own end.
type rdate struct {
	at     when
	end    when
	hasEnd bool
	dur    duration
	hasDur bool
}

// alarm is one VALARM trigger.
type alarm struct {
	rel    duration // relative to start, or to end with relEnd
	relEnd bool
	abs    time.Time // an absolute trigger (VALUE=DATE-TIME, UTC)
	isAbs  bool
}

const (
	// maxComponents bounds the VEVENTs kept from one feed, some 500 bytes
	// each; 20 MiB of real events is about 40,000.
	maxComponents = 50_000
	// maxWarnings bounds Feed.Warnings; the last line counts the rest.
	maxWarnings = 50
	// maxListValues bounds the values of one RDATE or EXDATE property.
	maxListValues = 10_000
	// maxRules bounds the RRULEs and EXRULEs of one event.
	maxRules = 16
)

// ErrNotCalendar means the input has no BEGIN:VCALENDAR, as when a server
// answers with an HTML login page.
var ErrNotCalendar = errors.New("not an iCalendar feed")

// Parse reads a whole feed. It reads what calendar apps read: a line,
// property or parameter it cannot read loses that property (or, for an
// event's start, that event), counted in Feed.Skipped, never the feed. It
// fails only if the input is not a calendar, ends inside a component (cut
// short), or goes past the guard's bounds on nesting, event size and
// parameters.
// Callers bound the input size.
func Parse(r io.Reader) (*Feed, error) {
	f, err := parse(r)
	if err != nil {
		return nil, fmt.Errorf("ics: %w", err)
	}
	return f, nil
}

// parse is Parse for callers that put their own prefix on errors.
func parse(r io.Reader) (*Feed, error) {
	f := &Feed{}
	p := &parser{f: f, zs: &zones{vtimezones: map[string]*vtimezone{}}}
	lr := newLineReader(newGuard(r), p.skipLine)
	for {
		line, err := lr.next()
		if err != nil {
			return nil, fmt.Errorf("read: %w", err)
		}
		if line == nil {
			break
		}
		if err := p.line(line); err != nil {
			return nil, err
		}
	}
	if !p.seenCalendar {
		return nil, ErrNotCalendar
	}
	switch {
	case len(p.stack) == 1:
		// Every component ended, only END:VCALENDAR is missing: some
		// exporters forget it. Read, and say so.
		p.closeTo(0)
		f.skip(1, "no END:VCALENDAR")
	case len(p.stack) > 1:
		// Cut off inside a component: more likely a transfer cut short
		// than a whole feed, so keep the last good copy instead.
		return nil, errors.New("input cut short: no END:VCALENDAR")
	}
	if p.tooMany > 0 {
		f.warn("%d events past the first %d left out", p.tooMany, maxComponents)
		f.skip(p.tooMany, "too many events")
	}
	f.resolveZones(p.zs)
	return f, nil
}

func (f *Feed) warn(format string, args ...any) {
	switch {
	case len(f.Warnings) < maxWarnings:
		f.Warnings = append(f.Warnings, fmt.Sprintf(format, args...))
	case len(f.Warnings) == maxWarnings:
		f.Warnings = append(f.Warnings, "more warnings left out")
	}
}

// skip counts n things left out; reason must quote nothing from the feed.
func (f *Feed) skip(n int, reason string) {
	if f.Skipped == 0 {
		f.SkipReason = reason
	}
	f.Skipped += n
}

// Note says in a few words what was left out, such as
// "3 lines skipped (first: event without a readable DTSTART)", or "".
func (f *Feed) Note() string {
	switch f.Skipped {
	case 0:
		return ""
	case 1:
		return "1 line skipped (" + f.SkipReason + ")"
	}
	return strconv.Itoa(f.Skipped) + " lines skipped (first: " + f.SkipReason + ")"
}

// resolveZones turns every TZID into a zone once all VTIMEZONE blocks are
// known (a feed may define them after the events). A TZID nobody knows is
// read as floating time, with a warning. Floating times are in the feed's
// X-WR-TIMEZONE if it names a zone, else in the kiosk's.
func (f *Feed) resolveZones(zs *zones) {
	var feedZone *time.Location
	if f.zone != "" {
		loc, err := zs.lookup(f.zone)
		if err != nil {
			f.warn("X-WR-TIMEZONE ignored: %v", err)
		}
		feedZone = loc
	}
	warned := map[string]bool{}
	fix := func(w *when, uid string) {
		if w.kind == kindFloating && feedZone != nil {
			w.kind, w.zone = kindZoned, feedZone
			return
		}
		if w.kind != kindZoned || w.zone != nil {
			return
		}
		loc, err := zs.lookup(w.tzid)
		if err != nil {
			if !warned[w.tzid] {
				warned[w.tzid] = true
				f.warn("event %q: %v: read as local time", clip(uid), err)
			}
			w.kind = kindFloating
			if feedZone != nil {
				w.kind, loc = kindZoned, feedZone
			}
		}
		w.zone, w.tzid = loc, ""
	}
	for _, c := range f.events {
		fix(&c.start, c.uid)
		fix(&c.end, c.uid)
		fix(&c.recurID, c.uid)
		for _, rules := range [][]recur{c.rules, c.exrules} {
			for i := range rules {
				fix(&rules[i].until, c.uid)
			}
		}
		for i := range c.rdates {
			fix(&c.rdates[i].at, c.uid)
			fix(&c.rdates[i].end, c.uid)
		}
		for i := range c.exdates {
			fix(&c.exdates[i], c.uid)
		}
	}
}

// readEvent reduces a VEVENT to a component. A missing or unreadable
// DTSTART (or RECURRENCE-ID) leaves the event out; an unreadable optional
// property is left out alone. Both are counted in f.Skipped.
func readEvent(props []prop, alarms [][]prop, f *Feed) (*component, error) {
	c := &component{}
	var haveStart, haveUID bool
	var startErr error
	var ruleProps, exruleProps []*prop
	var dtstamp time.Time
	for i := range props {
		p := &props[i]
		var err error
		switch p.name {
		case "UID":
			if !haveUID {
				c.uid, haveUID = strings.TrimSpace(unescapeText(p.value)), true
			}
		case "SUMMARY":
			c.summary = strings.TrimSpace(unescapeText(p.value))
		case "LOCATION":
			c.location = strings.TrimSpace(unescapeText(p.value))
		case "STATUS":
			c.cancelled = strings.EqualFold(strings.TrimSpace(p.value), "CANCELLED")
		case "SEQUENCE":
			c.seq, _ = strconv.Atoi(strings.TrimSpace(p.value))
		case "DTSTAMP", "LAST-MODIFIED":
			if w, err := parseWhen(p.value, false); err == nil && w.kind == kindUTC {
				if p.name == "DTSTAMP" {
					dtstamp = w.wall
				} else {
					c.stamp = w.wall
				}
			}
		case "DTSTART":
			if haveStart {
				if _, err := propWhen(p); err != nil {
					f.skip(1, "unreadable DTSTART left out")
				}
				continue // the first readable one counts
			}
			var w when
			if w, err = propWhen(p); err == nil {
				c.start, haveStart = w, true
				if startErr != nil {
					f.skip(1, "unreadable DTSTART left out")
				}
			} else {
				startErr = err
			}
			err = nil
		case "DTEND":
			c.end, err = propWhen(p)
			c.hasEnd = err == nil
		case "DURATION":
			c.dur, err = parseDuration(p.value)
			c.hasDur = err == nil
		case "RECURRENCE-ID":
			c.recurID, err = propWhen(p)
			if err != nil {
				f.skip(1, "event with an unreadable RECURRENCE-ID")
				return nil, fmt.Errorf("event %q left out: RECURRENCE-ID: %w", clip(c.uid), err)
			}
			c.override = true
			c.rangeFuture = strings.EqualFold(strings.TrimSpace(p.param("RANGE")), "THISANDFUTURE")
		case "RRULE":
			ruleProps = append(ruleProps, p)
		case "EXRULE":
			exruleProps = append(exruleProps, p)
		case "RDATE":
			c.rdates, err = appendRDates(c.rdates, p)
		case "EXDATE":
			c.exdates, err = appendWhens(c.exdates, p)
		}
		if err != nil {
			f.skip(1, "unreadable "+p.name+" left out")
			f.warn("event %q: %s ignored: %v", clip(c.uid), p.name, err)
		}
	}
	if !haveStart {
		reason := "event without DTSTART"
		if startErr != nil {
			reason = "event with an unreadable DTSTART"
		}
		f.skip(1, reason)
		return nil, fmt.Errorf("event %q left out: %s", clip(c.uid), reason)
	}
	if c.stamp.IsZero() {
		c.stamp = dtstamp
	}
	if c.uid == "" {
		// No UID: name it by what it says, so a re-fetch finds the same.
		c.uid = "nouid:" + hashKey(c.start.wall.String(), c.summary, c.location)
	}
	for _, l := range []struct {
		props []*prop
		dst   *[]recur
	}{{ruleProps, &c.rules}, {exruleProps, &c.exrules}} {
		for _, p := range l.props {
			if c.override {
				break // an override's copy of the rule is not read: its master's counts
			}
			if len(*l.dst) >= maxRules {
				f.skip(1, p.name+" past the limit left out")
				continue
			}
			r, err := parseRule(p.value, c.start.wall)
			if err != nil {
				f.skip(1, "unreadable "+p.name+" left out")
				f.warn("event %q: %s ignored: %v", clip(c.uid), p.name, err)
				continue
			}
			*l.dst = append(*l.dst, r)
		}
	}
	for _, props := range alarms {
		if a, ok := readAlarm(props); ok {
			c.alarms = append(c.alarms, a)
		}
	}
	return c, nil
}

// propWhen reads a single DATE or DATE-TIME property with its TZID.
func propWhen(p *prop) (when, error) {
	w, err := parseWhen(p.value, isDateValue(p))
	if err != nil {
		return w, err
	}
	tagZone(&w, p)
	return w, nil
}

func isDateValue(p *prop) bool {
	return strings.EqualFold(strings.TrimSpace(p.param("VALUE")), "DATE")
}

// tagZone marks a floating value that carries a TZID as zoned; the zone is
// looked up once the whole feed is read.
func tagZone(w *when, p *prop) {
	if tz := strings.TrimSpace(p.param("TZID")); w.kind == kindFloating && tz != "" {
		w.kind, w.tzid = kindZoned, tz
	}
}

func appendWhens(dst []when, p *prop) ([]when, error) {
	var firstErr error
	for i, v := range strings.Split(p.value, ",") {
		if i >= maxListValues {
			return dst, errors.New("too many values")
		}
		if strings.TrimSpace(v) == "" {
			continue
		}
		w, err := parseWhen(v, isDateValue(p))
		if err != nil {
			firstErr = cmpErr(firstErr, err)
			continue
		}
		tagZone(&w, p)
		dst = append(dst, w)
	}
	return dst, firstErr
}

func appendRDates(dst []rdate, p *prop) ([]rdate, error) {
	var firstErr error
	for i, s := range strings.Split(p.value, ",") {
		if i >= maxListValues {
			return dst, errors.New("too many values")
		}
		if strings.TrimSpace(s) == "" {
			continue
		}
		var r rdate
		var err error
		// VALUE=PERIOD is start/end or start/duration; a plain value has no slash.
		startText, endText, hasSlash := strings.Cut(s, "/")
		r.at, err = parseWhen(startText, isDateValue(p))
		if err == nil && hasSlash {
			if strings.HasPrefix(strings.TrimSpace(endText), "P") || strings.HasPrefix(strings.TrimSpace(endText), "+P") {
				r.dur, err = parseDuration(endText)
				r.hasDur = err == nil
			} else {
				r.end, err = parseWhen(endText, false)
				r.hasEnd = err == nil
				tagZone(&r.end, p)
			}
		}
		if err != nil {
			firstErr = cmpErr(firstErr, err)
			continue
		}
		tagZone(&r.at, p)
		dst = append(dst, r)
	}
	return dst, firstErr
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// readAlarm reads a VALARM's TRIGGER. ACTION:NONE (Apple's placeholder)
// and triggers it cannot read are dropped.
func readAlarm(props []prop) (alarm, bool) {
	var t *prop
	for i := range props {
		switch p := &props[i]; p.name {
		case "ACTION":
			if strings.EqualFold(strings.TrimSpace(p.value), "NONE") {
				return alarm{}, false
			}
		case "TRIGGER":
			if t == nil {
				t = p
			}
		}
	}
	if t == nil {
		return alarm{}, false
	}
	if strings.EqualFold(strings.TrimSpace(t.param("VALUE")), "DATE-TIME") {
		w, err := parseWhen(t.value, false)
		if err != nil || w.kind != kindUTC { // RFC 5545: absolute triggers are UTC
			return alarm{}, false
		}
		return alarm{abs: w.wall, isAbs: true}, true
	}
	d, err := parseDuration(t.value)
	if err != nil {
		return alarm{}, false
	}
	return alarm{rel: d, relEnd: strings.EqualFold(strings.TrimSpace(t.param("RELATED")), "END")}, true
}
