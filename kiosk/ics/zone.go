package ics

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	ical "github.com/arran4/golang-ical"
)

// zones resolves the TZIDs of one feed: IANA names, Windows names through
// CLDR, old "/mozilla.org/.../Europe/Berlin" prefixes, and last the feed's
// own VTIMEZONE blocks.
type zones struct {
	vtimezones map[string]*ical.VTimezone
	cache      map[string]zoneResult
}

type zoneResult struct {
	loc *time.Location
	err error
}

// maxZoneLookups bounds how many distinct TZIDs one feed may make us look
// up; each miss searches the embedded zone database.
const maxZoneLookups = 256

var errUnknownZone = errors.New("unknown time zone")

func (z *zones) lookup(tzid string) (*time.Location, error) {
	if r, ok := z.cache[tzid]; ok {
		return r.loc, r.err
	}
	if z.cache == nil {
		z.cache = map[string]zoneResult{}
	}
	if len(z.cache) >= maxZoneLookups {
		return nil, fmt.Errorf("tzid %q: %w (too many zones in feed)", clip(tzid), errUnknownZone)
	}
	loc, err := z.resolve(tzid)
	z.cache[tzid] = zoneResult{loc, err}
	return loc, err
}

func (z *zones) resolve(tzid string) (*time.Location, error) {
	name := strings.Trim(strings.TrimSpace(tzid), `"`)
	if loc, ok := loadIANA(name); ok {
		return loc, nil
	}
	if iana, ok := windowsZones[name]; ok {
		if loc, ok := loadIANA(iana); ok {
			return loc, nil
		}
	}
	if rest, ok := strings.CutPrefix(name, "tzone://Microsoft/"); ok && strings.EqualFold(rest, "Utc") {
		return time.UTC, nil // Office 365 publishing
	}
	if i := ianaSuffix(name); i > 0 {
		if loc, ok := loadIANA(name[i:]); ok {
			return loc, nil
		}
	}
	if vt, ok := z.vtimezones[tzid]; ok {
		loc, err := fromVTimezone(name, vt)
		if err != nil {
			return nil, fmt.Errorf("tzid %q: %w", clip(tzid), err)
		}
		return loc, nil
	}
	return nil, fmt.Errorf("tzid %q: %w", clip(tzid), errUnknownZone)
}

// loadIANA loads an IANA zone, refusing names that cannot be one before
// touching the zone database. "Local" is refused: the Pi's zone is not the
// feed's.
func loadIANA(name string) (*time.Location, bool) {
	if name == "" || name == "Local" || len(name) > 64 {
		return nil, false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '_' || c == '-' || c == '+') {
			return nil, false
		}
	}
	loc, err := time.LoadLocation(name)
	return loc, err == nil
}

// ianaSuffix finds an IANA name at the end of a decorated TZID such as
// "/mozilla.org/20050126_1/Europe/Berlin" or
// "/freeassociation.sourceforge.net/Tzfile/Europe/Berlin".
func ianaSuffix(name string) int {
	for _, area := range []string{"/Africa/", "/America/", "/Antarctica/", "/Arctic/", "/Asia/", "/Atlantic/",
		"/Australia/", "/Europe/", "/Indian/", "/Pacific/", "/Etc/"} {
		if i := strings.LastIndex(name, area); i >= 0 {
			return i + 1
		}
	}
	return -1
}

// observance is one STANDARD or DAYLIGHT block of a VTIMEZONE.
type observance struct {
	start    time.Time // DTSTART, a wall clock in the offset before the change
	from, to int       // TZOFFSETFROM, TZOFFSETTO, seconds east of UTC
	rule     string    // RRULE value, "" if none
	ended    bool      // the RRULE has an UNTIL: these changes stopped
	name     string
}

// fromVTimezone builds a zone from a VTIMEZONE as Outlook and Exchange
// write it for zones they have no IANA name for: one STANDARD and one
// DAYLIGHT observance, each a yearly rule such as BYMONTH=3;BYDAY=-1SU.
// The newest observance of each kind is taken to describe the present;
// older history and RDATE-only observances are not modelled. The result is
// a real *time.Location, built as TZif data whose footer holds the POSIX
// TZ rule, so time.Date applies the DST changes.
func fromVTimezone(name string, vt *ical.VTimezone) (*time.Location, error) {
	var std, dst *observance
	for _, c := range vt.Components {
		var cb *ical.ComponentBase
		isDST := false
		switch c := c.(type) {
		case *ical.Standard:
			cb = &c.ComponentBase
		case *ical.Daylight:
			cb, isDST = &c.ComponentBase, true
		default:
			continue
		}
		o, err := readObservance(cb)
		if err != nil {
			return nil, err
		}
		p := &std
		if isDST {
			p = &dst
		}
		if *p == nil || o.start.After((*p).start) {
			*p = &o
		}
	}
	if std == nil && dst == nil {
		return nil, errors.New("vtimezone without STANDARD or DAYLIGHT")
	}
	if std == nil || dst == nil || std.rule == "" || dst.rule == "" || std.ended || dst.ended {
		// No yearly change going on: the newest observance's offset holds.
		last := std
		if last == nil || (dst != nil && dst.start.After(last.start)) {
			last = dst
		}
		return time.FixedZone(name, last.to), nil
	}
	toDST, err := posixRule(dst.rule, dst.start)
	if err != nil {
		return nil, fmt.Errorf("daylight rule: %w", err)
	}
	toSTD, err := posixRule(std.rule, std.start)
	if err != nil {
		return nil, fmt.Errorf("standard rule: %w", err)
	}
	tz := posixName(std.name, "STD") + posixOffset(std.to) + posixName(dst.name, "DST") + posixOffset(dst.to) +
		"," + toDST + "," + toSTD
	loc, err := time.LoadLocationFromTZData(name, tzif(std.to, tz))
	if err != nil {
		return nil, fmt.Errorf("rule %q: %w", tz, err)
	}
	return loc, nil
}

func readObservance(cb *ical.ComponentBase) (observance, error) {
	var o observance
	var haveStart, haveTo bool
	for _, p := range cb.Properties {
		var err error
		switch p.IANAToken {
		case "DTSTART":
			var w when
			w, err = parseWhen(p.Value, false)
			o.start, haveStart = w.wall, err == nil
		case "TZOFFSETFROM":
			o.from, err = parseOffset(p.Value)
		case "TZOFFSETTO":
			o.to, err = parseOffset(p.Value)
			haveTo = err == nil
		case "RRULE":
			o.rule = strings.ToUpper(p.Value)
			o.ended = strings.Contains(o.rule, "UNTIL=") || strings.Contains(o.rule, "COUNT=")
		case "TZNAME":
			o.name = p.Value
		}
		if err != nil {
			return o, fmt.Errorf("%s: %w", p.IANAToken, err)
		}
	}
	if !haveStart || !haveTo {
		return o, errors.New("observance needs DTSTART and TZOFFSETTO")
	}
	return o, nil
}

// posixRule turns a yearly VTIMEZONE RRULE into a POSIX TZ date rule:
// BYMONTH=10;BYDAY=-1SU at 03:00 becomes M10.5.0/3. The time is the
// observance's DTSTART clock, local time before the change, as POSIX wants.
func posixRule(rule string, start time.Time) (string, error) {
	var month, nth, wday = 0, 0, -1
	var mdays []int
	for _, part := range strings.Split(rule, ";") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "FREQ":
			if v != "YEARLY" {
				return "", fmt.Errorf("%q: not yearly", rule)
			}
		case "BYMONTH":
			m, err := strconv.Atoi(v)
			if err != nil || m < 1 || m > 12 {
				return "", fmt.Errorf("%q: need one BYMONTH", rule)
			}
			month = m
		case "BYDAY":
			if len(v) < 2 {
				return "", fmt.Errorf("%q: bad BYDAY", rule)
			}
			wday = strings.Index("SUMOTUWETHFRSA", v[len(v)-2:])
			if wday < 0 || wday%2 != 0 {
				return "", fmt.Errorf("%q: bad BYDAY", rule)
			}
			wday /= 2
			if n := v[:len(v)-2]; n != "" {
				var err error
				if nth, err = strconv.Atoi(n); err != nil || nth == 0 || nth < -1 || nth > 5 {
					return "", fmt.Errorf("%q: bad BYDAY", rule)
				}
			}
		case "BYMONTHDAY":
			for _, s := range strings.Split(v, ",") {
				d, err := strconv.Atoi(s)
				if err != nil || d < 1 || d > 31 {
					return "", fmt.Errorf("%q: bad BYMONTHDAY", rule)
				}
				mdays = append(mdays, d)
			}
		}
	}
	if month == 0 {
		month = int(start.Month())
	}
	at := fmt.Sprintf("/%d:%02d:%02d", start.Hour(), start.Minute(), start.Second())
	switch {
	case wday >= 0 && nth != 0 && len(mdays) == 0:
		if nth == -1 {
			nth = 5 // POSIX week 5 is "the last"
		}
		return fmt.Sprintf("M%d.%d.%d", month, nth, wday) + at, nil
	case wday >= 0 && nth == 0 && len(mdays) == 7:
		// "The first Sunday on or after the 8th" is written as
		// BYMONTHDAY=8,9,10,11,12,13,14;BYDAY=SU: that is week 2.
		lo := mdays[0]
		for _, d := range mdays {
			lo = min(lo, d)
		}
		days := time.Date(2001, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
		switch {
		case lo+6 == days:
			nth = 5
		case (lo-1)%7 == 0 && lo <= 22:
			nth = (lo-1)/7 + 1
		default:
			return "", fmt.Errorf("%q: unsupported rule", rule)
		}
		return fmt.Sprintf("M%d.%d.%d", month, nth, wday) + at, nil
	case wday < 0 && len(mdays) == 1:
		// A fixed date: Jn counts 1..365 and never Feb 29.
		yday := time.Date(2001, time.Month(month), mdays[0], 0, 0, 0, 0, time.UTC).YearDay()
		return fmt.Sprintf("J%d", yday) + at, nil
	}
	return "", fmt.Errorf("%q: unsupported rule", rule)
}

// posixName quotes a zone abbreviation for a POSIX TZ string.
func posixName(name, fallback string) string {
	var b strings.Builder
	for _, r := range name {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '-' {
			b.WriteRune(r)
		}
	}
	if b.Len() < 3 || b.Len() > 16 {
		return "<" + fallback + ">"
	}
	return "<" + b.String() + ">"
}

// posixOffset writes seconds east of UTC the POSIX way: west is positive.
func posixOffset(east int) string {
	sign := "-"
	if east < 0 {
		sign, east = "", -east
	} else if east == 0 {
		sign = ""
	}
	return fmt.Sprintf("%s%d:%02d:%02d", sign, east/3600, east/60%60, east%60)
}

// tzif builds a version-2 TZif file with no transitions, one standard local
// time type and the POSIX rule tz as its footer, which Go applies to all
// times (RFC 8536 section 3.3).
func tzif(stdOffset int, tz string) []byte {
	const abbr = "STD\x00"
	var b bytes.Buffer
	block := func() {
		b.WriteString("TZif2")
		b.Write(make([]byte, 15))
		for _, n := range []uint32{0, 0, 0, 0, 1, uint32(len(abbr))} { // isut, isstd, leap, time, type, char
			_ = binary.Write(&b, binary.BigEndian, n)
		}
		_ = binary.Write(&b, binary.BigEndian, int32(stdOffset))
		b.WriteByte(0) // isdst
		b.WriteByte(0) // abbreviation index
		b.WriteString(abbr)
	}
	block() // version 1 data, which readers of version 2 skip
	block()
	b.WriteString("\n" + tz + "\n")
	return b.Bytes()
}

// clip shortens feed text quoted in messages.
func clip(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
