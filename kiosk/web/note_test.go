package web

import (
	"strings"
	"testing"

	"kiosk/kiosk/config"
	"kiosk/kiosk/dashboard"
	"kiosk/kiosk/source"
)

// An ok source's note (an ICS feed read in part) is on the status page,
// escaped, and in /api/status, and the source still counts as ok.
func TestStatusShowsSourceNote(t *testing.T) {
	updated := at(0, 9, 0)
	note := "3 lines skipped (first: line without a <value>)"
	snap := &dashboard.Snapshot{Sources: []source.Status{{Name: "School", Kind: "ics", OK: true, Updated: &updated, Note: note}}}
	s := newServer(t, snap, func(c *config.Config) { c.Calendars = []config.Calendar{{Name: "School"}}; c.Locale = "en" })
	_, page := get(t, s, "/status")
	if !strings.Contains(page, "3 lines skipped (first: line without a &lt;value&gt;)") {
		t.Errorf("status page lacks the escaped note:\n%s", page)
	}
	if strings.Contains(page, `class="source bad"`) {
		t.Errorf("a source with a note shown as failing")
	}
	_, api := get(t, s, "/api/status")
	if !strings.Contains(api, `"note":"3 lines skipped (first: line without a \u003cvalue\u003e)"`) {
		t.Errorf("/api/status lacks the note: %s", api)
	}
}

// The Korean status page says the ICS note in Korean; a note it cannot take
// apart is shown as it is.
func TestNoteText(t *testing.T) {
	tests := []struct {
		note, locale, want string
	}{
		{"3 lines skipped (first: line without a value)", "ko", "3줄 건너뜀 (첫 번째: 값 없는 줄)"},
		{"1 line skipped (no END:VCALENDAR)", "ko", "1줄 건너뜀 (END:VCALENDAR 없음)"},
		{"2 lines skipped (first: unreadable RRULE left out)", "ko", "2줄 건너뜀 (첫 번째: 읽을 수 없는 RRULE 제외)"},
		{"4 lines skipped (first: EXDATE past the limit left out)", "ko", "4줄 건너뜀 (첫 번째: 한도를 넘은 EXDATE 제외)"},
		{"2 lines skipped (first: something new)", "ko", "2줄 건너뜀 (첫 번째: something new)"},
		{"3 lines skipped (first: line without a value)", "en", "3 lines skipped (first: line without a value)"},
		{"not a skip note", "ko", "not a skip note"},
		{"", "ko", ""},
	}
	for _, tt := range tests {
		if got := noteText(tt.note, tt.locale); got != tt.want {
			t.Errorf("noteText(%q, %s) = %q, want %q", tt.note, tt.locale, got, tt.want)
		}
	}
}
