package source

import (
	"context"
	"errors"
	"fmt"
	"kiosk/kiosk/clock"
	"strings"
	"testing"
	"time"

	"kiosk/cache"
)

func TestRun(t *testing.T) {
	c := clock.New(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	store, err := cache.Open("", c.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var changed []string
	r := NewRunner(store, discard(), NewScrubber("hunter2-secret"), func(n string) { changed = append(changed, n) })
	ctx := context.Background()
	calls := 0
	var fail error
	fetch := func(context.Context) (int, error) {
		calls++
		return calls, fail
	}
	period := 5 * time.Minute
	run := func() (cache.Entry[int], Status) {
		e, _ := Run(ctx, r, "School", "ics", period, fetch)
		return e, Statuses(store, []string{"School"}, []string{"ics"})[0]
	}

	e, st := run()
	if e.Value != 1 || !st.OK || st.Updated == nil || !st.Updated.Equal(c.Now()) || len(changed) != 1 {
		t.Fatalf("first run: %+v %+v changed=%v", e, st, changed)
	}
	c.Add(time.Minute)
	if e, _ = run(); calls != 1 || e.Value != 1 || len(changed) != 1 {
		t.Fatalf("within ttl: calls=%d value=%d changed=%v", calls, e.Value, changed)
	}

	fail = errors.New("GET https://user:hunter2-secret@example.org/a.ics?token=abc: 500")
	c.Add(period)
	e, st = run()
	if calls != 2 || e.Value != 1 || !e.Stale || st.OK || !st.Stale || st.Failures != 1 {
		t.Fatalf("failure: calls=%d %+v %+v", calls, e, st)
	}
	if strings.Contains(st.Error, "hunter2") || strings.Contains(st.Error, "token=abc") || !strings.Contains(st.Error, "https://example.org/a.ics") {
		t.Errorf("error not scrubbed: %q", st.Error)
	}
	if want := c.Now().Add(period); !st.NextTry.Equal(want) {
		t.Errorf("next try %v, want %v", st.NextTry, want)
	}
	c.Add(period - time.Second)
	if run(); calls != 2 {
		t.Fatalf("backing off: fetched anyway (calls=%d)", calls)
	}
	c.Add(time.Second)
	_, st = run()
	if calls != 3 || st.Failures != 2 || !st.NextTry.Equal(c.Now().Add(2*period)) {
		t.Fatalf("second failure: calls=%d %+v", calls, st)
	}

	fail = &RetryAfterError{After: 3 * time.Hour, Err: errors.New("429")}
	c.Set(*st.NextTry)
	_, st = run()
	if !st.NextTry.Equal(c.Now().Add(3 * time.Hour)) {
		t.Errorf("Retry-After not honoured: next %v", st.NextTry)
	}

	if err := Reset(store, "School"); err != nil {
		t.Fatal(err)
	}
	fail = nil
	e, st = run()
	if calls != 5 || !st.OK || e.Stale || st.Error != "" || st.Failures != 0 {
		t.Fatalf("after reset: calls=%d %+v %+v", calls, e, st)
	}
	c.Add(time.Minute)
	if run(); calls != 5 {
		t.Errorf("force was not cleared: calls=%d", calls)
	}
}

func TestClockSteppedBackDoesNotFreezeBackoff(t *testing.T) {
	c := clock.New(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	store, _ := cache.Open("", c.Now, nil)
	defer store.Close()
	r := NewRunner(store, discard(), nil, nil)
	calls := 0
	fetch := func(context.Context) (int, error) { calls++; return 0, errors.New("down") }
	Run(context.Background(), r, "A", "ics", time.Minute, fetch)
	c.Add(-30 * 24 * time.Hour) // booted with an old clock
	Run(context.Background(), r, "A", "ics", time.Minute, fetch)
	if calls != 2 {
		t.Errorf("calls = %d: a next-try a month ahead must not stop fetching", calls)
	}
}

func TestBackoff(t *testing.T) {
	p := 5 * time.Minute
	tests := []struct {
		n    int
		err  error
		want time.Duration
	}{
		{1, nil, 5 * time.Minute},
		{2, nil, 10 * time.Minute},
		{4, nil, 40 * time.Minute},
		{5, nil, time.Hour},
		{50, nil, time.Hour},
		{1, &RetryAfterError{After: time.Minute, Err: errors.New("x")}, 5 * time.Minute},
		{1, fmt.Errorf("wrapped: %w", &RetryAfterError{After: 2 * time.Hour, Err: errors.New("x")}), 2 * time.Hour},
	}
	for _, tc := range tests {
		if got := Backoff(tc.n, p, tc.err); got != tc.want {
			t.Errorf("Backoff(%d, %v) = %v, want %v", tc.n, tc.err, got, tc.want)
		}
	}
	if got := Backoff(3, 2*time.Hour, nil); got != 2*time.Hour {
		t.Errorf("a period over the cap: %v, want the period", got)
	}
}

func TestScrub(t *testing.T) {
	s := NewScrubber("pa55word", "")
	tests := []struct{ in, want string }{
		{"get webcal://u:p@cal.example/x.ics?key=1: EOF", "get webcal://cal.example/x.ics: EOF"},
		{`Post "https://app.example:443/login.do?id=1#frag": timeout`, `Post "https://app.example:443/login.do": timeout`},
		{"bad password pa55word", "bad password [redacted]"},
		{"bad \xff utf8", "bad ? utf8"},
	}
	for _, tc := range tests {
		if got := s.String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := s.String(strings.Repeat("가", 400))
	if len(long) > maxErrorLen+len("…") || !strings.HasSuffix(long, "…") || !strings.HasPrefix(long, "가") {
		t.Errorf("long message not cut cleanly: %d bytes", len(long))
	}
}

// A fetch that succeeds with a note shows it while the source stays ok;
// the note lasts while the data is fresh and goes with the next fetch.
func TestRunNote(t *testing.T) {
	c := clock.New(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	store, err := cache.Open("", c.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	r := NewRunner(store, discard(), NewScrubber(), nil)
	note := "3 lines skipped (first: line without a value)"
	fetch := func(ctx context.Context) (int, error) {
		SetNote(ctx, note)
		return 1, nil
	}
	status := func() Status {
		if _, err := Run(context.Background(), r, "School", "ics", time.Minute, fetch); err != nil {
			t.Fatal(err)
		}
		return Statuses(store, []string{"School"}, []string{"ics"})[0]
	}
	if st := status(); !st.OK || st.Note != note {
		t.Errorf("first run: ok %v note %q, want ok and %q", st.OK, st.Note, note)
	}
	note = ""
	if st := status(); st.Note != "3 lines skipped (first: line without a value)" {
		t.Errorf("within the TTL: note %q, want the stored one", st.Note)
	}
	c.Add(2 * time.Minute)
	if st := status(); !st.OK || st.Note != "" {
		t.Errorf("clean fetch: ok %v note %q, want ok and none", st.OK, st.Note)
	}
	SetNote(context.Background(), "outside Run") // does nothing, and does not panic
}
