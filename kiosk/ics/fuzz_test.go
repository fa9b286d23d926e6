package ics

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kiosk/kiosk/calendar"
)

// FuzzParse feeds arbitrary input through Parse and Expand: no panic, no
// hang, and what comes out is a sane list of events. Seeds are the test
// corpus plus rules that exercise rrule-go's less travelled paths.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.ics")
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, rule := range []string{
		"FREQ=YEARLY;BYWEEKNO=1,-1,53;BYDAY=MO,SU;WKST=SU",
		"FREQ=YEARLY;BYYEARDAY=1,-1,366;BYSETPOS=1,-1",
		"FREQ=MONTHLY;BYDAY=-1FR,1MO;BYMONTHDAY=13,-1;BYSETPOS=2",
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
		"FREQ=HOURLY;INTERVAL=5;BYHOUR=1,7;BYMINUTE=0,30;COUNT=40",
		"FREQ=MINUTELY;INTERVAL=45;BYHOUR=9;UNTIL=20260310T000000Z",
		"FREQ=SECONDLY;INTERVAL=3600;BYSECOND=0;BYMINUTE=0",
		"FREQ=DAILY;INTERVAL=7;BYDAY=MO;BYMONTH=3",
		"FREQ=WEEKLY;INTERVAL=2;UNTIL=20260331;BYDAY=TU,TH",
	} {
		f.Add([]byte("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:f@example.test\nDTSTART;TZID=Europe/Berlin:20200101T093000\n" +
			"DURATION:PT45M\nRRULE:" + rule + "\nEXDATE:20260304T083000Z\nRDATE;VALUE=DATE:20260306\n" +
			"BEGIN:VALARM\nTRIGGER:-PT10M\nEND:VALARM\nEND:VEVENT\nEND:VCALENDAR\n"))
	}

	berlin := mustZone(f, "Europe/Berlin")
	auckland := mustZone(f, "Pacific/Auckland")
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, berlin)
	to := from.AddDate(0, 0, 14)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		// Not a benchmark: a guard against inputs that make rrule-go or the
		// parser run away, which a fuzzer would otherwise show only as a
		// stall. A panic in another goroutine still records the input.
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("input ran over 10 s: %q", data)) })
		defer watchdog.Stop()
		feed, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, loc := range []*time.Location{berlin, auckland} {
			events, _ := feed.Expand(from, to, ExpandOptions{Calendar: "fuzz", Loc: loc, MaxEvents: 500, MaxPerSeries: 200})
			if len(events) > 500 {
				t.Fatalf("%d events past MaxEvents", len(events))
			}
			for i, e := range events {
				if e.End.Before(e.Start) || !e.Overlaps(from, to) || e.ID == "" {
					t.Fatalf("bad event %+v", e)
				}
				if i > 0 && e.Start.Before(events[i-1].Start) {
					t.Fatalf("events out of order at %d", i)
				}
				if e.AllDay {
					if l := e.Start.In(loc); l.Hour() != 0 && l.Hour() != 1 { // 01:00 only where midnight is skipped
						t.Fatalf("all-day event starts at %s", l)
					}
				}
			}
		}
	})
}

// FuzzGarbageLine inserts one line of garbage into a good feed from the
// corpus, between two content lines, and checks that every event of the
// good feed survives with its time, and at most that line is skipped.
// Lines that are not garbage but content are not inserted: BEGIN and END
// (structure), a property the kiosk reads (a second DTSTART is data), and
// a line starting with a space or tab (a fold of the line before).
func FuzzGarbageLine(f *testing.F) {
	files, err := filepath.Glob("testdata/*.ics")
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files: %v", err)
	}
	var feeds [][]byte
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		feeds = append(feeds, b)
	}
	for i, g := range []string{"::::", "garbage", `X;A="open`, "X-FOO;BAR", `"quoted`, "\xff\xfe", "Z:", ";x=y:z", "a b: c", "\ufeff"} {
		f.Add(uint8(i), uint16(i*7), []byte(g))
	}
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	opts := ExpandOptions{Calendar: "fuzz", Loc: time.UTC, MaxEvents: 20_000, MaxPerSeries: 2000}
	f.Fuzz(func(t *testing.T, which uint8, pos uint16, garbage []byte) {
		garbage = bytes.Map(func(r rune) rune {
			if r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, garbage)
		if len(garbage) > 1000 || !isGarbage(garbage) {
			return
		}
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("input ran over 10 s: %d %d %q", which, pos, garbage)) })
		defer watchdog.Stop()
		good := feeds[int(which)%len(feeds)]
		lines := bytes.SplitAfter(good, []byte("\n"))
		var starts []int // lines that start a content line
		for i, l := range lines {
			if len(l) > 0 && l[0] != ' ' && l[0] != '\t' {
				starts = append(starts, i)
			}
		}
		at := starts[int(pos)%len(starts)]
		bad := bytes.Join(lines[:at], nil)
		bad = append(append(bad, garbage...), '\n')
		bad = append(bad, bytes.Join(lines[at:], nil)...)

		want, err := Parse(bytes.NewReader(good))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Parse(bytes.NewReader(bad))
		if err != nil {
			t.Fatalf("garbage line %q at line %d: %v", garbage, at, err)
		}
		if got.Skipped > want.Skipped+1 {
			t.Errorf("garbage line %q at line %d: skipped %d (%s), want at most %d", garbage, at, got.Skipped, got.SkipReason, want.Skipped+1)
		}
		wantEvents, _ := want.Expand(from, to, opts)
		gotEvents, _ := got.Expand(from, to, opts)
		have := map[string]bool{}
		byTime := map[string][]calendar.Event{}
		for _, e := range gotEvents {
			have[e.ID+e.Start.String()+e.End.String()] = true
			byTime[e.Start.String()+e.End.String()] = append(byTime[e.Start.String()+e.End.String()], e)
		}
		for _, e := range wantEvents {
			if !have[e.ID+e.Start.String()+e.End.String()] && !continued(e, byTime[e.Start.String()+e.End.String()]) {
				t.Fatalf("garbage line %q at line %d: lost %q at %s", garbage, at, e.Summary, e.Start)
			}
		}
	})
}

// continued reports whether one of got is e with the garbage line read as
// a raw line break in its summary or location (iCloud writes those), which
// appends the line to that text. An event without a UID is named by its
// text, so its ID changes with it; its time must not.
func continued(e calendar.Event, got []calendar.Event) bool {
	for _, g := range got {
		if g.Summary != e.Summary && strings.HasPrefix(g.Summary, e.Summary) && g.Location == e.Location ||
			g.Location != e.Location && strings.HasPrefix(g.Location, e.Location) && g.Summary == e.Summary {
			return true
		}
	}
	return false
}

// isGarbage reports whether a line is one FuzzGarbageLine may insert.
func isGarbage(line []byte) bool {
	if len(line) == 0 || line[0] == ' ' || line[0] == '\t' {
		return false
	}
	if n := shapeEnd(line); n > 0 {
		name := bytes.ToUpper(line[:n])
		if string(name) == "BEGIN" || string(name) == "END" {
			return false
		}
		for _, k := range []frameKind{kindCalendar, kindEvent, kindAlarm, kindTimezone, kindStandard} {
			if wanted(k, name) {
				return false
			}
		}
	}
	return true
}
