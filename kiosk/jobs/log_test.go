package jobs

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// records keeps what a logger was given.
type records struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec.Clone())
	return nil
}
func (r *records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *records) WithGroup(string) slog.Handler      { return r }

// lines are the records at level or above, as "LEVEL message job=… error=…".
func (r *records) lines(level slog.Level) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, rec := range r.recs {
		if rec.Level < level {
			continue
		}
		s := rec.Level.String() + " " + rec.Message
		rec.Attrs(func(a slog.Attr) bool {
			if a.Key == "job" || a.Key == "error" {
				s += " " + a.Key + "=" + a.Value.String()
			}
			return true
		})
		out = append(out, s)
	}
	return out
}

// TestFailuresLoggedWhenTheyStartAndClear: a job failing run after run is
// logged once when it starts failing and once when it recovers.
func TestFailuresLoggedWhenTheyStartAndClear(t *testing.T) {
	logs := &records{}
	s, err := New(context.Background(), time.UTC, slog.New(logs), time.Now,
		func(err error) string { return "scrubbed: " + err.Error() })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	results := []error{nil, errors.New("down"), errors.New("down"), errors.New("still down"), nil, nil, errors.New("down again")}
	i := 0
	if err := s.Every("calendars", time.Hour, func(context.Context) error { i++; return results[i-1] }); err != nil {
		t.Fatal(err)
	}
	for range results {
		s.jobs[0].task() // the scheduler is not started: only these runs
	}
	got := logs.lines(slog.LevelInfo)
	want := []string{
		"WARN job failing job=calendars error=scrubbed: down",
		"INFO job recovered job=calendars",
		"WARN job failing job=calendars error=scrubbed: down again",
	}
	if len(got) != len(want) {
		t.Fatalf("logged\n%q\nwant\n%q", got, want)
	}
	for k := range want {
		if got[k] != want[k] {
			t.Errorf("line %d: %q, want %q", k, got[k], want[k])
		}
	}
}
