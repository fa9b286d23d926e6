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
	s := newServer(t, snap, func(c *config.Config) { c.Calendars = []config.Calendar{{Name: "School"}} })
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
