package ics

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// kind says how a written DATE or DATE-TIME is placed on the time line.
type kind uint8

const (
	kindDate     kind = iota // VALUE=DATE: a calendar day in the kiosk's zone
	kindFloating             // no TZID, no Z: wall clock in the kiosk's zone
	kindUTC                  // trailing Z
	kindZoned                // TZID: wall clock in that zone
)

// when is a DATE or DATE-TIME as written. wall holds the written fields in
// UTC (a "wall clock" that never skips an hour), so recurrence can run on
// it and the zone is applied only to the results.
type when struct {
	wall time.Time
	kind kind
	zone *time.Location // kindZoned only, set when the TZID resolves
	tzid string         // kindZoned until resolved
}

// in returns the instant w names when floating times and dates belong to loc.
func (w when) in(loc *time.Location) time.Time {
	switch w.kind {
	case kindUTC:
		return w.wall
	case kindZoned:
		return wallIn(w.wall, w.zone)
	default: // kindDate, kindFloating
		return wallIn(w.wall, loc)
	}
}

// zoneOf returns the zone w's wall clock is read in.
func (w when) zoneOf(loc *time.Location) *time.Location {
	switch w.kind {
	case kindUTC:
		return time.UTC
	case kindZoned:
		return w.zone
	default:
		return loc
	}
}

// wallIn reads the fields of the UTC wall clock w in loc. A wall time that
// does not exist (the hour skipped at a DST start) moves forward with the
// clock, as time.Date does.
func wallIn(w time.Time, loc *time.Location) time.Time {
	y, m, d := w.Date()
	hh, mm, ss := w.Clock()
	return time.Date(y, m, d, hh, mm, ss, 0, loc)
}

// wallOf is the inverse of wallIn: the fields of t read in loc, as UTC.
func wallOf(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	return time.Date(y, m, d, hh, mm, ss, 0, time.UTC)
}

// dateKey packs a wall clock's date into one comparable number.
func dateKey(w time.Time) int {
	y, m, d := w.Date()
	return y*10000 + int(m)*100 + d
}

var errBadTime = errors.New("not a DATE or DATE-TIME")

// parseWhen parses one DATE or DATE-TIME. isDate is the VALUE=DATE
// parameter; a bare 8-digit value is a date too. tzid is left for the
// caller to resolve.
func parseWhen(v string, isDate bool) (when, error) {
	v = strings.TrimSpace(v)
	if isDate || len(v) == 8 {
		if len(v) < 8 {
			return when{}, fmt.Errorf("%q: %w", v, errBadTime)
		}
		// Some producers write VALUE=DATE with a time; the date is what counts.
		y, m, d, ok := digitsDate(v[:8])
		if !ok {
			return when{}, fmt.Errorf("%q: %w", v, errBadTime)
		}
		return when{wall: time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), kind: kindDate}, nil
	}
	k := kindFloating
	if strings.HasSuffix(v, "Z") || strings.HasSuffix(v, "z") {
		k = kindUTC
		v = v[:len(v)-1]
	}
	if len(v) != 15 || (v[8] != 'T' && v[8] != 't') {
		return when{}, fmt.Errorf("%q: %w", v, errBadTime)
	}
	y, m, d, ok := digitsDate(v[:8])
	hh, ok1 := digits(v[9:11])
	mm, ok2 := digits(v[11:13])
	ss, ok3 := digits(v[13:15])
	if !ok || !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 60 {
		return when{}, fmt.Errorf("%q: %w", v, errBadTime)
	}
	if ss == 60 { // a leap second: Go has none
		ss = 59
	}
	return when{wall: time.Date(y, time.Month(m), d, hh, mm, ss, 0, time.UTC), kind: k}, nil
}

// digitsDate parses YYYYMMDD and rejects days the month does not have.
func digitsDate(s string) (y, m, d int, ok bool) {
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[4:6])
	d, ok3 := digits(s[6:8])
	if !ok1 || !ok2 || !ok3 || y < 1 || m < 1 || m > 12 || d < 1 {
		return 0, 0, 0, false
	}
	if d > time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

// duration is an RFC 5545 dur-value: days are nominal (a day across a DST
// change is 23 or 25 hours), seconds are exact.
type duration struct {
	days int
	secs int64
}

// maxDurationDays bounds durations and offsets so arithmetic stays small;
// nothing on a wall calendar lasts ten years.
const maxDurationDays = 3660

// parseDuration parses forms such as P1D, PT1H30M, -P1W, P1DT12H.
func parseDuration(v string) (duration, error) {
	s := strings.TrimSpace(v)
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return duration{}, fmt.Errorf("%q: not a duration", v)
	}
	s = s[1:]
	var d duration
	inTime := false
	n, haveNum, any := 0, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if n > maxDurationDays*86400 { // keeps n*10 inside a 32-bit int
				return duration{}, fmt.Errorf("%q: duration too long", v)
			}
			n, haveNum = n*10+int(c-'0'), true
			continue
		case c == 'T' && !haveNum && !inTime:
			inTime = true
			continue
		}
		if !haveNum {
			return duration{}, fmt.Errorf("%q: not a duration", v)
		}
		if !inTime && n > maxDurationDays {
			return duration{}, fmt.Errorf("%q: duration too long", v)
		}
		switch {
		case c == 'W' && !inTime:
			d.days += 7 * n
		case c == 'D' && !inTime:
			d.days += n
		case c == 'H' && inTime:
			d.secs += int64(n) * 3600
		case c == 'M' && inTime:
			d.secs += int64(n) * 60
		case c == 'S' && inTime:
			d.secs += int64(n)
		default:
			return duration{}, fmt.Errorf("%q: not a duration", v)
		}
		if d.days > maxDurationDays || d.secs > maxDurationDays*86400 {
			return duration{}, fmt.Errorf("%q: duration too long", v)
		}
		n, haveNum, any = 0, false, true
	}
	if haveNum || !any {
		return duration{}, fmt.Errorf("%q: not a duration", v)
	}
	if neg {
		d.days, d.secs = -d.days, -d.secs
	}
	return d, nil
}

// parseOffset parses a UTC offset such as +0100, -0500 or +053000 into
// seconds east of UTC.
func parseOffset(v string) (int, error) {
	s := strings.TrimSpace(v)
	if len(s) != 5 && len(s) != 7 {
		return 0, fmt.Errorf("%q: not a UTC offset", v)
	}
	sign := 1
	switch s[0] {
	case '+':
	case '-':
		sign = -1
	default:
		return 0, fmt.Errorf("%q: not a UTC offset", v)
	}
	hh, ok1 := digits(s[1:3])
	mm, ok2 := digits(s[3:5])
	ss, ok3 := 0, true
	if len(s) == 7 {
		ss, ok3 = digits(s[5:7])
	}
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 59 {
		return 0, fmt.Errorf("%q: not a UTC offset", v)
	}
	return sign * (hh*3600 + mm*60 + ss), nil
}
