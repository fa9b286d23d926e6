package ics

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/teambition/rrule-go"
)

// zones resolves the TZIDs of one feed: IANA names, Windows names through
// CLDR, old "/mozilla.org/.../Europe/Berlin" prefixes, and last the feed's
// own VTIMEZONE blocks.
type zones struct {
	vtimezones map[string]*vtimezone
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
	start  time.Time   // DTSTART, a wall clock in the offset before the change
	from   int         // TZOFFSETFROM, seconds east of UTC
	to     int         // TZOFFSETTO
	rule   string      // RRULE value, "" if none
	ended  bool        // the RRULE has an UNTIL or COUNT: these changes stopped
	rdates []time.Time // RDATE onsets, wall clocks like start
	name   string
	dst    bool
}

// Onsets of VTIMEZONE rules are listed from zoneFrom to zoneTo; a POSIX
// rule in the TZif footer carries an ongoing pair of rules beyond.
var (
	zoneFrom = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	zoneTo   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

const (
	// maxOnsets bounds the changes listed for one observance.
	maxOnsets = 1000
	// maxTransitions bounds them for one zone: 130 years of two changes a
	// year, twice over.
	maxTransitions = 600
)

// fromVTimezone builds a zone from a VTIMEZONE, for zones with no IANA
// name: Outlook's "Customized Time Zone", exporters that invent names. It
// follows every STANDARD and DAYLIGHT block, with their RRULEs and RDATEs,
// so each date uses the rule in force then: a zone that moved its DST
// dates in 2007 is right before and after. The result is a real
// *time.Location built as TZif data: the changes as transitions, and the
// ongoing pair of yearly rules, if any, as the POSIX TZ footer.
func fromVTimezone(name string, vt *vtimezone) (*time.Location, error) {
	var obs []observance
	for _, o := range vt.obs {
		ob, err := readObservance(o.props)
		if err != nil {
			return nil, err
		}
		ob.dst = o.dst
		obs = append(obs, ob)
	}
	if len(obs) == 0 {
		return nil, errors.New("vtimezone without STANDARD or DAYLIGHT")
	}
	var trans []transition
	for i := range obs {
		ob := &obs[i]
		for _, w := range ob.onsets() {
			if len(trans) >= maxTransitions {
				return nil, errors.New("vtimezone with too many changes")
			}
			trans = append(trans, transition{at: w.Unix() - int64(ob.from), obs: i})
		}
	}
	slices.SortStableFunc(trans, func(a, b transition) int { return cmpInt64(a.at, b.at) })
	trans = slices.CompactFunc(trans, func(a, b transition) bool { return a.at == b.at })

	// The ongoing pair: the newest open-ended yearly rule of each kind.
	var std, dst *observance
	for i := range obs {
		ob := &obs[i]
		if ob.rule == "" || ob.ended {
			continue
		}
		p := &std
		if ob.dst {
			p = &dst
		}
		if *p == nil || ob.start.After((*p).start) {
			*p = ob
		}
	}
	footer := ""
	if std != nil && dst != nil {
		toDST, err1 := posixRule(dst.rule, dst.start)
		toSTD, err2 := posixRule(std.rule, std.start)
		if err1 == nil && err2 == nil {
			footer = posixName(std.name, "STD") + posixOffset(std.to) + posixName(dst.name, "DST") + posixOffset(dst.to) +
				"," + toDST + "," + toSTD
		}
	}
	first := obs[0].from
	if len(trans) > 0 {
		first = obs[trans[0].obs].from
	}
	loc, err := time.LoadLocationFromTZData(name, tzif(first, obs, trans, footer))
	if err != nil {
		return nil, fmt.Errorf("rule %q: %w", footer, err)
	}
	return loc, nil
}

// transition is one change to observance obs, at a Unix time.
type transition struct {
	at  int64
	obs int
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// onsets lists the wall clocks at which an observance starts: its DTSTART,
// its RDATEs and its RRULE's instances, from 1970 to 2100.
func (ob *observance) onsets() []time.Time {
	out := append([]time.Time{ob.start}, ob.rdates...)
	if ob.rule == "" {
		return out
	}
	r, err := parseRule(ob.rule, ob.start)
	if err != nil {
		return out
	}
	o := *r.opt
	o.Dtstart = ob.start
	if r.hasUntil {
		o.Until = r.until.wall
		if r.until.kind == kindUTC { // RFC 5545: UNTIL is UTC here; onsets are local
			o.Until = o.Until.Add(time.Duration(ob.from) * time.Second)
		}
	}
	rebase(&o, zoneFrom)
	rr, err := rrule.NewRRule(o)
	if err != nil {
		return out
	}
	next := rr.Iterator()
	for n := 0; n < maxOnsets; n++ {
		w, ok := next()
		if !ok || w.After(zoneTo) {
			break
		}
		out = append(out, w)
	}
	return out
}

func readObservance(props []prop) (observance, error) {
	var o observance
	var haveStart, haveTo bool
	for i := range props {
		p := &props[i]
		var err error
		switch p.name {
		case "DTSTART":
			var w when
			w, err = parseWhen(p.value, false)
			o.start, haveStart = w.wall, err == nil
		case "TZOFFSETFROM":
			o.from, err = parseOffset(p.value)
		case "TZOFFSETTO":
			o.to, err = parseOffset(p.value)
			haveTo = err == nil
		case "RRULE":
			o.rule = strings.ToUpper(strings.TrimSpace(p.value))
			o.ended = strings.Contains(o.rule, "UNTIL=") || strings.Contains(o.rule, "COUNT=")
		case "RDATE":
			for _, v := range strings.Split(p.value, ",") {
				if w, err := parseWhen(v, false); err == nil && w.kind != kindDate && len(o.rdates) < maxOnsets {
					o.rdates = append(o.rdates, w.wall)
				}
			}
		case "TZNAME":
			o.name = p.value
		}
		if err != nil {
			return o, fmt.Errorf("%s: %w", p.name, err)
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

// tzif builds a version-2 TZif file (RFC 8536): one local time type for
// before the first transition (offset first), one per observance, the
// transitions, and the POSIX rule tz, which Go applies after the last
// transition. The version 1 block is left empty, as readers of version 2
// skip it.
func tzif(first int, obs []observance, trans []transition, tz string) []byte {
	var chars bytes.Buffer
	type ttinfo struct {
		off  int32
		dst  byte
		abbr byte
	}
	seen := map[string]byte{}
	abbr := func(name, fallback string) byte {
		n := strings.Trim(posixName(name, fallback), "<>")
		if i, ok := seen[n]; ok {
			return i
		}
		if chars.Len()+len(n)+1 > 255 {
			return 0 // indexes are bytes; a hostile feed gets "LMT"
		}
		i := byte(chars.Len())
		seen[n] = i
		chars.WriteString(n + "\x00")
		return i
	}
	types := []ttinfo{{int32(first), 0, abbr("", "LMT")}}
	for _, ob := range obs {
		dst := byte(0)
		if ob.dst {
			dst = 1
		}
		types = append(types, ttinfo{int32(ob.to), dst, abbr(ob.name, map[bool]string{true: "DST", false: "STD"}[ob.dst])})
	}
	var b bytes.Buffer
	put := func(v any) { _ = binary.Write(&b, binary.BigEndian, v) }
	header := func(timecnt, typecnt, charcnt int) {
		b.WriteString("TZif2")
		b.Write(make([]byte, 15))
		for _, n := range []int{0, 0, 0, timecnt, typecnt, charcnt} { // isut, isstd, leap, time, type, char
			put(uint32(n))
		}
	}
	header(0, 1, 1) // version 1: one type, one empty abbreviation
	put(int32(first))
	b.Write([]byte{0, 0, 0})
	header(len(trans), len(types), chars.Len())
	for _, t := range trans {
		put(t.at)
	}
	for _, t := range trans {
		b.WriteByte(byte(t.obs + 1))
	}
	for _, t := range types {
		put(t.off)
		b.WriteByte(t.dst)
		b.WriteByte(t.abbr)
	}
	b.Write(chars.Bytes())
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
