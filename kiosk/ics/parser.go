package ics

import (
	"bytes"
	"strings"
)

// prop is one content line the kiosk reads: its name (upper case), its
// parameters and its value, as written.
type prop struct {
	name   string
	params []param
	value  string
}

// param is one property parameter; a list value is kept whole.
type param struct {
	name  string // upper case
	value string // outer quotes removed
}

// param returns the value of the named parameter, or "".
func (p *prop) param(name string) string {
	for _, q := range p.params {
		if q.name == name {
			return q.value
		}
	}
	return ""
}

// frameKind is what a component is to the kiosk.
type frameKind uint8

const (
	kindOther frameKind = iota // read past: VTODO, VJOURNAL, X-components
	kindCalendar
	kindEvent
	kindAlarm
	kindTimezone
	kindStandard
	kindDaylight
)

// frame is one open component.
type frame struct {
	name   string
	kind   frameKind
	props  []prop
	alarms [][]prop       // an event's VALARMs
	obs    []observedProp // a VTIMEZONE's STANDARD and DAYLIGHT blocks
	lines  int            // content lines, for a top-level component
}

type observedProp struct {
	dst   bool
	props []prop
}

// vtimezone is a feed's VTIMEZONE block, built into a zone when a TZID
// needs it.
type vtimezone struct {
	obs []observedProp
}

// parser builds components from logical lines. Nesting is repaired the way
// calendar apps do: a BEGIN of a top-level component (VEVENT, VTODO, ...)
// closes whatever is still open, END:VCALENDAR closes everything, and an
// END names the innermost open component it matches, or, misspelt
// (END:VTOOD), the innermost one if the name is one or two letters off.
type parser struct {
	f            *Feed
	zs           *zones
	stack        []*frame
	seenCalendar bool
	preamble     int // lines before BEGIN:VCALENDAR
	tooMany      int // events past maxComponents
}

// skipLine counts a line the line reader could not read; lines before the
// calendar count only once it is found.
func (p *parser) skipLine(reason string) {
	if !p.seenCalendar {
		p.preamble++
		return
	}
	p.f.skip(1, reason)
}

func (p *parser) line(line []byte) error {
	nameEnd := shapeEnd(line)
	if nameEnd == 0 {
		p.skipLine("line without a property name")
		return nil
	}
	vs := valueStart(line)
	if vs < 0 {
		// An unclosed quote: the value starts at the first ':' anyway.
		if i := bytes.IndexByte(line[nameEnd:], ':'); i >= 0 {
			vs = nameEnd + i
		}
	}
	if vs < 0 {
		p.skipLine("line without a value")
		return nil
	}
	name := line[:nameEnd]
	if dateValued(name) {
		// A date never holds a ':', a parameter may (TZID=tzone://...).
		vs = bytes.LastIndexByte(line, ':')
	}
	if len(p.stack) >= 2 {
		top := p.stack[1]
		top.lines++
		if top.lines > maxComponentLines {
			return errTooLong
		}
	}
	switch string(name) {
	case "BEGIN":
		return p.begin(componentName(line[vs+1:]))
	case "END":
		p.end(componentName(line[vs+1:]))
		return nil
	}
	if len(p.stack) == 0 {
		p.skipLine("line outside the calendar")
		return nil
	}
	top := p.stack[len(p.stack)-1]
	if !wanted(top.kind, name) {
		return nil
	}
	if len(top.props) >= maxComponentLines {
		return errTooLong
	}
	top.props = append(top.props, parseProp(line, nameEnd, vs))
	return nil
}

func componentName(v []byte) string {
	return strings.ToUpper(string(bytes.TrimSpace(v)))
}

func (p *parser) begin(name string) error {
	if !p.seenCalendar {
		if name != "VCALENDAR" {
			p.preamble++
			return nil
		}
		p.seenCalendar = true
		if p.preamble > 0 {
			p.f.skip(p.preamble, "lines before BEGIN:VCALENDAR")
		}
	}
	kind := kindOther
	switch name {
	case "VCALENDAR":
		if len(p.stack) > 0 {
			// Some servers concatenate calendars; read them as one.
			p.closeTo(1)
			return nil
		}
		kind = kindCalendar
	case "VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE":
		if len(p.stack) == 0 {
			p.f.skip(1, "line outside the calendar")
			return nil
		}
		p.closeTo(1)
		switch name {
		case "VEVENT":
			kind = kindEvent
		case "VTIMEZONE":
			kind = kindTimezone
		}
	default:
		if len(p.stack) == 0 {
			p.f.skip(1, "line outside the calendar")
			return nil
		}
		switch parent := p.stack[len(p.stack)-1].kind; {
		case name == "VALARM" && parent == kindEvent:
			kind = kindAlarm
		case name == "STANDARD" && parent == kindTimezone:
			kind = kindStandard
		case name == "DAYLIGHT" && parent == kindTimezone:
			kind = kindDaylight
		}
	}
	p.stack = append(p.stack, &frame{name: name, kind: kind})
	if len(p.stack) > maxDepth {
		return errTooDeep
	}
	return nil
}

func (p *parser) end(name string) {
	for i := len(p.stack) - 1; i >= 0; i-- {
		if p.stack[i].name == name {
			p.closeTo(i)
			return
		}
	}
	if n := len(p.stack); n > 0 && nearName(name, p.stack[n-1].name) {
		p.closeTo(n - 1)
		return
	}
	p.f.skip(1, "END of a component that is not open")
}

// closeTo closes open components until n are left.
func (p *parser) closeTo(n int) {
	for len(p.stack) > n {
		fr := p.stack[len(p.stack)-1]
		p.stack = p.stack[:len(p.stack)-1]
		var parent *frame
		if len(p.stack) > 0 {
			parent = p.stack[len(p.stack)-1]
		}
		p.finish(fr, parent)
	}
}

func (p *parser) finish(fr, parent *frame) {
	f := p.f
	switch fr.kind {
	case kindCalendar:
		for i := range fr.props {
			switch pr := &fr.props[i]; pr.name {
			case "X-WR-CALNAME":
				f.Name = strings.TrimSpace(unescapeText(pr.value))
			case "X-WR-TIMEZONE":
				f.zone = strings.TrimSpace(pr.value)
			}
		}
	case kindEvent:
		if len(f.events) >= maxComponents {
			p.tooMany++
			return
		}
		if c, err := readEvent(fr.props, fr.alarms, f); err != nil {
			f.warn("%v", err)
		} else {
			f.events = append(f.events, c)
		}
	case kindAlarm:
		if len(parent.alarms) < 16 {
			parent.alarms = append(parent.alarms, fr.props)
		}
	case kindStandard, kindDaylight:
		if len(parent.obs) < maxObservances {
			parent.obs = append(parent.obs, observedProp{dst: fr.kind == kindDaylight, props: fr.props})
		}
	case kindTimezone:
		for i := range fr.props {
			if id := strings.TrimSpace(fr.props[i].value); fr.props[i].name == "TZID" && id != "" {
				p.zs.vtimezones[id] = &vtimezone{obs: fr.obs}
				break
			}
		}
	}
}

// maxObservances bounds the STANDARD and DAYLIGHT blocks of one VTIMEZONE;
// a TZif type index is a byte.
const maxObservances = 200

// wanted reports whether a component of this kind keeps the property.
func wanted(kind frameKind, name []byte) bool {
	switch kind {
	case kindEvent:
		switch string(name) {
		case "UID", "SUMMARY", "LOCATION", "STATUS", "SEQUENCE", "DTSTART", "DTEND", "DURATION",
			"RECURRENCE-ID", "RRULE", "EXRULE", "RDATE", "EXDATE", "DTSTAMP", "LAST-MODIFIED":
			return true
		}
	case kindAlarm:
		return string(name) == "ACTION" || string(name) == "TRIGGER"
	case kindCalendar:
		return string(name) == "X-WR-CALNAME" || string(name) == "X-WR-TIMEZONE"
	case kindTimezone:
		return string(name) == "TZID"
	case kindStandard, kindDaylight:
		switch string(name) {
		case "DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "RDATE", "TZNAME":
			return true
		}
	}
	return false
}

// parseProp reads a content line whose name ends at nameEnd and whose
// value starts after vs. Parameters are read leniently: one without '='
// is dropped, quotes are removed where they enclose a value.
func parseProp(line []byte, nameEnd, vs int) prop {
	pr := prop{name: string(line[:nameEnd]), value: string(line[vs+1:])}
	rest := line[nameEnd:vs]
	for len(rest) > 0 && len(pr.params) < maxParams {
		rest = rest[1:] // the ';'
		end := paramEnd(rest)
		part := rest[:end]
		rest = rest[end:]
		k, v, ok := bytes.Cut(part, []byte("="))
		if !ok {
			continue
		}
		k = bytes.TrimSpace(k)
		if len(k) == 0 {
			continue
		}
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		pr.params = append(pr.params, param{name: strings.ToUpper(string(k)), value: string(v)})
	}
	return pr
}

// dateValued reports whether a property's value is a DATE, DATE-TIME or
// PERIOD list, none of which holds a ':'.
func dateValued(name []byte) bool {
	switch string(name) {
	case "DTSTART", "DTEND", "DUE", "RECURRENCE-ID", "EXDATE", "RDATE", "DTSTAMP", "LAST-MODIFIED", "CREATED":
		return true
	}
	return false
}

// maxParams bounds the parameters kept of one property.
const maxParams = 32

// paramEnd returns where the parameter at the start of s ends: at the next
// ';' outside a quoted value, or the end of s.
func paramEnd(s []byte) int {
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted:
			if c == '"' && (i+1 == len(s) || s[i+1] == ';' || s[i+1] == ',') {
				quoted = false
			}
		case c == '"' && i > 0 && (s[i-1] == '=' || s[i-1] == ','):
			quoted = true
		case c == ';':
			return i
		}
	}
	return len(s)
}

// nearName reports whether a misspelt component name is one or two edits
// (a changed, missing, extra or swapped letter) from an open one.
func nearName(a, b string) bool {
	if a == "" || b == "" || len(a) > 32 || len(b) > 32 {
		return false
	}
	// Optimal string alignment distance.
	var d [33][33]int
	for i := 0; i <= len(a); i++ {
		d[i][0] = i
	}
	for j := 0; j <= len(b); j++ {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)] <= 2
}

// unescapeText undoes TEXT escapes (\\, \n, \N, \;, \,) and replaces
// invalid UTF-8.
func unescapeText(s string) string {
	if strings.IndexByte(s, '\\') >= 0 {
		s = textUnescaper.Replace(s)
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

var textUnescaper = strings.NewReplacer(`\\`, `\`, `\n`, "\n", `\N`, "\n", `\;`, ";", `\,`, ",")
