package source

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/clock"
)

// TestFailuresLoggedWhenTheyStartAndClear: a source failing fetch after
// fetch is logged once when it starts failing, with its error, and once
// when it recovers; the retries between are not logged at info or above.
func TestFailuresLoggedWhenTheyStartAndClear(t *testing.T) {
	c := clock.New(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	store, _ := cache.Open("", c.Now, nil)
	defer store.Close()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "next_try" {
				return slog.Attr{}
			}
			return a
		},
	}))
	r := NewRunner(store, log, nil, nil)
	var fail error
	fetch := func(context.Context) (int, error) { return 1, fail }
	run := func() {
		Run(context.Background(), r, "School", "ics", 5*time.Minute, fetch)
		c.Add(3 * time.Hour) // past any back-off
	}
	run()
	fail = errors.New("ics: HTTP 500")
	run()
	run()
	fail = errors.New("ics: HTTP 502")
	run()
	fail = nil
	run()
	run()
	fail = errors.New("ics: HTTP 503")
	run()
	got := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{
		`level=WARN msg="source failing" source=School kind=ics error="ics: HTTP 500"`,
		`level=INFO msg="source recovered" source=School kind=ics failures=3`,
		`level=WARN msg="source failing" source=School kind=ics error="ics: HTTP 503"`,
	}
	if len(got) != len(want) {
		t.Fatalf("logged\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d:\n%s\nwant\n%s", i, got[i], want[i])
		}
	}
}

// TestBackingOffStillFails: between its tries a failed source still
// reports its failure, so the job running it does not look well (and log
// "recovered") every minute of the back-off.
func TestBackingOffStillFails(t *testing.T) {
	c := clock.New(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	store, _ := cache.Open("", c.Now, nil)
	defer store.Close()
	r := NewRunner(store, discard(), nil, nil)
	calls := 0
	fetch := func(context.Context) (int, error) { calls++; return 0, errors.New("ics: HTTP 500") }
	Run(context.Background(), r, "School", "ics", 5*time.Minute, fetch)
	c.Add(time.Minute)
	_, err := Run(context.Background(), r, "School", "ics", 5*time.Minute, fetch)
	if calls != 1 || err == nil || err.Error() != "ics: HTTP 500" {
		t.Errorf("within the back-off: %d fetches, error %v; want 1 and the last failure", calls, err)
	}
}
