package ics

import (
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/teambition/rrule-go"

	"kiosk/kiosk/calendar"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustParseFile(t testing.TB, name string) *Feed {
	t.Helper()
	fh, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	f, err := Parse(fh)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return f
}

func mustParse(t testing.TB, feed string) *Feed {
	t.Helper()
	f, err := Parse(strings.NewReader(feed))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

// spans lists the events called summary as "start end" in UTC, in order.
func spans(events []calendar.Event, summary string) []string {
	var out []string
	for _, e := range events {
		if e.Summary == summary {
			out = append(out, e.Start.UTC().Format(time.RFC3339)+" "+e.End.UTC().Format(time.RFC3339))
		}
	}
	return out
}

func expand(t testing.TB, f *Feed, from, to time.Time, loc *time.Location) []calendar.Event {
	t.Helper()
	events, truncated := f.Expand(from, to, ExpandOptions{Calendar: "Family", Color: "#0a0", Loc: loc})
	if truncated {
		t.Errorf("Expand truncated %d events", len(events))
	}
	return events
}

type spanCase struct {
	summary string
	want    []string
}

func checkSpans(t *testing.T, events []calendar.Event, cases []spanCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.summary, func(t *testing.T) {
			if got := spans(events, tc.summary); !slices.Equal(got, tc.want) {
				t.Errorf("%s:\n got %q\nwant %q", tc.summary, got, tc.want)
			}
		})
	}
}

// A weekly 10:00 series stays at 10:00 local on both sides of each DST
// change, so its UTC instant moves by the hour.
func TestExpandKeepsWallClockAcrossDST(t *testing.T) {
	f := mustParseFile(t, "dst.ics")
	seoul := mustZone(t, "Asia/Seoul")
	spring := expand(t, f, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), seoul)
	checkSpans(t, spring, []spanCase{
		{"NY standup", []string{ // DST starts 2026-03-08
			"2026-03-02T15:00:00Z 2026-03-02T16:00:00Z",
			"2026-03-09T14:00:00Z 2026-03-09T15:00:00Z",
			"2026-03-16T14:00:00Z 2026-03-16T15:00:00Z",
			"2026-03-23T14:00:00Z 2026-03-23T15:00:00Z",
			"2026-03-30T14:00:00Z 2026-03-30T15:00:00Z",
		}},
		{"Berlin choir", []string{ // DST starts 2026-03-29
			"2026-03-23T09:00:00Z 2026-03-23T09:30:00Z",
			"2026-03-30T08:00:00Z 2026-03-30T08:30:00Z",
		}},
		{"UTC daily", []string{ // a UTC series stays at 09:00Z through Berlin's change
			"2026-03-27T09:00:00Z 2026-03-27T09:15:00Z",
			"2026-03-28T09:00:00Z 2026-03-28T09:15:00Z",
			"2026-03-29T09:00:00Z 2026-03-29T09:15:00Z",
		}},
	})
	autumn := expand(t, f, time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), seoul)
	checkSpans(t, autumn, []spanCase{
		{"Berlin autumn", []string{ // DST ends 2026-10-25; UNTIL is the last start, inclusive
			"2026-10-19T08:00:00Z 2026-10-19T09:00:00Z",
			"2026-10-26T09:00:00Z 2026-10-26T10:00:00Z",
			"2026-11-02T09:00:00Z 2026-11-02T10:00:00Z",
		}},
		{"NY autumn", []string{ // DST ends 2026-11-01; COUNT=3
			"2026-10-26T14:00:00Z 2026-10-26T15:00:00Z",
			"2026-11-02T15:00:00Z 2026-11-02T16:00:00Z",
			"2026-11-09T15:00:00Z 2026-11-09T16:00:00Z",
		}},
	})
	for _, e := range append(spring, autumn...) {
		if !strings.HasPrefix(e.Summary, "NY") && !strings.HasPrefix(e.Summary, "Berlin") {
			continue
		}
		zone := map[bool]string{true: "America/New_York", false: "Europe/Berlin"}[strings.HasPrefix(e.Summary, "NY")]
		if h, m, _ := e.Start.In(mustZone(t, zone)).Clock(); h != 10 || m != 0 {
			t.Errorf("%s at %s: local clock %02d:%02d, want 10:00", e.Summary, e.Start, h, m)
		}
	}
}

// A series from 1990 lands on the same 3-day grid as counting day by day,
// including across DST changes.
func TestExpandOldSeriesStaysOnGrid(t *testing.T) {
	f := mustParseFile(t, "dst.ics")
	berlin := mustZone(t, "Europe/Berlin")
	from, to := time.Date(2026, 3, 20, 0, 0, 0, 0, berlin), time.Date(2026, 4, 10, 0, 0, 0, 0, berlin)
	var want []string
	for d := time.Date(1990, 1, 1, 7, 30, 0, 0, berlin); d.Before(to); d = d.AddDate(0, 0, 3) {
		if !d.Before(from) {
			want = append(want, d.UTC().Format(time.RFC3339)+" "+d.Add(30*time.Minute).UTC().Format(time.RFC3339))
		}
	}
	got := spans(expand(t, f, from, to, berlin), "Every third day since 1990")
	if !slices.Equal(got, want) || len(want) != 7 {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestExpandOverrides(t *testing.T) {
	f := mustParseFile(t, "overrides.ics")
	berlin := mustZone(t, "Europe/Berlin")
	events := expand(t, f, time.Date(2026, 1, 12, 0, 0, 0, 0, berlin), time.Date(2026, 2, 1, 0, 0, 0, 0, berlin), berlin)
	checkSpans(t, events, []spanCase{
		// Jan 13 moved (SEQUENCE 2 wins), Jan 20 cancelled (named in UTC),
		// Jan 27 moved out of the window: no plain "Swim" is left.
		{"Swim", nil},
		{"Swim (old move)", nil},
		{"Swim (moved)", []string{"2026-01-15T17:00:00Z 2026-01-15T18:00:00Z"}},
		{"Swim (moved in)", []string{"2026-01-25T09:00:00Z 2026-01-25T10:00:00Z"}}, // from Feb 3
		{"Swim (moved out)", nil},
		{"Trash", []string{
			"2026-01-11T23:00:00Z 2026-01-12T23:00:00Z",
			"2026-01-25T23:00:00Z 2026-01-26T23:00:00Z",
		}},
		{"Trash (holiday week)", []string{"2026-01-19T23:00:00Z 2026-01-20T23:00:00Z"}},
		{"Cancelled party", nil},
		{"Cancelled series", nil},
		{"Override of a cancelled series", nil},
		{"Invited instance", []string{"2026-01-21T08:00:00Z 2026-01-21T08:30:00Z"}},
	})
	later := expand(t, f, time.Date(2026, 2, 1, 0, 0, 0, 0, berlin), time.Date(2026, 3, 8, 0, 0, 0, 0, berlin), berlin)
	checkSpans(t, later, []spanCase{
		{"Swim", []string{ // Feb 3 moved away; EXDATE Feb 10 and 17 (a list) and Feb 24 (in UTC)
			"2026-03-03T16:00:00Z 2026-03-03T17:00:00Z",
		}},
		{"Swim (moved out)", []string{"2026-03-01T16:00:00Z 2026-03-01T17:00:00Z"}},
	})
}

// A moved instance keeps the ID its original slot had, so reminders and
// the page can follow it.
func TestExpandIDs(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	from, to := time.Date(2026, 1, 12, 0, 0, 0, 0, berlin), time.Date(2026, 1, 19, 0, 0, 0, 0, berlin)
	master := `BEGIN:VCALENDAR
BEGIN:VEVENT
UID:swim@example.test
DTSTART;TZID=Europe/Berlin:20260106T170000
DTEND;TZID=Europe/Berlin:20260106T180000
RRULE:FREQ=WEEKLY;BYDAY=TU
SUMMARY:Swim
END:VEVENT
END:VCALENDAR
`
	plain := expand(t, mustParse(t, master), from, to, berlin)
	moved := expand(t, mustParseFile(t, "overrides.ics"), from, to, berlin)
	if len(plain) != 1 {
		t.Fatalf("plain series: got %d events, want 1", len(plain))
	}
	var movedID string
	for _, e := range moved {
		if e.Summary == "Swim (moved)" {
			movedID = e.ID
		}
	}
	if movedID != plain[0].ID {
		t.Errorf("moved instance ID %q, want the original slot's %q", movedID, plain[0].ID)
	}

	again := expand(t, mustParse(t, master), from, to, berlin)
	if again[0].ID != plain[0].ID {
		t.Errorf("re-parse gave ID %q, want %q", again[0].ID, plain[0].ID)
	}
	other, _ := mustParse(t, master).Expand(from, to, ExpandOptions{Calendar: "School", Loc: berlin})
	if other[0].ID == plain[0].ID {
		t.Errorf("calendars Family and School share ID %q", other[0].ID)
	}

	// Instances of one series, and events without UID, get distinct IDs
	// that survive a re-parse.
	week := expand(t, mustParseFile(t, "misc.ics"), time.Date(2026, 3, 1, 0, 0, 0, 0, berlin), time.Date(2026, 3, 31, 0, 0, 0, 0, berlin), berlin)
	seen := map[string]string{}
	for _, e := range week {
		if prev, ok := seen[e.ID]; ok {
			t.Errorf("ID %q shared by %q and %q", e.ID, prev, e.Summary)
		}
		seen[e.ID] = e.Summary
	}
	week2 := expand(t, mustParseFile(t, "misc.ics"), time.Date(2026, 3, 1, 0, 0, 0, 0, berlin), time.Date(2026, 3, 31, 0, 0, 0, 0, berlin), berlin)
	for i := range week {
		if week[i].ID != week2[i].ID {
			t.Errorf("%q: ID %q then %q", week[i].Summary, week[i].ID, week2[i].ID)
		}
	}
}

// All-day events are dates: the same days in every zone, from local
// midnight to local midnight after the last day.
func TestExpandAllDayInEveryZone(t *testing.T) {
	f := mustParseFile(t, "allday.ics")
	type day struct{ first, end string } // end is exclusive
	cases := []struct {
		summary string
		want    []day
	}{
		{"Ski trip", []day{{"2026-01-30", "2026-02-03"}}}, // across a month end
		{"New Year", []day{{"2026-12-31", "2027-01-02"}}}, // across a year end
		{"Holiday without end", []day{{"2026-02-28", "2026-03-01"}}},
		{"Bare date", []day{{"2026-03-15", "2026-03-16"}}},
		{"Camp", []day{{"2026-03-30", "2026-04-02"}}}, // DURATION:P3D
		{"Birthday", []day{{"2025-12-31", "2026-01-01"}, {"2026-12-31", "2027-01-01"}, {"2027-12-31", "2028-01-01"}, {"2028-12-31", "2029-01-01"}}},
		{"Leap day", []day{{"2028-02-29", "2028-03-01"}}},
		{"Bins", []day{{"2026-01-05", "2026-01-06"}, {"2026-01-19", "2026-01-20"}, {"2026-01-26", "2026-01-27"}}},
		{"Term days", []day{{"2026-02-02", "2026-02-03"}, {"2026-02-03", "2026-02-04"}, {"2026-02-04", "2026-02-05"}, {"2026-02-05", "2026-02-06"}}},
	}
	for _, zone := range []string{"Asia/Seoul", "America/Los_Angeles", "Pacific/Auckland", "UTC", "Europe/Berlin"} {
		t.Run(zone, func(t *testing.T) {
			loc := mustZone(t, zone)
			events := expand(t, f, time.Date(2025, 12, 1, 0, 0, 0, 0, loc), time.Date(2029, 1, 1, 0, 0, 0, 0, loc), loc)
			for _, tc := range cases {
				var got []day
				for _, e := range events {
					if e.Summary != tc.summary {
						continue
					}
					if !e.AllDay {
						t.Errorf("%s: AllDay false", tc.summary)
					}
					for _, at := range []time.Time{e.Start, e.End} {
						if l := at.In(loc); l.Hour() != 0 || l.Minute() != 0 || l.Location().String() != loc.String() {
							t.Errorf("%s: %s is not local midnight in %s", tc.summary, at, zone)
						}
					}
					got = append(got, day{e.Start.Format("2006-01-02"), e.End.Format("2006-01-02")})
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("%s: got %v, want %v", tc.summary, got, tc.want)
				}
			}
		})
	}
}

func TestExpandMisc(t *testing.T) {
	f := mustParseFile(t, "misc.ics")
	for _, tc := range []struct {
		zone     string
		floating string // Floating 19:00-20:00 in the kiosk's zone
	}{
		{"Europe/Berlin", "2026-03-10T18:00:00Z 2026-03-10T19:00:00Z"},
		{"Asia/Seoul", "2026-03-10T10:00:00Z 2026-03-10T11:00:00Z"},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			loc := mustZone(t, tc.zone)
			events := expand(t, f, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), loc)
			checkSpans(t, events, []spanCase{
				{"No end", []string{"2026-03-10T08:00:00Z 2026-03-10T08:00:00Z"}},
				{"Duration", []string{"2026-03-10T12:00:00Z 2026-03-10T13:30:00Z"}},
				{"Floating", []string{tc.floating}},
				{"UTC", []string{"2026-03-11T07:00:00Z 2026-03-11T07:30:00Z"}},
				{"RDATE", []string{
					"2026-03-02T13:00:00Z 2026-03-02T13:30:00Z", // DTSTART
					"2026-03-05T13:00:00Z 2026-03-05T13:30:00Z", // a comma list ...
					"2026-03-12T12:00:00Z 2026-03-12T12:30:00Z", // ... across DST
					"2026-03-20T15:00:00Z 2026-03-20T17:00:00Z", // PERIOD with its own end
					"2026-03-25T12:00:00Z 2026-03-25T12:30:00Z", // VALUE=DATE at DTSTART's clock
				}},
				{"Count and exdate", []string{ // COUNT=6 counts the EXDATEs: Mar 4 and 11, and Mar 18 by date
					"2026-03-02T17:00:00Z 2026-03-02T18:00:00Z",
					"2026-03-09T17:00:00Z 2026-03-09T18:00:00Z",
					"2026-03-16T17:00:00Z 2026-03-16T18:00:00Z",
				}},
				{"Cancelled", nil},
				{"A todo is not an event", nil},
				{"No UID", []string{"2026-03-13T08:00:00Z 2026-03-13T08:00:00Z"}},
			})
			for _, e := range events {
				if e.Calendar != "Family" || e.Color != "#0a0" {
					t.Errorf("%s: calendar %q color %q", e.Summary, e.Calendar, e.Color)
				}
				if e.Start.Location().String() != tc.zone {
					t.Errorf("%s: start in %s, want %s", e.Summary, e.Start.Location(), tc.zone)
				}
			}
		})
	}
	// An unknown TZID with no VTIMEZONE is read in the kiosk's zone, and said.
	seoul := mustZone(t, "Asia/Seoul")
	events := expand(t, f, time.Date(2026, 3, 13, 0, 0, 0, 0, seoul), time.Date(2026, 3, 14, 0, 0, 0, 0, seoul), seoul)
	checkSpans(t, events, []spanCase{{"Unknown zone", []string{"2026-03-13T01:00:00Z 2026-03-13T01:00:00Z"}}})
	if len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0], "Mars/Olympus_Mons") {
		t.Errorf("warnings %q, want one naming the unknown zone", f.Warnings)
	}
}

// BYDAY=2TU is the second Tuesday (Apr 8 2025), not "a Tuesday".
func TestExpandNthWeekday(t *testing.T) {
	f := mustParseFile(t, "misc.ics")
	berlin := mustZone(t, "Europe/Berlin")
	events := expand(t, f, time.Date(2025, 4, 1, 0, 0, 0, 0, berlin), time.Date(2025, 6, 1, 0, 0, 0, 0, berlin), berlin)
	checkSpans(t, events, []spanCase{{"Second Tuesday", []string{
		"2025-04-08T17:00:00Z 2025-04-08T19:00:00Z",
		"2025-05-13T17:00:00Z 2025-05-13T19:00:00Z",
	}}})
}

// Outlook and Exchange write Windows zone names, and VTIMEZONE blocks for
// zones with no name at all.
func TestExpandOutlookZones(t *testing.T) {
	f := mustParseFile(t, "outlook.ics")
	if f.Name != "Work" || len(f.Warnings) != 0 {
		t.Errorf("name %q warnings %q, want Work and none", f.Name, f.Warnings)
	}
	seoul := mustZone(t, "Asia/Seoul")
	events := expand(t, f, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 7, 0, 0, 0, 0, time.UTC), seoul)
	checkSpans(t, events, []spanCase{
		{"Team meeting", []string{ // W. Europe Standard Time = Europe/Berlin; COUNT=3
			"2026-03-23T09:00:00Z 2026-03-23T10:00:00Z",
			"2026-03-30T08:00:00Z 2026-03-30T09:00:00Z",
			"2026-04-06T08:00:00Z 2026-04-06T09:00:00Z",
		}},
		{"Call with New York", []string{ // "Eastern Standard Time", quoted
			"2026-03-06T14:00:00Z 2026-03-06T14:30:00Z",
			"2026-03-13T13:00:00Z 2026-03-13T13:30:00Z",
		}},
		{"Seoul dinner", []string{"2026-03-10T10:00:00Z 2026-03-10T12:00:00Z"}},
		{"Custom zone", []string{ // +03:30, +04:30 from the 2nd Sunday of March
			"2026-03-02T06:30:00Z 2026-03-02T07:30:00Z",
			"2026-03-09T05:30:00Z 2026-03-09T06:30:00Z",
			"2026-03-16T05:30:00Z 2026-03-16T06:30:00Z",
			"2026-03-23T05:30:00Z 2026-03-23T06:30:00Z",
			"2026-03-30T05:30:00Z 2026-03-30T06:30:00Z",
			"2026-04-06T05:30:00Z 2026-04-06T06:30:00Z",
		}},
		{"Custom south", []string{ // +13:00 until the 1st Sunday of April (Apr 5)
			"2026-03-04T21:00:00Z 2026-03-04T22:00:00Z",
			"2026-04-04T22:00:00Z 2026-04-04T23:00:00Z",
		}},
		{"Company holiday", []string{"2026-03-31T15:00:00Z 2026-04-01T15:00:00Z"}}, // a date in Seoul
		{"Old Lightning export", []string{"2026-03-09T14:00:00Z 2026-03-09T15:00:00Z"}},
	})
	autumn := expand(t, f, time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC), seoul)
	checkSpans(t, autumn, []spanCase{
		{"Custom zone", []string{ // back to +03:30 on the 1st Sunday of November
			"2026-10-26T05:30:00Z 2026-10-26T06:30:00Z",
			"2026-11-02T06:30:00Z 2026-11-02T07:30:00Z",
			"2026-11-09T06:30:00Z 2026-11-09T07:30:00Z",
		}},
		{"Custom south", []string{"2026-11-04T21:00:00Z 2026-11-04T22:00:00Z"}}, // DST since Sep 27
	})
	for _, e := range events {
		if e.Summary == "Team meeting" && !slices.Equal(e.Reminders, []int{15}) {
			t.Errorf("Team meeting reminders %v, want [15]", e.Reminders)
		}
	}
}

func TestResolveZone(t *testing.T) {
	for _, tc := range []struct {
		tzid string
		want string // "" for an error
	}{
		{"Europe/Berlin", "Europe/Berlin"},
		{"W. Europe Standard Time", "Europe/Berlin"},
		{`"Eastern Standard Time"`, "America/New_York"},
		{"Korea Standard Time", "Asia/Seoul"},
		{"/mozilla.org/20050126_1/Europe/Berlin", "Europe/Berlin"},
		{"/freeassociation.sourceforge.net/Tzfile/Asia/Seoul", "Asia/Seoul"},
		{"tzone://Microsoft/Utc", "UTC"},
		{"tzone://Microsoft/Custom", ""},
		{"Local", ""},
		{"../../../etc/passwd", ""},
		{"", ""},
		{"Customized Time Zone", ""}, // only with its VTIMEZONE
	} {
		z := &zones{}
		loc, err := z.lookup(tc.tzid)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("%q: got %s, want an error", tc.tzid, loc)
		case tc.want != "" && (err != nil || loc.String() != tc.want):
			t.Errorf("%q: got %v, %v; want %s", tc.tzid, loc, err, tc.want)
		}
	}
}

// Every Windows name in the table maps to a zone the binary can load.
func TestWindowsZonesLoad(t *testing.T) {
	for win, iana := range windowsZones {
		if _, err := time.LoadLocation(iana); err != nil {
			t.Errorf("%q -> %q: %v", win, iana, err)
		}
	}
	if len(windowsZones) < 130 {
		t.Errorf("%d Windows zones, want the CLDR table", len(windowsZones))
	}
}

func TestVTimezoneRules(t *testing.T) {
	for _, tc := range []struct {
		rule  string
		start string
		want  string
	}{
		{"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "16010101T020000", "M3.5.0/2:00:00"},
		{"FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3", "16010101T020000", "M3.2.0/2:00:00"},
		{"FREQ=YEARLY;BYMONTH=4;BYDAY=1SU", "16010101T030000", "M4.1.0/3:00:00"},
		{"FREQ=YEARLY;BYMONTH=10;BYDAY=SU;BYMONTHDAY=8,9,10,11,12,13,14", "19700101T020000", "M10.2.0/2:00:00"},
		{"FREQ=YEARLY;BYMONTH=3;BYDAY=SU;BYMONTHDAY=25,26,27,28,29,30,31", "19700101T010000", "M3.5.0/1:00:00"},
		{"FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=21", "19700101T000000", "J80/0:00:00"},
		{"FREQ=YEARLY;BYDAY=-1FR;BYMONTH=3", "19700101T023000", "M3.5.5/2:30:00"},
	} {
		start, _ := parseWhen(tc.start, false)
		got, err := posixRule(tc.rule, start.wall)
		if err != nil || got != tc.want {
			t.Errorf("posixRule(%q) = %q, %v; want %q", tc.rule, got, err, tc.want)
		}
	}
	for _, rule := range []string{"FREQ=MONTHLY;BYDAY=1SU", "FREQ=YEARLY;BYMONTH=13;BYDAY=1SU", "FREQ=YEARLY;BYMONTH=3;BYDAY=SU"} {
		if got, err := posixRule(rule, time.Date(2001, 1, 1, 2, 0, 0, 0, time.UTC)); err == nil {
			t.Errorf("posixRule(%q) = %q, want an error", rule, got)
		}
	}
}

func TestReminders(t *testing.T) {
	f := mustParseFile(t, "misc.ics")
	events := expand(t, f, time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC), time.UTC)
	var got []int
	for _, e := range events {
		if e.Summary == "Alarms" {
			got = e.Reminders
		}
	}
	// -PT30M (twice: kept once), -P1D, RELATED=END -PT3H on a 1 h event,
	// absolute 08:00Z for 09:00Z. Dropped: PT5M and RELATED=END -PT15M
	// (after the start), and Apple's ACTION:NONE placeholder.
	if want := []int{30, 60, 120, 1440}; !slices.Equal(got, want) {
		t.Errorf("reminders %v, want %v", got, want)
	}
	for _, e := range events {
		if e.Summary != "Alarms" && e.Reminders != nil {
			t.Errorf("%s: reminders %v, want none", e.Summary, e.Reminders)
		}
	}
}

// Text comes back plain: escapes undone, markup left for the page to escape.
func TestExpandText(t *testing.T) {
	f := mustParseFile(t, "misc.ics")
	events := expand(t, f, time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 13, 0, 0, 0, 0, time.UTC), time.UTC)
	var e calendar.Event
	for _, ev := range events {
		if ev.Start.Equal(time.Date(2026, 3, 12, 12, 0, 0, 0, time.UTC)) && ev.Summary != "RDATE" {
			e = ev
		}
	}
	if want := "<b>Markup</b> & \"quotes\" , comma; semi\nnew line <script>alert(1)</script>"; e.Summary != want {
		t.Errorf("summary %q, want %q", e.Summary, want)
	}
	if want := `Room <1> \ backslash`; e.Location != want {
		t.Errorf("location %q, want %q", e.Location, want)
	}
}

func TestExpandCaps(t *testing.T) {
	feed := `BEGIN:VCALENDAR
BEGIN:VEVENT
UID:every-minute@example.test
DTSTART:19700101T000000Z
RRULE:FREQ=MINUTELY
SUMMARY:Every minute since 1970
END:VEVENT
BEGIN:VEVENT
UID:daily@example.test
DTSTART:20260101T090000Z
RRULE:FREQ=DAILY
SUMMARY:Daily
END:VEVENT
END:VCALENDAR
`
	f := mustParse(t, feed)
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(7 * 24 * time.Hour)

	events, truncated := f.Expand(from, to, ExpandOptions{MaxPerSeries: 100})
	if !truncated || len(spans(events, "Every minute since 1970")) != 100 || len(spans(events, "Daily")) != 7 {
		t.Errorf("MaxPerSeries 100: truncated %v, %d minutely, %d daily; want true, 100, 7",
			truncated, len(spans(events, "Every minute since 1970")), len(spans(events, "Daily")))
	}
	if !events[0].Start.Equal(from) {
		t.Errorf("first minutely instance %s, want %s", events[0].Start, from)
	}

	events, truncated = f.Expand(from, to, ExpandOptions{MaxEvents: 50, MaxPerSeries: 100})
	if !truncated || len(events) != 50 {
		t.Errorf("MaxEvents 50: truncated %v, %d events", truncated, len(events))
	}
	for i := 1; i < len(events); i++ {
		if events[i].Start.Before(events[i-1].Start) {
			t.Fatalf("events not sorted at %d", i)
		}
	}

	events, truncated = f.Expand(to, to.Add(time.Hour), ExpandOptions{})
	if truncated || len(events) != 60 {
		t.Errorf("one hour: truncated %v, %d events; want false, 60", truncated, len(events))
	}
}

// Rebasing a rule near the window gives exactly what iterating from its
// real DTSTART gives.
func TestRebaseMatchesFullIteration(t *testing.T) {
	rules := []struct {
		dtstart string
		rule    string
	}{
		{"19900101T073000", "FREQ=DAILY;INTERVAL=3"},
		{"20010103T180000", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH,SA;WKST=SU"},
		{"20010103T180000", "FREQ=WEEKLY;INTERVAL=3"},
		{"19950131T100000", "FREQ=MONTHLY;INTERVAL=5;BYDAY=-1FR"},
		{"19950131T100000", "FREQ=MONTHLY"},
		{"19950131T100000", "FREQ=MONTHLY;BYMONTHDAY=-1,15"},
		{"19960229T000000", "FREQ=YEARLY;INTERVAL=4"},
		{"19970101T120000", "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO"},
		{"19970101T120000", "FREQ=YEARLY;BYYEARDAY=100,200;INTERVAL=3"},
		{"19970105T120000", "FREQ=YEARLY;BYMONTH=1,3;BYDAY=SU;BYSETPOS=-1"},
		{"19700101T000500", "FREQ=HOURLY;INTERVAL=7;BYMINUTE=5,35"},
		{"19700101T000000", "FREQ=MINUTELY;INTERVAL=13;BYHOUR=9,10"},
		{"19700101T000007", "FREQ=SECONDLY;INTERVAL=9973;BYHOUR=9"},
		{"20100301T083000", "FREQ=DAILY;BYDAY=MO,WE,FR;BYHOUR=8,16"},
		{"20100301T083000", "FREQ=DAILY;UNTIL=20260315T000000"},
		{"20100301T083000", "FREQ=WEEKLY;BYDAY=MO;BYMONTH=2"},
		{"20100301T083000", "FREQ=WEEKLY;WKST=WE;INTERVAL=2;BYDAY=MO,SU"},
	}
	for _, tc := range rules {
		t.Run(tc.rule, func(t *testing.T) {
			start, err := parseWhen(tc.dtstart, false)
			if err != nil {
				t.Fatal(err)
			}
			rule, err := parseRule(tc.rule, start.wall)
			if err != nil {
				t.Fatal(err)
			}
			lo := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
			hi := time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC)

			full := *rule.opt
			full.Dtstart = start.wall
			if rule.hasUntil {
				full.Until = rule.until.wall
			}
			want := mustRRule(t, full).Between(lo, hi, true)

			moved := full
			rebase(&moved, lo)
			got := mustRRule(t, moved).Between(lo, hi, true)
			if !slices.EqualFunc(got, want, time.Time.Equal) || len(want) == 0 {
				t.Errorf("rebased to %s:\n got %v\nwant %v", moved.Dtstart, got, want)
			}
			if !moved.Dtstart.After(start.wall) {
				t.Errorf("DTSTART not moved: %s", moved.Dtstart)
			}

			// Moved again, near year 9999, and back: still the same.
			shift := eraShift(moved.Dtstart.Year(), hi.Year())
			if shift == 0 {
				t.Fatalf("no era shift for %d..%d", moved.Dtstart.Year(), hi.Year())
			}
			far := moved
			far.Dtstart = far.Dtstart.AddDate(shift, 0, 0)
			if !far.Until.IsZero() {
				far.Until = far.Until.AddDate(shift, 0, 0)
			}
			var back []time.Time
			for _, w := range mustRRule(t, far).Between(lo.AddDate(shift, 0, 0), hi.AddDate(shift, 0, 0), true) {
				back = append(back, w.AddDate(-shift, 0, 0))
			}
			if !slices.EqualFunc(back, want, time.Time.Equal) {
				t.Errorf("shifted %d years:\n got %v\nwant %v", shift, back, want)
			}
		})
	}
}

// eraShift maps years onto years with the same calendar: weekdays and leap
// days line up for every year of the span.
func TestEraShiftKeepsCalendar(t *testing.T) {
	leap := func(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }
	for from := 1902; from <= 2098; from++ {
		for span := 0; span <= 68 && from+span <= 2098; span++ {
			shift := eraShift(from, from+span)
			if shift == 0 || from+span+shift > 9998 {
				t.Fatalf("eraShift(%d, %d) = %d", from, from+span, shift)
			}
			for _, y := range []int{from - 1, from, from + span, from + span + 1} {
				a := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
				b := time.Date(y+shift, 1, 1, 0, 0, 0, 0, time.UTC)
				if a.Weekday() != b.Weekday() || leap(y) != leap(y+shift) {
					t.Fatalf("eraShift(%d, %d) = %d: %d and %d differ", from, from+span, shift, y, y+shift)
				}
			}
		}
	}
	for _, tc := range [][2]int{{1901, 1950}, {1990, 2099}, {1950, 2026}, {2030, 2026}} {
		if got := eraShift(tc[0], tc[1]); got != 0 {
			t.Errorf("eraShift(%d, %d) = %d, want 0", tc[0], tc[1], got)
		}
	}
}

// Rules rrule-go would loop on forever or panic on are refused when read,
// and the event keeps its DTSTART instance.
func TestRefusedRules(t *testing.T) {
	for _, rule := range []string{
		"FREQ=HOURLY;INTERVAL=2;BYHOUR=3",       // from 10:00 only even hours: never 3
		"FREQ=MINUTELY;INTERVAL=60;BYMINUTE=30", // from :00 never :30
		"FREQ=SECONDLY;INTERVAL=2;BYSECOND=1",   // from :00 only even seconds
		"FREQ=MONTHLY;BYDAY=-6MO",               // would index before the month
		"FREQ=YEARLY;BYMONTH=12;BYDAY=53MO",     // would index past the year
		"FREQ=DAILY;BYWEEKNO=3",                 // BYWEEKNO needs YEARLY
		"FREQ=YEARLY;BYEASTER=0",                // not RFC 5545; rrule-go indexes with it
		"FREQ=DAILY;INTERVAL=1000000",           // counters would overflow
		"FREQ=FORTNIGHTLY",                      // no such FREQ
		"FREQ=DAILY;BYHOUR=24",                  // out of range
		"FREQ=WEEKLY;BYMONTHDAY=1",              // not with WEEKLY
		"FREQ=DAILY;UNTIL=2026",                 // bad UNTIL
		"BYDAY=MO",                              // no FREQ
		"FREQ=DAILY;COUNT=-1",                   // negative COUNT
		"FREQ=MINUTELY;INTERVAL=7;BYHOUR=1;BYMINUTE=" + strings.Repeat("1,", 500) + "1",  // too many values
		"FREQ=DAILY;BYHOUR=" + seq(0, 23) + ";BYMINUTE=" + seq(0, 59) + ";BYSECOND=0,30", // 2,880 times a day
	} {
		t.Run(rule, func(t *testing.T) {
			feed := "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x@example.test\nDTSTART:20260302T100000Z\nRRULE:" + rule + "\nSUMMARY:X\nEND:VEVENT\nEND:VCALENDAR\n"
			f := mustParse(t, feed)
			if len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0], "RRULE ignored") {
				t.Errorf("warnings %q, want RRULE ignored", f.Warnings)
			}
			events, _ := f.Expand(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), ExpandOptions{})
			if len(events) != 1 {
				t.Errorf("%d events, want DTSTART only", len(events))
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		feed string
		want error // nil: any error
	}{
		{"html login page", "<!DOCTYPE html>\n<html><body>Sign in</body></html>\n", ErrNotCalendar},
		{"empty", "", ErrNotCalendar},
		{"vcard", "BEGIN:VCARD\nFN:Test\nEND:VCARD\n", ErrNotCalendar},
		{"cut short", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20260101T100000Z\n", nil},
		{"deep nesting", "BEGIN:VCALENDAR\n" + strings.Repeat("BEGIN:X\n", 100_000), errTooDeep},
		{"folded deep nesting", "BEGIN:VCALENDAR\n" + strings.Repeat("BEG\n IN:X\n", 1000), errTooDeep},
		{"parameter bomb", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nX" + strings.Repeat(";A=B", 500_000) + ":v\nEND:VEVENT\nEND:VCALENDAR\n", errTooCostly},
		{"parameters on a long line", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nX" + strings.Repeat(";A=B", 20) + ":" + strings.Repeat("v", 1<<20) + "\nEND:VEVENT\nEND:VCALENDAR\n", errTooCostly},
		{"huge event", "BEGIN:VCALENDAR\nBEGIN:VEVENT\n" + strings.Repeat("X:y\n", 20_000) + "END:VEVENT\nEND:VCALENDAR\n", errTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse(strings.NewReader(tc.feed))
			if err == nil {
				t.Fatalf("Parse succeeded with %d events, want an error", len(f.events))
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "ics: ") {
				t.Errorf("error %q does not start with the source", err)
			}
		})
	}
}

// Problems with one event leave it or its part out and say so; the rest
// of the feed is read.
func TestParseWarnings(t *testing.T) {
	feed := `BEGIN:VCALENDAR
X-WR-CALNAME:School
BEGIN:VEVENT
UID:good@example.test
DTSTART:20260302T100000Z
EXDATE:not-a-date,20260309T100000Z
RRULE:FREQ=WEEKLY;COUNT=3
SUMMARY:Good
END:VEVENT
BEGIN:VEVENT
UID:no-start@example.test
SUMMARY:No start
END:VEVENT
BEGIN:VEVENT
UID:bad-start@example.test
DTSTART:2026-03-02
SUMMARY:Bad start
END:VEVENT
X-STRAY-PROPERTY:between components
BEGIN:VEVENT
UID:feb30@example.test
DTSTART;VALUE=DATE:20260230
SUMMARY:February 30
END:VEVENT
END:VCALENDAR
`
	f := mustParse(t, feed)
	if f.Name != "School" {
		t.Errorf("name %q, want School", f.Name)
	}
	if len(f.Warnings) != 4 {
		t.Errorf("warnings %q, want 4", f.Warnings)
	}
	for _, w := range f.Warnings {
		if strings.Contains(w, "No start") || strings.Contains(w, "Bad start") {
			t.Errorf("warning %q quotes a summary", w)
		}
	}
	events := expand(t, f, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.UTC)
	checkSpans(t, events, []spanCase{{"Good", []string{ // the good EXDATE still applies
		"2026-03-02T10:00:00Z 2026-03-02T10:00:00Z",
		"2026-03-16T10:00:00Z 2026-03-16T10:00:00Z",
	}}})
	if len(events) != 2 {
		t.Errorf("%d events, want 2", len(events))
	}
}

// Long lines with few parameters, as attachments and HTML descriptions
// are, pass the guard.
func TestParseLongLines(t *testing.T) {
	feed := "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a@example.test\r\nDTSTART:20260302T100000Z\r\n" +
		"ATTACH;FMTTYPE=image/png;ENCODING=BASE64;VALUE=BINARY:" + strings.Repeat("QUJD", 1<<20) + "\r\n" +
		"X-ALT-DESC;FMTTYPE=text/html:<p>" + strings.Repeat("Bring a towel. ", 50_000) + "</p>\r\n" +
		"SUMMARY:With attachment\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	f := mustParse(t, feed)
	if len(f.events) != 1 || f.events[0].summary != "With attachment" {
		t.Errorf("events %+v", f.events)
	}
}

// Windows exports may start with a byte order mark.
func TestParseBOM(t *testing.T) {
	f := mustParse(t, "\ufeffBEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260302T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	if len(f.events) != 1 {
		t.Errorf("%d events, want 1", len(f.events))
	}
}

func TestParseValues(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want duration
		ok   bool
	}{
		{"PT30M", duration{0, 1800}, true},
		{"-PT30M", duration{0, -1800}, true},
		{"P1D", duration{1, 0}, true},
		{"-P1DT2H", duration{-1, -7200}, true},
		{"P2W", duration{14, 0}, true},
		{"+PT1H0M5S", duration{0, 3605}, true},
		{"PT", duration{}, false},
		{"P1H", duration{}, false},
		{"PT1D", duration{}, false},
		{"P99999999999D", duration{}, false},
		{"P400000000W", duration{}, false}, // 7×n past a 32-bit int
		{"30M", duration{}, false},
	} {
		got, err := parseDuration(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	for _, tc := range []struct {
		in   string
		want string
		kind kind
		ok   bool
	}{
		{"20260302", "2026-03-02T00:00:00Z", kindDate, true},
		{"20260302T101500", "2026-03-02T10:15:00Z", kindFloating, true},
		{"20260302T101500Z", "2026-03-02T10:15:00Z", kindUTC, true},
		{"20261231T235960Z", "2026-12-31T23:59:59Z", kindUTC, true},
		{"20260230", "", 0, false},
		{"20261301", "", 0, false},
		{"20260302T250000", "", 0, false},
		{"2026-03-02", "", 0, false},
		{"20260302T1015", "", 0, false},
	} {
		got, err := parseWhen(tc.in, false)
		if (err == nil) != tc.ok || (tc.ok && (got.wall.Format(time.RFC3339) != tc.want || got.kind != tc.kind)) {
			t.Errorf("parseWhen(%q) = %s %d, %v; want %s %d ok=%v", tc.in, got.wall.Format(time.RFC3339), got.kind, err, tc.want, tc.kind, tc.ok)
		}
	}
}

func mustRRule(t *testing.T, o rrule.ROption) *rrule.RRule {
	t.Helper()
	r, err := rrule.NewRRule(o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// seq lists a..b for BYxxx values.
func seq(a, b int) string {
	var parts []string
	for i := a; i <= b; i++ {
		parts = append(parts, strconv.Itoa(i))
	}
	return strings.Join(parts, ",")
}
