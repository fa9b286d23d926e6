package jobs

import (
	"context"
	"errors"
	"kiosk/kiosk/clock"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"
)

func TestJobsRunAndReport(t *testing.T) {
	start := time.Date(2026, 11, 22, 9, 59, 30, 0, time.UTC)
	clock := clockwork.NewFakeClockAt(start)
	ctx := context.Background()
	s, err := New(ctx, time.UTC, slog.New(slog.DiscardHandler), clock.Now,
		func(err error) string { return "scrubbed: " + err.Error() }, gocron.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	ran := make(chan struct{}, 10)
	if err := s.EveryMinute("reminders", func(context.Context) error {
		runs.Add(1)
		ran <- struct{}{}
		return errors.New("boom")
	}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer s.Shutdown()
	<-ran // the immediate run at start-up
	waitFor(t, func() bool { st := s.Statuses(); return st[0].LastRun != nil })
	st := s.Statuses()[0]
	if st.Name != "reminders" || st.LastError != "scrubbed: boom" {
		t.Errorf("status %+v", st)
	}
	if st.NextRun == nil || !st.NextRun.Equal(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("next run %v, want 10:00:00 (second 0)", st.NextRun)
	}
	if err := s.Healthy(3*time.Minute, "reminders"); err != nil {
		t.Errorf("healthy right after a run: %v", err)
	}
	clock.Advance(0) // let timers settle
	clock.BlockUntilContext(ctx, 1)
	clock.Advance(31 * time.Second)
	<-ran
	if runs.Load() != 2 {
		t.Errorf("runs = %d, want 2", runs.Load())
	}
}

func TestHealthyFailsWhenStale(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	s, _ := New(context.Background(), time.UTC, slog.New(slog.DiscardHandler), func() time.Time { return now },
		func(err error) string { return err.Error() })
	j := &job{name: "reminders", last: now.Add(-5 * time.Minute)}
	s.jobs = append(s.jobs, j)
	if err := s.Healthy(3*time.Minute, "reminders"); err == nil {
		t.Error("a job silent for 5 minutes is healthy")
	}
	if err := s.Healthy(3*time.Minute, "other"); err != nil {
		t.Errorf("unnamed job checked: %v", err)
	}
}

// TestRescheduleAfterBackwardStep: after the wall clock steps back an hour,
// gocron waits out the hour before the next run; Reschedule restores a run
// every minute.
func TestRescheduleAfterBackwardStep(t *testing.T) {
	for _, reschedule := range []bool{false, true} {
		clk := clock.NewStepped(time.Date(2026, 11, 22, 10, 0, 17, 0, time.UTC))
		ctx := context.Background()
		s, _ := New(ctx, time.UTC, slog.New(slog.DiscardHandler), clk.Now,
			func(err error) string { return err.Error() }, gocron.WithClock(clk))
		var runs atomic.Int32
		ran := make(chan struct{}, 100)
		s.EveryMinute("reminders", func(context.Context) error { runs.Add(1); ran <- struct{}{}; return nil })
		s.Start()
		<-ran // immediate run at 10:00:17
		clk.BlockUntilContext(ctx, 1)
		clk.Step(-time.Hour) // NTP steps the clock back to 09:00:17
		if reschedule {
			s.Reschedule()
			waitFor(t, func() bool {
				next := s.Statuses()[0].NextRun
				return next != nil && next.Equal(time.Date(2026, 11, 22, 9, 1, 0, 0, time.UTC))
			})
		}
		before := runs.Load()
		for range 3 {
			clk.BlockUntilContext(ctx, 1)
			clk.Advance(time.Minute)
			select {
			case <-ran:
			case <-time.After(200 * time.Millisecond):
			}
		}
		got := runs.Load() - before
		s.Shutdown()
		if reschedule && got < 3 {
			t.Errorf("with Reschedule: %d runs in 3 minutes after the step, want 3", got)
		}
		if !reschedule && got > 1 {
			t.Errorf("the test no longer shows gocron's silence after a backward step (%d runs)", got)
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRescheduleRacesNoReader: Reschedule swaps each job's gocron handle
// while the status page and an admin refresh read it; run with -race.
func TestRescheduleRacesNoReader(t *testing.T) {
	s, err := New(context.Background(), time.UTC, slog.New(slog.DiscardHandler), time.Now,
		func(err error) string { return err.Error() })
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"refresh", "reminders", "notices", "photos", "weather", "srt"} {
		if err := s.Every(name, time.Hour, func(context.Context) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	s.Start()
	defer s.Shutdown()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 100 {
			s.Reschedule()
		}
	}()
	for {
		select {
		case <-done:
			return
		default:
		}
		s.Statuses()
		if err := s.RunNow("refresh"); err != nil {
			t.Errorf("run now: %v", err)
		}
	}
}
