package ics

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// Recurrence runs on wall clocks: DTSTART's written fields in UTC, which
// has no DST, so rrule-go never sees a skipped or repeated hour and 10:00
// stays 10:00 all year. Each result is then read in the series' zone.

const (
	// maxInterval bounds INTERVAL so rrule-go's counters stay small.
	maxInterval = 10_000
	// maxByValues bounds each BYxxx list; rrule-go scans them per day.
	maxByValues = 400
	// maxSteps bounds the rule results read per series and window, with or
	// without COUNT: a rule from 1970 is moved near the window first (see
	// rebase) unless it has a COUNT, which must be counted from the start.
	maxSteps = 100_000
)

// parseRule parses and checks an RRULE or EXRULE value for a series that
// starts at dtstart. Anything rrule-go could loop on or index out of range
// with is refused here. A COUNT below 1 beside an UNTIL (Confluence writes
// COUNT=-1) is dropped, keeping the rule.
func parseRule(v string, dtstart time.Time) (recur, error) {
	var parts []string
	var untilText, countText string
	for _, part := range strings.Split(strings.TrimSpace(v), ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			return recur{}, fmt.Errorf("%q: bad part %q", clip(v), clip(part))
		}
		k = strings.ToUpper(strings.TrimSpace(k))
		switch {
		case k == "UNTIL":
			untilText = val
			continue
		case k == "COUNT":
			countText = strings.TrimSpace(val)
			continue
		case strings.HasPrefix(k, "X-"):
			continue
		case k == "BYEASTER", k == "RSCALE", k == "SKIP":
			return recur{}, fmt.Errorf("%q: %s not supported", clip(v), k)
		}
		parts = append(parts, k+"="+strings.ToUpper(strings.TrimSpace(val)))
	}
	if countText != "" {
		n, err := strconv.Atoi(countText)
		switch {
		case err == nil && n < 1 && untilText != "":
			// Ignored: UNTIL bounds the rule.
		case err == nil && n < 1:
			return recur{}, fmt.Errorf("%q: COUNT below 1", clip(v))
		default:
			parts = append(parts, "COUNT="+countText)
		}
	}
	o, err := rrule.StrToROptionInLocation(strings.Join(parts, ";"), time.UTC)
	if err != nil {
		return recur{}, fmt.Errorf("%q: %w", clip(v), err)
	}
	r := recur{opt: o}
	if untilText != "" {
		u, err := parseWhen(untilText, false)
		if err != nil {
			return recur{}, fmt.Errorf("UNTIL: %w", err)
		}
		r.until, r.hasUntil = u, true
	}
	if err := checkRule(o, dtstart); err != nil {
		return recur{}, fmt.Errorf("%q: %w", clip(v), err)
	}
	return r, nil
}

// checkRule refuses rules outside RFC 5545's constraints (BYWEEKNO only
// with YEARLY, and so on) and the ones rrule-go v1.8.2 mishandles: an n in
// BYDAY beyond the month or year panics, and a sub-daily rule whose
// BYHOUR/BYMINUTE/BYSECOND its INTERVAL can never reach loops forever.
func checkRule(o *rrule.ROption, dtstart time.Time) error {
	if o.Interval > maxInterval {
		return fmt.Errorf("INTERVAL above %d", maxInterval)
	}
	if o.Count < 0 {
		return errors.New("negative COUNT")
	}
	for _, l := range []*[]int{&o.Bysetpos, &o.Bymonth, &o.Bymonthday, &o.Byyearday, &o.Byweekno, &o.Byhour, &o.Byminute, &o.Bysecond} {
		if len(*l) > maxByValues {
			return errors.New("too many BY values")
		}
		slices.Sort(*l)
		*l = slices.Compact(*l)
	}
	if len(o.Byweekday) > maxByValues {
		return errors.New("too many BY values")
	}
	// rrule-go builds every BYHOUR×BYMINUTE×BYSECOND time of day up front.
	if max(len(o.Byhour), 1)*max(len(o.Byminute), 1)*max(len(o.Bysecond), 1) > 24*60 {
		return errors.New("more than one time of day per minute")
	}
	if len(o.Byweekno) > 0 && o.Freq != rrule.YEARLY {
		return errors.New("BYWEEKNO needs FREQ=YEARLY")
	}
	if len(o.Byyearday) > 0 && (o.Freq == rrule.MONTHLY || o.Freq == rrule.WEEKLY || o.Freq == rrule.DAILY) {
		return errors.New("BYYEARDAY not allowed with this FREQ")
	}
	if len(o.Bymonthday) > 0 && o.Freq == rrule.WEEKLY {
		return errors.New("BYMONTHDAY not allowed with FREQ=WEEKLY")
	}
	for _, wd := range o.Byweekday {
		n := wd.N()
		switch {
		case o.Freq == rrule.MONTHLY || o.Freq == rrule.YEARLY && len(o.Bymonth) > 0:
			if n < -5 || n > 5 {
				return errors.New("BYDAY position beyond the month")
			}
		case o.Freq == rrule.YEARLY:
			if n < -53 || n > 53 {
				return errors.New("BYDAY position beyond the year")
			}
		}
	}
	probe := *o
	probe.Dtstart = dtstart
	if _, err := rrule.NewRRule(probe); err != nil {
		return err
	}
	if !reachable(o, dtstart) {
		return errors.New("BYHOUR/BYMINUTE/BYSECOND never reached with this INTERVAL")
	}
	return nil
}

// reachable reports whether a sub-daily rule's time filters can ever
// match. rrule-go steps the clock by INTERVAL until they do, so the times
// it visits are DTSTART's time of day plus multiples of
// gcd(INTERVAL, units per day); if no allowed time is among them, it would
// step forever.
func reachable(o *rrule.ROption, dtstart time.Time) bool {
	n := max(o.Interval, 1)
	h0, m0, s0 := dtstart.Clock()
	hours := orAll(o.Byhour, 24)
	switch o.Freq {
	case rrule.HOURLY:
		if len(o.Byhour) == 0 {
			return true
		}
		g := gcd(n, 24)
		for _, h := range hours {
			if mod(h-h0, g) == 0 {
				return true
			}
		}
		return false
	case rrule.MINUTELY:
		if len(o.Byhour) == 0 && len(o.Byminute) == 0 {
			return true
		}
		g := gcd(n, 24*60)
		for _, h := range hours {
			for _, m := range orAll(o.Byminute, 60) {
				if mod(h*60+m-(h0*60+m0), g) == 0 {
					return true
				}
			}
		}
		return false
	case rrule.SECONDLY:
		if len(o.Byhour) == 0 && len(o.Byminute) == 0 && len(o.Bysecond) == 0 {
			return true
		}
		g := gcd(n, 24*60*60)
		for _, h := range hours {
			for _, m := range orAll(o.Byminute, 60) {
				for _, s := range orAll(o.Bysecond, 60) {
					if mod(h*3600+m*60+s-(h0*3600+m0*60+s0), g) == 0 {
						return true
					}
				}
			}
		}
		return false
	}
	return true
}

func orAll(l []int, n int) []int {
	if len(l) > 0 {
		return l
	}
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	return all
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func mod(a, n int) int { return ((a % n) + n) % n }

// pinDefaults writes out the BYxxx parts rrule-go would derive from
// DTSTART (the month, day, weekday and clock of DTSTART), so DTSTART can
// then move without changing the rule. It mirrors rrule-go's buildRRule.
func pinDefaults(o *rrule.ROption) {
	d := o.Dtstart
	if len(o.Byweekno) == 0 && len(o.Byyearday) == 0 && len(o.Bymonthday) == 0 && len(o.Byweekday) == 0 && len(o.Byeaster) == 0 {
		switch o.Freq {
		case rrule.YEARLY:
			if len(o.Bymonth) == 0 {
				o.Bymonth = []int{int(d.Month())}
			}
			o.Bymonthday = []int{d.Day()}
		case rrule.MONTHLY:
			o.Bymonthday = []int{d.Day()}
		case rrule.WEEKLY:
			o.Byweekday = []rrule.Weekday{weekdays[(int(d.Weekday())+6)%7]}
		}
	}
	if len(o.Byhour) == 0 && o.Freq < rrule.HOURLY {
		o.Byhour = []int{d.Hour()}
	}
	if len(o.Byminute) == 0 && o.Freq < rrule.MINUTELY {
		o.Byminute = []int{d.Minute()}
	}
	if len(o.Bysecond) == 0 && o.Freq < rrule.SECONDLY {
		o.Bysecond = []int{d.Second()}
	}
}

var weekdays = []rrule.Weekday{rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU}

// rebase moves DTSTART of a rule without COUNT forward by whole INTERVAL
// periods to the start of a period before lo, so a weekly rule from 1990
// or a minutely one from 1970 costs a few steps, not decades of them.
// Instances from the new start on are the same as the original rule's:
// periods stay aligned, defaults are pinned, and the new DTSTART is at the
// beginning of its period (sub-daily rules keep their clock grid).
func rebase(o *rrule.ROption, lo time.Time) {
	d0 := o.Dtstart
	if !d0.Before(lo) || o.Count != 0 {
		return
	}
	pinDefaults(o)
	n := max(o.Interval, 1)
	day0 := time.Date(d0.Year(), d0.Month(), d0.Day(), 0, 0, 0, 0, time.UTC)
	var k int
	var start time.Time
	switch o.Freq {
	case rrule.YEARLY:
		k = (lo.Year() - d0.Year() - 1) / n
		start = time.Date(d0.Year()+k*n, 1, 1, 0, 0, 0, 0, time.UTC)
	case rrule.MONTHLY:
		k = ((lo.Year()-d0.Year())*12 + int(lo.Month()) - int(d0.Month()) - 1) / n
		start = time.Date(d0.Year(), d0.Month()+time.Month(k*n), 1, 0, 0, 0, 0, time.UTC)
	case rrule.WEEKLY:
		back := mod((int(d0.Weekday())+6)%7-o.Wkst.Day(), 7)
		week0 := day0.AddDate(0, 0, -back)
		k = (int(lo.Sub(week0)/(24*time.Hour))/7 - 1) / n
		start = week0.AddDate(0, 0, 7*k*n)
	case rrule.DAILY:
		k = (int(lo.Sub(day0)/(24*time.Hour)) - 1) / n
		start = day0.AddDate(0, 0, k*n)
	default:
		// In int64: a 32-bit int holds 68 years of seconds. Past 292 years
		// Sub saturates, which only moves DTSTART less far.
		unit := map[rrule.Frequency]time.Duration{rrule.HOURLY: time.Hour, rrule.MINUTELY: time.Minute, rrule.SECONDLY: time.Second}[o.Freq]
		steps := int64(lo.Sub(d0)/unit)/int64(n) - 1
		if steps > 0 {
			k, start = 1, d0.Add(time.Duration(steps*int64(n))*unit)
		}
	}
	if k > 0 {
		o.Dtstart = start
	}
}

// eraShift returns how many years to move a rule's dates so that rrule-go
// runs them just below its last year, 9999. A rule whose day filters never
// match (BYMONTH=2;BYMONTHDAY=30) or never meet its INTERVAL makes rrule-go
// search every period up to 9999: 0.6 s for an hourly rule from 2026. From
// 99xx the search ends within decades, a few milliseconds.
//
// The move keeps the calendar: the target year has the same weekday on
// January 1 and the same place in the leap cycle, and both ranges lie
// between century years that are not leap years (1901–2099 and
// 9901–9999), so every date keeps its weekday, week number and year day.
// It returns 0 when the years from..to (the rule's start to the window's
// end) are outside 1902–2098 or span more than 68 years.
func eraShift(from, to int) int {
	if from < 1902 || to > 2098 || to < from || to-from > 68 {
		return 0
	}
	wd := time.Date(from, 1, 1, 0, 0, 0, 0, time.UTC).Weekday()
	for y := 9998 - (to - from); y >= 9902; y-- {
		if y%4 == from%4 && time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Weekday() == wd {
			return y - from
		}
	}
	return 0
}
