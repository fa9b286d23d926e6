package ics

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
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
