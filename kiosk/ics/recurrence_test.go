package ics

import (
	"testing"
	"time"
)

// seqFeed is a weekly Monday 10:00Z series with Mar 9 excluded, and one
// override for Mar 9 moving it to Tuesday.
func seqFeed(master, override string) string {
	return "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:s@example.test\nDTSTART:20260302T100000Z\nDURATION:PT1H\n" +
		"RRULE:FREQ=WEEKLY;COUNT=3\nEXDATE:20260309T100000Z\nSUMMARY:Series\n" + master + "END:VEVENT\n" +
		"BEGIN:VEVENT\nUID:s@example.test\nRECURRENCE-ID:20260309T100000Z\nDTSTART:20260310T100000Z\nDURATION:PT1H\n" +
		"SUMMARY:Moved\n" + override + "END:VEVENT\nEND:VCALENDAR\n"
}

// An override stands for an instance its master excluded only if it is not
// older: SEQUENCE first, then LAST-MODIFIED (or DTSTAMP without it).
func TestOverrideAgainstNewerMaster(t *testing.T) {
	moved := []string{"2026-03-10T10:00:00Z 2026-03-10T11:00:00Z"}
	for _, tc := range []struct {
		name             string
		master, override string
		want             []string
	}{
		{"lower SEQUENCE", "SEQUENCE:2\n", "SEQUENCE:1\n", nil},
		{"higher SEQUENCE", "SEQUENCE:1\n", "SEQUENCE:2\n", moved},
		{"same SEQUENCE, earlier LAST-MODIFIED", "SEQUENCE:1\nLAST-MODIFIED:20260305T000000Z\n", "SEQUENCE:1\nLAST-MODIFIED:20260301T000000Z\n", nil},
		{"same SEQUENCE, later LAST-MODIFIED", "SEQUENCE:1\nLAST-MODIFIED:20260301T000000Z\n", "SEQUENCE:1\nLAST-MODIFIED:20260305T000000Z\n", moved},
		{"same SEQUENCE, earlier DTSTAMP", "DTSTAMP:20260305T000000Z\n", "DTSTAMP:20260301T000000Z\n", nil},
		{"LAST-MODIFIED before DTSTAMP", "DTSTAMP:20260301T000000Z\nLAST-MODIFIED:20260301T000000Z\n", "DTSTAMP:20260309T000000Z\nLAST-MODIFIED:20260302T000000Z\n", moved},
		{"no stamps", "", "", moved},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse(t, seqFeed(tc.master, tc.override))
			events := expand(t, f, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.UTC)
			checkSpans(t, events, []spanCase{
				{"Series", []string{"2026-03-02T10:00:00Z 2026-03-02T11:00:00Z", "2026-03-16T10:00:00Z 2026-03-16T11:00:00Z"}},
				{"Moved", tc.want},
			})
		})
	}
}

// RANGE=THISANDFUTURE moves and retitles this and later instances; a
// cancelled one ends the series there; a later single override still wins.
func TestThisAndFuture(t *testing.T) {
	feed := func(future string) string {
		return "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:f@example.test\nDTSTART;TZID=Europe/Berlin:20260316T100000\n" +
			"DTEND;TZID=Europe/Berlin:20260316T110000\nRRULE:FREQ=WEEKLY\nSUMMARY:Weekly\nEND:VEVENT\n" +
			"BEGIN:VEVENT\nUID:f@example.test\nRECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20260323T100000\n" + future + "END:VEVENT\n" +
			"BEGIN:VEVENT\nUID:f@example.test\nRECURRENCE-ID;TZID=Europe/Berlin:20260406T100000\n" +
			"DTSTART;TZID=Europe/Berlin:20260406T080000\nDTEND;TZID=Europe/Berlin:20260406T083000\nSUMMARY:Early\nEND:VEVENT\n" +
			"END:VCALENDAR\n"
	}
	berlin := mustZone(t, "Europe/Berlin")
	from, to := time.Date(2026, 3, 16, 0, 0, 0, 0, berlin), time.Date(2026, 4, 14, 0, 0, 0, 0, berlin)

	// Moved to 12:00-14:00 Berlin from Mar 23: 11:00Z in CET, 10:00Z in CEST (from Mar 29).
	events := expand(t, mustParse(t, feed("DTSTART;TZID=Europe/Berlin:20260323T120000\nDTEND;TZID=Europe/Berlin:20260323T140000\nSUMMARY:Later\n")), from, to, berlin)
	checkSpans(t, events, []spanCase{
		{"Weekly", []string{"2026-03-16T09:00:00Z 2026-03-16T10:00:00Z"}},
		{"Later", []string{"2026-03-23T11:00:00Z 2026-03-23T13:00:00Z", "2026-03-30T10:00:00Z 2026-03-30T12:00:00Z", "2026-04-13T10:00:00Z 2026-04-13T12:00:00Z"}},
		{"Early", []string{"2026-04-06T06:00:00Z 2026-04-06T06:30:00Z"}},
	})

	events = expand(t, mustParse(t, feed("DTSTART;TZID=Europe/Berlin:20260323T100000\nSTATUS:CANCELLED\nSUMMARY:Gone\n")), from, to, berlin)
	checkSpans(t, events, []spanCase{
		{"Weekly", []string{"2026-03-16T09:00:00Z 2026-03-16T10:00:00Z"}},
		{"Gone", nil},
		{"Early", []string{"2026-04-06T06:00:00Z 2026-04-06T06:30:00Z"}},
	})
}
