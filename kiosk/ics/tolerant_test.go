package ics

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// tolerantFeed wraps body between two good events, "Before" and "After".
func tolerantFeed(body string) string {
	return "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//kiosk tests//tolerant//EN\n" +
		"BEGIN:VEVENT\nUID:before@example.test\nDTSTART:20260302T090000Z\nDTEND:20260302T100000Z\nSUMMARY:Before\nEND:VEVENT\n" +
		body +
		"BEGIN:VEVENT\nUID:after@example.test\nDTSTART:20260303T090000Z\nDTEND:20260303T100000Z\nSUMMARY:After\nEND:VEVENT\n" +
		"END:VCALENDAR\n"
}

const (
	beforeSpan = "2026-03-02T09:00:00Z 2026-03-02T10:00:00Z"
	afterSpan  = "2026-03-03T09:00:00Z 2026-03-03T10:00:00Z"
	caseSpan   = "2026-03-04T09:00:00Z 2026-03-04T10:00:00Z"
)

// caseEvent is a good event named Case on March 4, 09:00-10:00 UTC, with
// extra lines after its DTSTART.
func caseEvent(extra string) string {
	return "BEGIN:VEVENT\nUID:case@example.test\nDTSTART:20260304T090000Z\n" + extra +
		"DTEND:20260304T100000Z\nSUMMARY:Case\nEND:VEVENT\n"
}

// Each kind of line that made golang-ical drop the whole feed: the feed is
// read, every event is there, and the skip count is what was left out.
func TestTolerantLines(t *testing.T) {
	for _, tc := range []struct {
		name    string
		feed    string
		skipped int
		reason  string            // the first reason, if skipped > 0
		want    map[string]string // summary: span, besides Before and After
	}{
		{
			name: "iCloud raw line break in a quoted address",
			feed: tolerantFeed("BEGIN:VEVENT\nUID:icloud@example.test\nDTSTART:20260304T090000Z\nDTEND:20260304T100000Z\n" +
				"X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-APPLE-RADIUS=70;X-TITLE=\"Stadthalle\nMusterstraße 5, 12345 Musterstadt\":geo:52.1,13.2\n" +
				"LOCATION:Stadthalle\nSUMMARY:Case\nEND:VEVENT\n"),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "raw line break in a text value",
			feed: tolerantFeed("BEGIN:VEVENT\nUID:text@example.test\nDTSTART:20260304T090000Z\nDTEND:20260304T100000Z\n" +
				"DESCRIPTION:Bring shoes\nand a towel, please\nSUMMARY:Case\nEND:VEVENT\n"),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "underscore in a property name",
			feed: tolerantFeed(caseEvent("X-ENTOURAGE_UUID:2B3C4D5E-0000-1111-2222-333344445555\n")),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "other characters in property names",
			feed: tolerantFeed(caseEvent("X-MS.OLK/ORIGINAL+START:20260304\nX-ÄPFEL:1\nx-lower-case:1\n")),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "escaped quote in a parameter value",
			feed: tolerantFeed(caseEvent("ATTENDEE;CN=\"Coach\\\":mailto:coach@example.test\n")),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "stray quotes inside a quoted parameter value",
			feed: tolerantFeed(caseEvent("ATTENDEE;CN=\"Coach \"Bob\" Smith\";ROLE=CHAIR:mailto:coach@example.test\n")),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "unquoted colon and semicolon in a parameter value",
			feed: tolerantFeed(caseEvent("ATTENDEE;CN=Smith: John;Jr;ROLE=REQ-PARTICIPANT:mailto:j@example.test\nORGANIZER;CN=a;b:mailto:o@example.test\n")),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "unquoted colon in TZID",
			feed: tolerantFeed("BEGIN:VEVENT\nUID:case@example.test\nDTSTART;TZID=tzone://Microsoft/Utc:20260304T090000\n" +
				"DTEND;TZID=tzone://Microsoft/Utc:20260304T100000\nSUMMARY:Case\nEND:VEVENT\n"),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "parameter without =",
			feed: tolerantFeed(caseEvent("ATTENDEE;RSVP:mailto:coach@example.test\n")),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "parameter without = on DTSTART",
			feed: tolerantFeed("BEGIN:VEVENT\nUID:case@example.test\nDTSTART;X-BROKEN;TZID=Europe/Berlin:20260304T100000\n" +
				"DTEND;TZID=Europe/Berlin;X-BROKEN:20260304T110000\nSUMMARY:Case\nEND:VEVENT\n"),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "misspelt END of an ignored component",
			feed: tolerantFeed("BEGIN:VTODO\nUID:todo@example.test\nSUMMARY:Todo\nEND:VTOOD\n" + caseEvent("")),
			want: map[string]string{"Case": caseSpan, "Todo": ""},
		},
		{
			name: "misspelt END of an alarm",
			feed: tolerantFeed(caseEvent("BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT15M\nEND:VALRM\n")),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "misspelt END of an event",
			feed: tolerantFeed("BEGIN:VEVENT\nUID:case@example.test\nDTSTART:20260304T090000Z\nDTEND:20260304T100000Z\nSUMMARY:Case\nEND:VEVNET\n"),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "event closed by the next BEGIN:VEVENT",
			feed: tolerantFeed("BEGIN:VEVENT\nUID:case@example.test\nDTSTART:20260304T090000Z\nDTEND:20260304T100000Z\nSUMMARY:Case\n"),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "ignored component closed by the next BEGIN:VEVENT",
			feed: tolerantFeed("BEGIN:VTODO\nUID:todo@example.test\nSUMMARY:Todo\n" + caseEvent("")),
			want: map[string]string{"Case": caseSpan, "Todo": ""},
		},
		{
			name: "event closed by END:VCALENDAR",
			feed: strings.Replace(tolerantFeed(""), "END:VEVENT\nEND:VCALENDAR", "END:VCALENDAR", 1),
		},
		{
			name: "byte order mark and CRLF",
			feed: "\ufeff" + strings.ReplaceAll(tolerantFeed(caseEvent("")), "\n", "\r\n"),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "LF only",
			feed: tolerantFeed(caseEvent("")),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "CR only",
			feed: strings.ReplaceAll(tolerantFeed(caseEvent("DESCRIPTION:folded\n  with a space\n")), "\n", "\r"),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "trailing spaces",
			feed: strings.ReplaceAll(tolerantFeed(caseEvent("")), "\n", "  \n"),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "blank lines",
			feed: strings.ReplaceAll(tolerantFeed(caseEvent("")), "\n", "\n\n \n"),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "folded lines with tabs",
			feed: tolerantFeed("BEGIN:VEVENT\nUID:case@example.\n\ttest\nDTSTART:20260304\n\tT090000Z\nDTEND:20260304T100000Z\nSUMMARY:Ca\n\tse\nEND:VEVENT\n"),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "invalid UTF-8",
			feed: tolerantFeed("BEGIN:VEVENT\nUID:case@example.test\nDTSTART:20260304T090000Z\nDTEND:20260304T100000Z\nSUMMARY:Caf\xe9\nEND:VEVENT\n"),
			want: map[string]string{"Caf\uFFFD": caseSpan},
		},
		{
			name: "no VERSION",
			feed: strings.Replace(tolerantFeed(caseEvent("")), "VERSION:2.0\n", "", 1),
			want: map[string]string{"Case": caseSpan},
		},
		{
			name: "lines before BEGIN:VCALENDAR",
			feed: "Warning: date(): It is not safe to rely on the system's timezone settings\n" + tolerantFeed(caseEvent("")),
			want: map[string]string{"Case": caseSpan}, skipped: 1, reason: "lines before BEGIN:VCALENDAR",
		},
		{
			name: "garbage line",
			feed: tolerantFeed(caseEvent("::::\n")),
			want: map[string]string{"Case": caseSpan}, skipped: 1, reason: "line without a property name",
		},
		{
			name: "stray line after a date",
			feed: tolerantFeed(caseEvent("DTSTAMP:20260301T000000Z\nno name here\n")),
			want: map[string]string{"Case": caseSpan}, skipped: 1, reason: "line without a property name",
		},
		{
			name: "line without a value",
			feed: tolerantFeed(caseEvent("X-FOO;BAR\n")),
			want: map[string]string{"Case": caseSpan}, skipped: 1, reason: "line without a value",
		},
		{
			name: "unreadable DTSTART",
			feed: tolerantFeed("BEGIN:VEVENT\nUID:bad@example.test\nDTSTART:2026-03-04 09:00\nSUMMARY:Bad\nEND:VEVENT\n"),
			want: map[string]string{"Bad": ""}, skipped: 1, reason: "event with an unreadable DTSTART",
		},
		{
			name: "unreadable RRULE",
			feed: tolerantFeed(caseEvent("RRULE:FREQ=SOMETIMES\n")),
			want: map[string]string{"Case": caseSpan}, skipped: 1, reason: "unreadable RRULE left out",
		},
		{
			name:    "unreadable EXDATE",
			feed:    tolerantFeed(caseEvent("RRULE:FREQ=DAILY;COUNT=2\nEXDATE:tomorrow\n")),
			want:    map[string]string{"Case": caseSpan + "|2026-03-05T09:00:00Z 2026-03-05T10:00:00Z"},
			skipped: 1, reason: "unreadable EXDATE left out",
		},
		{
			name: "END of a component that is not open",
			feed: tolerantFeed(caseEvent("END:VFOO\n")),
			want: map[string]string{"Case": caseSpan}, skipped: 1, reason: "END of a component that is not open",
		},
		{
			name: "END:VTODO inside an event",
			feed: tolerantFeed(caseEvent("END:VTODO\n")),
			want: map[string]string{"Case": caseSpan}, skipped: 1, reason: "END of a component that is not open",
		},
		{
			name: "END:VCALENDAR twice",
			feed: tolerantFeed(caseEvent("")) + "END:VCALENDAR\n",
			want: map[string]string{"Case": caseSpan}, skipped: 1, reason: "END of a component that is not open",
		},
		{
			name: "Confluence COUNT=-1 beside UNTIL",
			feed: tolerantFeed(caseEvent("RRULE:FREQ=DAILY;COUNT=-1;UNTIL=20260305T090000Z\n")),
			want: map[string]string{"Case": caseSpan + "|2026-03-05T09:00:00Z 2026-03-05T10:00:00Z"},
		},
		{
			name: "COUNT=0 beside UNTIL",
			feed: tolerantFeed(caseEvent("RRULE:UNTIL=20260306T000000Z;COUNT=0;FREQ=DAILY\n")),
			want: map[string]string{"Case": caseSpan + "|2026-03-05T09:00:00Z 2026-03-05T10:00:00Z"},
		},
		{
			name: "no END:VCALENDAR",
			feed: strings.TrimSuffix(tolerantFeed(caseEvent("")), "END:VCALENDAR\n"),
			want: map[string]string{"Case": caseSpan}, skipped: 1, reason: "no END:VCALENDAR",
		},
		{
			name: "several problems",
			feed: tolerantFeed(caseEvent("::::\nX-FOO;BAR\n") + "BEGIN:VEVENT\nUID:x\nSUMMARY:No start\nEND:VEVENT\n"),
			want: map[string]string{"Case": caseSpan}, skipped: 3, reason: "line without a property name",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse(strings.NewReader(tc.feed))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if f.Skipped != tc.skipped || (tc.skipped > 0 && f.SkipReason != tc.reason) {
				t.Errorf("skipped %d (%q), want %d (%q)", f.Skipped, f.SkipReason, tc.skipped, tc.reason)
			}
			events := expand(t, f, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.UTC)
			want := map[string]string{"Before": beforeSpan, "After": afterSpan}
			for k, v := range tc.want {
				want[k] = v
			}
			for summary, span := range want {
				if got := strings.Join(spans(events, summary), "|"); got != span {
					t.Errorf("%q: got %q, want %q", summary, got, span)
				}
			}
			var others []string
			for _, e := range events {
				if _, ok := want[e.Summary]; !ok {
					others = append(others, e.Summary)
				}
			}
			if len(others) > 0 {
				t.Errorf("unexpected events %q", others)
			}
		})
	}
}

// What the repaired lines held is read as the producer meant it.
func TestTolerantValues(t *testing.T) {
	f := mustParse(t, tolerantFeed("BEGIN:VEVENT\nUID:icloud@example.test\nDTSTART:20260304T090000Z\n"+
		"X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-TITLE=\"Stadthalle\nMusterstraße 5\":geo:52.1,13.2\n"+
		"LOCATION:Stadthalle\nMusterstraße 5\nSUMMARY:Case\nBEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT15M\nEND:VALRM\nEND:VEVENT\n"))
	events := expand(t, f, time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), time.UTC)
	if len(events) != 1 {
		t.Fatalf("%d events, want 1", len(events))
	}
	if got, want := events[0].Location, "Stadthalle\nMusterstraße 5"; got != want {
		t.Errorf("location %q, want %q", got, want)
	}
	if !slices.Equal(events[0].Reminders, []int{15}) {
		t.Errorf("reminders %v, want [15] from the alarm with a misspelt END", events[0].Reminders)
	}
	if f.Skipped != 0 {
		t.Errorf("skipped %d (%s), want 0", f.Skipped, f.SkipReason)
	}
}

// The note never quotes the feed: no summary, no URL.
func TestNoteQuotesNothing(t *testing.T) {
	f := mustParse(t, tolerantFeed("BEGIN:VEVENT\nUID:https://example.org/secret/path\nDTSTART:https://example.org/secret/path\n"+
		"SUMMARY:Doctor Kim's appointment\nEND:VEVENT\nhttps://example.org/secret/path\n"))
	note := f.Note()
	if note == "" || strings.Contains(note, "example.org") || strings.Contains(note, "Kim") {
		t.Errorf("note %q", note)
	}
	if want := "1 line skipped (event with an unreadable DTSTART)"; note != want {
		t.Errorf("note %q, want %q", note, want)
	}
}
