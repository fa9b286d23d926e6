package ics

import (
	"testing"
	"time"
)

// TestCorpus reads feeds in the shapes the big producers publish them and
// checks every instance in a window. The expected instances are worked out
// by hand from the feed and the zones' published rules (comments say how),
// not produced by this code.
func TestCorpus(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	for _, tc := range []struct {
		file     string
		zone     string // the kiosk's zone
		from, to time.Time
		want     []spanCase
	}{
		{
			// Google "secret address": X-WR-TIMEZONE, overrides with SEQUENCE.
			// Piano is Mondays 16:00 KST (07:00Z). Mar 16 is EXDATE'd by the
			// master (SEQUENCE 2); its override has SEQUENCE 1, so it must not
			// bring Mar 16 back as Mar 17. Mar 23 moved to 18:00 by an override
			// as new as the master. Mar 30's override is older (SEQUENCE 1) but
			// the master still has Mar 30, so the move to Tuesday stands.
			file: "google.ics", zone: "Asia/Seoul",
			from: utc(2026, 2, 28, 15, 0), to: utc(2026, 4, 6, 15, 0),
			want: []spanCase{
				{"Piano", []string{"2026-03-02T07:00:00Z 2026-03-02T08:00:00Z", "2026-03-09T07:00:00Z 2026-03-09T08:00:00Z", "2026-04-06T07:00:00Z 2026-04-06T08:00:00Z"}},
				{"Piano (old move)", nil},
				{"Piano (moved)", []string{"2026-03-23T09:00:00Z 2026-03-23T10:00:00Z"}},
				{"Piano (Tuesday)", []string{"2026-03-31T07:00:00Z 2026-03-31T08:00:00Z"}},
				{"Dentist", []string{"2026-03-05T01:00:00Z 2026-03-05T02:00:00Z"}},
				{"School trip", []string{"2026-03-11T15:00:00Z 2026-03-13T15:00:00Z"}}, // Mar 12-13 in Seoul
			},
		},
		{
			// iCloud shared calendar: a raw line break in X-TITLE, END:VALRM,
			// RANGE=THISANDFUTURE, floating time in X-WR-TIMEZONE Europe/Berlin.
			// Training is Tuesdays 18:00-19:30 Berlin: 17:00Z in CET. From Mar
			// 24 on it is 19:00-20:30 (+1 h, 1.5 h): 18:00Z on Mar 24 (CET),
			// 17:00Z from Mar 31 (CEST since Mar 29).
			file: "icloud.ics", zone: "Asia/Seoul",
			from: utc(2026, 3, 1, 0, 0), to: utc(2026, 4, 15, 0, 0),
			want: []spanCase{
				{"Training", []string{"2026-03-03T17:00:00Z 2026-03-03T18:30:00Z", "2026-03-10T17:00:00Z 2026-03-10T18:30:00Z", "2026-03-17T17:00:00Z 2026-03-17T18:30:00Z"}},
				{"Training (new time)", []string{"2026-03-24T18:00:00Z 2026-03-24T19:30:00Z", "2026-03-31T17:00:00Z 2026-03-31T18:30:00Z",
					"2026-04-07T17:00:00Z 2026-04-07T18:30:00Z", "2026-04-14T17:00:00Z 2026-04-14T18:30:00Z"}},
				{"Team dinner", []string{"2026-03-20T18:00:00Z 2026-03-20T21:00:00Z"}}, // 19:00 CET, not 19:00 KST
				{"Tournament", []string{"2026-03-27T15:00:00Z 2026-03-29T15:00:00Z"}},  // Mar 28-29 in Seoul
			},
		},
		{
			// Office 365 publishing: Windows zone names, tzone://Microsoft/Utc,
			// X-MICROSOFT-CDO-*, X-ENTOURAGE_UUID, ATTENDEE;RSVP without '='.
			// Weekly sync is Wednesdays 09:00 Pacific: PST (17:00Z) on Mar 4,
			// PDT (16:00Z) from Mar 8; Mar 18 moved to 10:00 PDT; UNTIL Mar 31.
			// The old exception (SEQUENCE 1 < 3) for Apr 8, a day the shortened
			// series no longer has, carries its own RRULE and is dropped.
			file: "exchange.ics", zone: "Asia/Seoul",
			from: utc(2026, 3, 1, 0, 0), to: utc(2026, 4, 15, 0, 0),
			want: []spanCase{
				{"Weekly sync", []string{"2026-03-04T17:00:00Z 2026-03-04T17:30:00Z", "2026-03-11T16:00:00Z 2026-03-11T16:30:00Z",
					"2026-03-18T17:00:00Z 2026-03-18T17:30:00Z", "2026-03-25T16:00:00Z 2026-03-25T16:30:00Z"}},
				{"Weekly sync (old exception)", nil},
				{"All hands", []string{"2026-03-10T08:00:00Z 2026-03-10T09:00:00Z"}},
				{"Office closed", []string{"2026-03-19T15:00:00Z 2026-03-20T15:00:00Z"}},
				{"Seoul visit", []string{"2026-03-12T05:00:00Z 2026-03-12T07:00:00Z"}}, // 14:00 KST
			},
		},
		{
			// Nextcloud (SabreDAV) export: two RRULEs, EXRULE, a birthday.
			// Swimming 17:00 CET (16:00Z): Mondays Mar 2, 9, 16 (COUNT=3) and
			// Thursdays Mar 5, 12 (COUNT=2). Paper bins: Wednesdays Mar 4 to Apr
			// 1 minus every other Wednesday from Mar 4 (Mar 4, 18, Apr 1).
			file: "nextcloud.ics", zone: "Europe/Berlin",
			from: utc(2026, 2, 28, 23, 0), to: utc(2026, 3, 31, 22, 0),
			want: []spanCase{
				{"Swimming", []string{"2026-03-02T16:00:00Z 2026-03-02T17:00:00Z", "2026-03-05T16:00:00Z 2026-03-05T17:00:00Z",
					"2026-03-09T16:00:00Z 2026-03-09T17:00:00Z", "2026-03-12T16:00:00Z 2026-03-12T17:00:00Z", "2026-03-16T16:00:00Z 2026-03-16T17:00:00Z"}},
				{"Paper bins", []string{"2026-03-10T23:00:00Z 2026-03-11T23:00:00Z", "2026-03-24T23:00:00Z 2026-03-25T23:00:00Z"}},
				{"🎂 Oma (1980)", []string{"2026-03-09T23:00:00Z 2026-03-10T23:00:00Z"}},
			},
		},
		{
			// Thunderbird (Lightning): offsets with seconds, X-MOZ-*, a
			// cancelled instance. Book club is the last Thursday 19:30 London:
			// Mar 26 (GMT, BST from Mar 29); Apr 30 is cancelled.
			file: "thunderbird.ics", zone: "Europe/London",
			from: utc(2026, 3, 1, 0, 0), to: utc(2026, 5, 1, 0, 0),
			want: []spanCase{
				{"Book club", []string{"2026-03-26T19:30:00Z 2026-03-26T21:00:00Z"}},
				{"Bank holiday", []string{"2026-04-05T23:00:00Z 2026-04-06T23:00:00Z"}}, // Apr 6 in BST
			},
		},
		{
			// Confluence team calendar: COUNT=-1 and COUNT=0 beside UNTIL.
			// Standup Mon/Wed/Fri 10:00 KST (01:00Z) through UNTIL Mar 20 01:00Z
			// inclusive; Retro Thursdays 16:00 KST (07:00Z) until Apr 1.
			file: "confluence.ics", zone: "Asia/Seoul",
			from: utc(2026, 3, 1, 0, 0), to: utc(2026, 4, 1, 0, 0),
			want: []spanCase{
				{"Standup", []string{"2026-03-02T01:00:00Z 2026-03-02T01:30:00Z", "2026-03-04T01:00:00Z 2026-03-04T01:30:00Z",
					"2026-03-06T01:00:00Z 2026-03-06T01:30:00Z", "2026-03-09T01:00:00Z 2026-03-09T01:30:00Z", "2026-03-11T01:00:00Z 2026-03-11T01:30:00Z",
					"2026-03-13T01:00:00Z 2026-03-13T01:30:00Z", "2026-03-16T01:00:00Z 2026-03-16T01:30:00Z", "2026-03-18T01:00:00Z 2026-03-18T01:30:00Z",
					"2026-03-20T01:00:00Z 2026-03-20T01:30:00Z"}},
				{"Retro", []string{"2026-03-05T07:00:00Z 2026-03-05T08:00:00Z", "2026-03-12T07:00:00Z 2026-03-12T08:00:00Z",
					"2026-03-19T07:00:00Z 2026-03-19T08:00:00Z", "2026-03-26T07:00:00Z 2026-03-26T08:00:00Z"}},
				{"Park on leave", []string{"2026-03-22T15:00:00Z 2026-03-24T15:00:00Z"}},
			},
		},
		{
			// A school timetable export: BOM, CRLF, blank lines, no VERSION,
			// floating times (the kiosk's zone), EXDATE by date, END:VTOOD, and
			// the last event closed by END:VCALENDAR. Math Mon/Wed/Fri 08:30
			// KST (23:30Z the day before) to Mar 13, minus Mar 4 and 11.
			file: "school.ics", zone: "Asia/Seoul",
			from: utc(2026, 2, 28, 15, 0), to: utc(2026, 3, 20, 15, 0),
			want: []spanCase{
				{"수학", []string{"2026-03-01T23:30:00Z 2026-03-02T00:15:00Z", "2026-03-05T23:30:00Z 2026-03-06T00:15:00Z",
					"2026-03-08T23:30:00Z 2026-03-09T00:15:00Z", "2026-03-12T23:30:00Z 2026-03-13T00:15:00Z"}},
				{"체육대회", []string{"2026-03-18T15:00:00Z 2026-03-19T15:00:00Z"}},
				{"숙제", nil},
			},
		},
		{
			// A Lotus Notes export with a custom VTIMEZONE "Eastern" written
			// as RFC 5545's New York example: rules changing over the years,
			// RDATE, UNTIL. US Eastern: EDT from Jan 6 1974; in 2006 DST began
			// Apr 2 and ended Oct 29; since 2007 it runs from the second
			// Sunday of March (Mar 8 2026) to the first of November (Nov 1).
			file: "custom-zone.ics", zone: "Asia/Seoul",
			from: utc(1974, 1, 1, 0, 0), to: utc(2027, 1, 1, 0, 0),
			want: []spanCase{
				{"1974 winter DST", []string{"1974-02-04T13:00:00Z 1974-02-04T14:00:00Z"}},
				{"Spring 2006", []string{"2006-03-20T14:00:00Z 2006-03-20T15:00:00Z"}},
				{"Across April 2006", []string{"2006-03-27T14:00:00Z 2006-03-27T15:00:00Z", "2006-04-03T13:00:00Z 2006-04-03T14:00:00Z"}},
				{"Autumn 2006", []string{"2006-10-30T14:00:00Z 2006-10-30T15:00:00Z"}},
				{"Spring 2026", []string{"2026-03-16T13:00:00Z 2026-03-16T14:00:00Z"}},
				{"Autumn 2026", []string{"2026-10-30T13:00:00Z 2026-10-30T14:00:00Z"}},
			},
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f := mustParseFile(t, tc.file)
			if f.Skipped != 0 || len(f.Warnings) != 0 {
				t.Errorf("skipped %d (%s), warnings %q; want none", f.Skipped, f.SkipReason, f.Warnings)
			}
			events := expand(t, f, tc.from, tc.to, mustZone(t, tc.zone))
			checkSpans(t, events, tc.want)
			n := 0
			for _, c := range tc.want {
				n += len(c.want)
			}
			if len(events) != n {
				t.Errorf("%d events, want %d", len(events), n)
			}
		})
	}
}
