// Package ics reads iCalendar feeds (RFC 5545) as schools, clubs and
// workplaces publish them from Outlook/Exchange, iCloud, Nextcloud or
// Google, and expands them into calendar.Event instances for a window.
//
// Parsing is golang-ical's (line unfolding, parameters, text escapes);
// recurrence rules are teambition/rrule-go's. The glue here does what
// neither does: time zones (IANA, Windows names, VTIMEZONE blocks), RDATE
// and EXDATE lists, RECURRENCE-ID overrides, cancelled instances, all-day
// dates, alarms, and bounds on hostile input.
package ics

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	ical "github.com/arran4/golang-ical"
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

	events []*component
}

// component is one VEVENT, reduced to what the kiosk shows.
type component struct {
	uid       string
	summary   string
	location  string
	start     when
	end       when
	hasEnd    bool
	dur       duration
	hasDur    bool
	rule      *rrule.ROption // nil if none or refused
	until     when
	hasUntil  bool
	rdates    []rdate
	exdates   []when
	recurID   when
	override  bool // has RECURRENCE-ID
	cancelled bool
	seq       int
	alarms    []alarm
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
)

// ErrNotCalendar means the input does not start with BEGIN:VCALENDAR, as
// when a server answers with an HTML login page.
var ErrNotCalendar = errors.New("not an iCalendar feed")

// Parse reads a whole feed. It fails only if the input is not a calendar
// or cannot be read as one (unbalanced BEGIN/END, a malformed line, input
// cut short, nesting or parameters past the guard's bounds); single events
// it cannot use are left out and noted in Feed.Warnings. Callers bound the
// input size.
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
	zs := &zones{vtimezones: map[string]*ical.VTimezone{}}
	cs := ical.NewCalendarStream(newGuard(r))
	seenCalendar := false
	skipped := 0
	for {
		l, rerr := cs.ReadLine()
		if rerr != nil && rerr != io.EOF {
			return nil, fmt.Errorf("read: %w", rerr)
		}
		if l != nil && len(*l) > 0 {
			line, err := ical.ParseProperty(*l)
			if err != nil || line == nil {
				if !seenCalendar {
					return nil, ErrNotCalendar
				}
				return nil, errors.New("malformed line between components") // its text may be personal
			}
			switch {
			case !seenCalendar:
				if line.IANAToken != "BEGIN" || line.Value != "VCALENDAR" {
					return nil, ErrNotCalendar
				}
				seenCalendar = true
			case line.IANAToken == "BEGIN" && line.Value == "VCALENDAR",
				line.IANAToken == "END" && line.Value == "VCALENDAR":
				// Some servers concatenate calendars; read them as one.
			case line.IANAToken == "BEGIN":
				co, err := ical.GeneralParseComponent(cs, line)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", clip(line.Value), err)
				}
				switch co := co.(type) {
				case *ical.VEvent:
					if len(f.events) >= maxComponents {
						skipped++
					} else if c, err := readEvent(&co.ComponentBase, f); err != nil {
						f.warn("event %q left out: %v", clip(co.Id()), err)
					} else {
						f.events = append(f.events, c)
					}
				case *ical.VTimezone:
					if id := co.GetProperty(ical.ComponentPropertyTzid); id != nil {
						zs.vtimezones[id.Value] = co
					}
				}
			case line.IANAToken == "X-WR-CALNAME":
				f.Name = strings.TrimSpace(line.Value)
			}
		}
		if rerr == io.EOF {
			break
		}
	}
	if !seenCalendar {
		return nil, ErrNotCalendar
	}
	if skipped > 0 {
		f.warn("%d events past the first %d left out", skipped, maxComponents)
	}
	f.resolveZones(zs)
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

// resolveZones turns every TZID into a zone once all VTIMEZONE blocks are
// known (a feed may define them after the events). A TZID nobody knows is
// read as floating time in the kiosk's zone, with a warning.
func (f *Feed) resolveZones(zs *zones) {
	warned := map[string]bool{}
	fix := func(w *when, uid string) {
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
		}
		w.zone, w.tzid = loc, ""
	}
	for _, c := range f.events {
		fix(&c.start, c.uid)
		fix(&c.end, c.uid)
		fix(&c.until, c.uid)
		fix(&c.recurID, c.uid)
		for i := range c.rdates {
			fix(&c.rdates[i].at, c.uid)
			fix(&c.rdates[i].end, c.uid)
		}
		for i := range c.exdates {
			fix(&c.exdates[i], c.uid)
		}
	}
}

// readEvent reduces a VEVENT to a component. Errors leave the event out;
// problems with optional parts (a refused RRULE, a bad EXDATE) are warnings.
func readEvent(cb *ical.ComponentBase, f *Feed) (*component, error) {
	c := &component{}
	var haveStart bool
	var ruleValue string
	for i := range cb.Properties {
		p := &cb.Properties[i].BaseProperty
		var err error
		switch p.IANAToken {
		case "UID":
			c.uid = strings.TrimSpace(p.Value)
		case "SUMMARY":
			c.summary = strings.TrimSpace(p.Value)
		case "LOCATION":
			c.location = strings.TrimSpace(p.Value)
		case "STATUS":
			c.cancelled = strings.EqualFold(strings.TrimSpace(p.Value), "CANCELLED")
		case "SEQUENCE":
			c.seq, _ = strconv.Atoi(strings.TrimSpace(p.Value))
		case "DTSTART":
			c.start, err = propWhen(p)
			haveStart = err == nil
		case "DTEND":
			c.end, err = propWhen(p)
			c.hasEnd = err == nil
		case "DURATION":
			c.dur, err = parseDuration(p.Value)
			c.hasDur = err == nil
		case "RECURRENCE-ID":
			c.recurID, err = propWhen(p)
			c.override = err == nil
		case "RRULE":
			if ruleValue == "" {
				ruleValue = p.Value
			}
		case "RDATE":
			c.rdates, err = appendRDates(c.rdates, p)
		case "EXDATE":
			c.exdates, err = appendWhens(c.exdates, p)
		}
		if err != nil {
			if p.IANAToken == "DTSTART" || p.IANAToken == "RECURRENCE-ID" {
				return nil, fmt.Errorf("%s: %w", p.IANAToken, err)
			}
			f.warn("event %q: %s ignored: %v", clip(c.uid), p.IANAToken, err)
		}
	}
	if !haveStart {
		return nil, errors.New("no DTSTART")
	}
	if c.uid == "" {
		// No UID: name it by what it says, so a re-fetch finds the same.
		c.uid = "nouid:" + hashKey(c.start.wall.String(), c.summary, c.location)
	}
	if ruleValue != "" && !c.override {
		if err := c.setRule(ruleValue); err != nil {
			f.warn("event %q: RRULE ignored: %v", clip(c.uid), err)
		}
	}
	for _, sub := range cb.Components {
		if va, ok := sub.(*ical.VAlarm); ok {
			if a, ok := readAlarm(&va.ComponentBase); ok && len(c.alarms) < 16 {
				c.alarms = append(c.alarms, a)
			}
		}
	}
	return c, nil
}

// propWhen reads a single DATE or DATE-TIME property with its TZID.
func propWhen(p *ical.BaseProperty) (when, error) {
	w, err := parseWhen(p.Value, isDateValue(p))
	if err != nil {
		return w, err
	}
	tagZone(&w, p)
	return w, nil
}

func isDateValue(p *ical.BaseProperty) bool {
	v := p.ICalParameters["VALUE"]
	return len(v) > 0 && strings.EqualFold(v[0], "DATE")
}

// tagZone marks a floating value that carries a TZID as zoned; the zone is
// looked up once the whole feed is read.
func tagZone(w *when, p *ical.BaseProperty) {
	if tz := p.ICalParameters["TZID"]; w.kind == kindFloating && len(tz) > 0 && tz[0] != "" {
		w.kind, w.tzid = kindZoned, tz[0]
	}
}

func appendWhens(dst []when, p *ical.BaseProperty) ([]when, error) {
	var firstErr error
	for i, v := range strings.Split(p.Value, ",") {
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

func appendRDates(dst []rdate, p *ical.BaseProperty) ([]rdate, error) {
	var firstErr error
	for i, s := range strings.Split(p.Value, ",") {
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
func readAlarm(cb *ical.ComponentBase) (alarm, bool) {
	if a := cb.GetProperty(ical.ComponentPropertyAction); a != nil && strings.EqualFold(strings.TrimSpace(a.Value), "NONE") {
		return alarm{}, false
	}
	t := cb.GetProperty(ical.ComponentPropertyTrigger)
	if t == nil {
		return alarm{}, false
	}
	if v := t.ICalParameters["VALUE"]; len(v) > 0 && strings.EqualFold(v[0], "DATE-TIME") {
		w, err := parseWhen(t.Value, false)
		if err != nil || w.kind != kindUTC { // RFC 5545: absolute triggers are UTC
			return alarm{}, false
		}
		return alarm{abs: w.wall, isAbs: true}, true
	}
	d, err := parseDuration(t.Value)
	if err != nil {
		return alarm{}, false
	}
	rel := t.ICalParameters["RELATED"]
	return alarm{rel: d, relEnd: len(rel) > 0 && strings.EqualFold(rel[0], "END")}, true
}
