package notices

import (
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
)

// localLayouts are dates Korean boards write without a zone; they are read
// in the configured zone. gofeed knows some of them but reads them as UTC.
var localLayouts = []string{
	"2006.1.2",
	"2006.1.2 15:04",
	"2006.1.2 15:04:05",
	"2006.1.2.15:04",
	"2006-1-2",
	"2006-1-2 15:04",
	"2006-1-2 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02T15:04:05",
	"2006/1/2",
	"2006/1/2 15:04",
	"2006/1/2 15:04:05",
	"2006년 1월 2일",
	"2006년 1월 2일 15:04",
	"2006년 1월 2일 15시 04분",
}

// zoneAbbrevs are the zone names Go's parser does not know and gofeed does
// not map, which boards near us use.
var zoneAbbrevs = map[string]int{
	"KST":  9 * 3600,
	"JST":  9 * 3600,
	"HKT":  8 * 3600,
	"SGT":  8 * 3600,
	"AWST": 8 * 3600,
	"AEST": 10 * 3600,
	"AEDT": 11 * 3600,
	"NZST": 12 * 3600,
	"NZDT": 13 * 3600,
}

// yearFirst reports whether s starts with a four-digit year, as every
// local layout does.
func yearFirst(s string) bool {
	if len(s) < 8 {
		return false
	}
	for _, c := range []byte(s[:4]) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// hasZone reports whether a date ends with an offset after a time
// ("15:04:05 +0900", "T15:04-07:00", "15:04+09"), "Z" after a digit, or
// UT, UTC or GMT, perhaps with a zone name in parentheses after it: the
// dates gofeed reads right. A date without one was read as UTC and means
// local time.
func hasZone(s string) bool {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '('); i > 0 && strings.HasSuffix(s, ")") {
		s = strings.TrimSpace(s[:i])
	}
	j := len(s)
	for j > 0 && ('0' <= s[j-1] && s[j-1] <= '9' || s[j-1] == ':') {
		j--
	}
	if n := len(strings.ReplaceAll(s[j:], ":", "")); j > 0 && (s[j-1] == '+' || s[j-1] == '-') && (n == 2 || n == 4) {
		before := strings.TrimRight(s[:j-1], " ")
		upper := strings.ToUpper(before)
		if strings.HasSuffix(upper, "GMT") || strings.HasSuffix(upper, "UTC") {
			return true
		}
		k := strings.LastIndexByte(before, ':') // a time just before: hh:mm or hh:mm:ss(.fff)
		return k >= 0 && len(before)-k <= 7 && strings.Trim(before[k+1:], "0123456789.") == ""
	}
	upper := strings.ToUpper(s)
	if strings.HasSuffix(upper, "Z") {
		return len(s) > 1 && '0' <= s[len(s)-2] && s[len(s)-2] <= '9'
	}
	for _, z := range []string{" UT", " UTC", " GMT", "UTC", "GMT"} {
		if strings.HasSuffix(upper, z) {
			return true
		}
	}
	return false
}

// itemDate is the item's publication date, else its update date, else zero.
func itemDate(it *gofeed.Item, loc *time.Location) time.Time {
	if t := parseDate(it.Published, it.PublishedParsed, loc); !t.IsZero() {
		return t
	}
	return parseDate(it.Updated, it.UpdatedParsed, loc)
}

// parseDate reads raw, the date as the feed wrote it, with gofeed's parse
// of it as a fallback, fixing what gofeed gets wrong for boards here: dates
// without a zone are local, not UTC, and "KST" is +09:00, not +00:00.
// Dates before 1990 are taken for placeholders and give zero.
func parseDate(raw string, parsed *time.Time, loc *time.Location) time.Time {
	s := strings.TrimSpace(raw)
	s = strings.ReplaceAll(s, ". ", ".")
	s = strings.TrimSuffix(s, ".")
	var t time.Time
	for _, layout := range localLayouts {
		if !yearFirst(s) {
			break
		}
		if v, err := time.ParseInLocation(layout, s, loc); err == nil {
			t = v
			break
		}
	}
	if t.IsZero() && parsed != nil {
		t = fixZone(*parsed, s, loc)
	}
	if t.Year() < 1990 {
		return time.Time{}
	}
	return t
}

// fixZone corrects gofeed's reading of raw.
func fixZone(t time.Time, raw string, loc *time.Location) time.Time {
	name, off := t.Zone()
	local := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
	switch {
	case t.Location() == time.UTC && !hasZone(raw):
		return local // no zone written: local time
	case off != 0 || name == "" || name == "UTC" || name == "GMT" || name == "UT" || name == "Z":
		return t
	}
	// A zone name read with a zero offset: Go did not know it.
	if n, _ := local.Zone(); n == name {
		return local
	}
	if o, ok := zoneAbbrevs[strings.ToUpper(name)]; ok {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(),
			time.FixedZone(name, o))
	}
	return t
}
