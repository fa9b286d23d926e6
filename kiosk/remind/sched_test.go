package remind

import (
	"context"
	fakeclock "kiosk/kiosk/clock"
	"log/slog"
	"testing"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"

	"kiosk/cache"
	"kiosk/kiosk/config"
	"kiosk/kiosk/jobs"
)

// TestRescheduleOnStepBack runs the job under the kiosk's scheduler on a
// fake clock: once at start, then at second 0; after the clock steps an
// hour back, the job's OnStepBack reschedules instead of leaving it silent
// for the hour (kiosk/jobs shows gocron alone does fall silent).
func TestRescheduleOnStepBack(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	at := func(h, m, s int) time.Time { return time.Date(2026, 11, 22, h, m, s, 0, seoul) }
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	t0 := at(9, 59, 30)
	clk := fakeclock.NewStepped(t0)
	store, err := cache.Open("", clk.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	q, err := NewQueue(store)
	if err != nil {
		t.Fatal(err)
	}
	job := NewJob(q, config.Reminders{}, func(Window) ([]Due, error) { return nil, nil }, nil)
	job.mono = clk.Elapsed

	done := make(chan struct{}, 10)
	s, err := jobs.New(ctx, seoul, slog.New(slog.DiscardHandler), clk.Now, func(err error) string { return err.Error() },
		gocron.WithClock(clk),
		gocron.WithGlobalJobOptions(gocron.WithEventListeners(gocron.AfterJobRuns(func(_ uuid.UUID, name string) {
			if name == "reminders" {
				done <- struct{}{}
			}
		}))))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	if err := s.EveryMinute("reminders", job.Run); err != nil {
		t.Fatal(err)
	}
	job.OnStepBack(s.Reschedule)
	s.Start()

	wait := func(what string, minute time.Time) {
		t.Helper()
		select {
		case <-done:
		case <-ctx.Done():
			t.Fatalf("%s: no run", what)
		}
		// gocron frees the singleton slot just after the listener returns;
		// a timer fired before that would skip the next run. Real runs are a
		// minute apart, fake ones are not: give the runner a moment.
		time.Sleep(10 * time.Millisecond)
		if got := job.Status().From; !got.Equal(minute) {
			t.Fatalf("%s: covered from %s, want %s", what, got.Format("15:04:05"), minute.Format("15:04:05"))
		}
	}
	advance := func(d time.Duration) {
		t.Helper()
		if err := clk.BlockUntilContext(ctx, 1); err != nil {
			t.Fatal(err)
		}
		clk.Advance(d)
	}

	wait("start-up run at 09:59:30", at(9, 59, 0))
	advance(30 * time.Second)
	wait("run at 10:00:00", at(10, 0, 0))

	clk.Step(-time.Hour - 17*time.Second)
	advance(time.Minute) // the timer armed for 10:01 fires at 09:00:43 wall
	wait("run after the step", at(9, 0, 0))
	if j := job.Status().Jump; j == nil || j.Seconds != -3617 {
		t.Errorf("jump %+v, want -3617 s", j)
	}
	if err := clk.BlockUntilContext(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if next := s.Statuses()[0].NextRun; next == nil || !next.Equal(at(9, 1, 0)) {
		t.Errorf("reminder job's next run %v, want 09:01:00", next)
	}
	advance(17 * time.Second)
	wait("run at 09:01:00", at(9, 1, 0))
	advance(time.Minute)
	wait("run at 09:02:00", at(9, 2, 0))
}
