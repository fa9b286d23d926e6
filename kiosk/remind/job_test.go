package remind

import (
	"errors"
	"slices"
	"testing"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/calendar"
)

func TestJobQueuesOnce(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	at := func(h, m, s int) time.Time { return time.Date(2026, 11, 22, h, m, s, 0, seoul) }
	e := newEnv(t, at(9, 59, 0))
	e.events = []calendar.Event{ev("Dentist", at(10, 30, 0))}

	if n := e.run(at(9, 59, 0)); n != 0 {
		t.Errorf("09:59 queued %d", n)
	}
	if n := e.run(at(10, 0, 0)); n != 1 {
		t.Fatalf("10:00 queued %d, want 1", n)
	}
	got := e.queue.Active(e.clock.Now())
	want := Notification{ID: got[0].ID, Message: "11-22 10:30\nDentist\n일정이 30분 후 시작합니다.",
		Expire: at(10, 10, 0).Unix(), DisplayTime: 30, Kind: KindEvent, Sound: true, Created: at(10, 0, 0).Unix()}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("queued %+v\nwant %+v", got, want)
	}
	if n := e.run(at(10, 0, 25)); n != 0 { // a refresh changed the data
		t.Errorf("second run in the same minute queued %d", n)
	}
	if n := e.runEachMinute(at(10, 1, 0), at(10, 40, 0)); n != 0 {
		t.Errorf("later runs queued %d", n)
	}
	// The notification expired at 10:10 and is gone; it must not return.
	if got := e.activeIDs(); len(got) != 0 {
		t.Errorf("still active after expiry: %v", got)
	}
	st := e.job.Status()
	if !st.From.Equal(at(10, 40, 0)) || !st.To.Equal(at(10, 41, 0)) || st.Jump != nil || st.Gap != nil || st.Error != "" {
		t.Errorf("status %+v", st)
	}
}

// TestJobRefreshRerun: the first fetch after start-up completes inside the
// minute of a reminder; the run it triggers still queues it.
func TestJobRefreshRerun(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	at := func(h, m, s int) time.Time { return time.Date(2026, 11, 22, h, m, s, 0, seoul) }
	e := newEnv(t, at(10, 0, 0))
	if n := e.run(at(10, 0, 0)); n != 0 { // start-up: nothing fetched yet
		t.Fatalf("queued %d with no data", n)
	}
	e.events = []calendar.Event{ev("Dentist", at(10, 30, 0))}
	if n := e.run(at(10, 0, 40)); n != 1 {
		t.Errorf("run after the first fetch queued %d, want 1", n)
	}
}

// TestJobRestart: a new job over the same store (a restarted process)
// queues nothing twice and covers the minutes the old one missed.
func TestJobRestart(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	at := func(h, m int) time.Time { return time.Date(2026, 11, 22, h, m, 0, 0, seoul) }
	e := newEnv(t, at(10, 0))
	e.events = []calendar.Event{
		ev("A", at(10, 30)), // due 10:00
		ev("B", at(10, 32)), // due 10:02, while the process is down
		ev("C", at(10, 35)), // due 10:05
	}
	if n := e.run(at(10, 0)); n != 1 {
		t.Fatalf("10:00 queued %d", n)
	}
	e.restart() // down from 10:00:10 to 10:03:30
	if n := e.run(at(10, 0).Add(3*time.Minute + 30*time.Second)); n != 1 {
		t.Errorf("first run after restart queued %d, want 1 (B)", n)
	}
	e.restart() // and again within the same minute
	if n := e.run(at(10, 0).Add(3*time.Minute + 50*time.Second)); n != 0 {
		t.Errorf("second restart in the same minute queued %d", n)
	}
	e.runEachMinute(at(10, 4), at(10, 6))
	if got := e.summaries(); !slices.Equal(got, []string{"A", "B", "C"}) {
		t.Errorf("active %v, want [A B C]", got)
	}
	b := e.queue.Active(e.clock.Now())[1]
	if got := line(b.Message, 2); got != "일정이 29분 후 시작합니다." {
		t.Errorf("B caught up at 10:03 says %q", got)
	}
}

func TestJobFirstStart(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	at := func(h, m int) time.Time { return time.Date(2026, 11, 22, h, m, 0, 0, seoul) }
	e := newEnv(t, at(10, 5))
	e.events = []calendar.Event{ev("missed", at(10, 33)), ev("now", at(10, 35))}
	if n := e.run(at(10, 5)); n != 1 {
		t.Errorf("first run queued %d, want 1", n)
	}
	if got := e.summaries(); !slices.Equal(got, []string{"now"}) {
		t.Errorf("active %v, want [now]: the very first start has no gap", got)
	}
}

// TestJobForwardJump: NTP steps the clock two hours forward (a Pi booted
// with a stale clock). Only the last catch-up minutes are covered, not two
// hours of reminders at once.
func TestJobForwardJump(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	at := func(h, m int) time.Time { return time.Date(2026, 11, 22, h, m, 0, 0, seoul) }
	e := newEnv(t, at(8, 0))
	for m := 0; m < 180; m += 5 { // a reminder every 5 minutes from 08:02
		start := at(8, 32).Add(time.Duration(m) * time.Minute)
		e.events = append(e.events, ev(start.Format("15:04"), start))
	}
	if n := e.runEachMinute(at(8, 0), at(8, 6)); n != 1 {
		t.Fatalf("08:00–08:06 queued %d", n)
	}
	e.clock.Add(20 * time.Second)
	e.clock.Step(2*time.Hour + 17*time.Second)
	e.clock.Add(40*time.Second - 17*time.Second) // the timer fires at 10:07:00 wall
	if n := e.run(e.clock.Now()); n != 3 {
		t.Errorf("run after the step queued %d, want 3 (09:57, 10:02, 10:07)", n)
	}
	st := e.job.Status()
	if st.Jump == nil || st.Jump.Seconds != (2*time.Hour+17*time.Second).Seconds() {
		t.Errorf("jump %+v, want +7217 s", st.Jump)
	}
	if st.Gap == nil || !st.Gap.From.Equal(at(8, 7)) || !st.Gap.To.Equal(at(9, 57)) {
		t.Errorf("gap %+v, want 08:07–09:57", st.Gap)
	}
	if got := e.summaries(); !slices.Equal(got, []string{"10:27", "10:32", "10:37"}) {
		t.Errorf("active %v", got)
	}
}

// TestJobBackwardJump: the clock steps an hour back. The hour comes round
// again; reminders already queued in it are not queued again, even after
// they expired, while new ones in it still are.
func TestJobBackwardJump(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	at := func(h, m int) time.Time { return time.Date(2026, 11, 22, h, m, 0, 0, seoul) }
	e := newEnv(t, at(9, 0))
	e.events = []calendar.Event{ev("A", at(9, 30)), ev("B", at(10, 0)), ev("C", at(10, 30))}
	if n := e.runEachMinute(at(9, 0), at(10, 0)); n != 3 {
		t.Fatalf("09:00–10:00 queued %d", n)
	}
	e.clock.Add(30 * time.Second)
	e.clock.Step(-time.Hour - 17*time.Second)
	e.clock.Add(30 * time.Second) // the pending timer fires at 09:00:43 wall
	if n := e.run(e.clock.Now()); n != 0 {
		t.Errorf("run after the step queued %d", n)
	}
	if st := e.job.Status(); st.Jump == nil || st.Jump.Seconds != -(time.Hour+17*time.Second).Seconds() {
		t.Errorf("jump %+v, want -3617 s", st.Jump)
	}
	// A expired before the step; B and C were shown in the hour that now
	// repeats: none of them is shown again.
	if got := e.summaries(); len(got) != 0 {
		t.Errorf("active after the step: %v", got)
	}
	e.events = append(e.events, ev("D", at(9, 45))) // added after the step
	if n := e.runEachMinute(at(9, 1), at(9, 20)); n != 1 {
		t.Errorf("09:01–09:20 queued %d, want 1 (D)", n)
	}
	if got := e.summaries(); !slices.Equal(got, []string{"D"}) {
		t.Errorf("active at %s: %v, want [D]", e.clock.Now().Format("15:04"), got)
	}
	if n := e.runEachMinute(at(9, 21), at(10, 40)); n != 0 {
		t.Errorf("the rest of the repeated hour queued %d", n)
	}
	if st := e.job.Status(); st.Gap != nil {
		t.Errorf("gap %+v after a backward step", st.Gap)
	}
}

// TestJobBackwardAcrossRestart: the process starts with the clock behind
// the stored mark (fake-hwclock restored an old time).
func TestJobBackwardAcrossRestart(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	at := func(h, m int) time.Time { return time.Date(2026, 11, 22, h, m, 0, 0, seoul) }
	e := newEnv(t, at(10, 0))
	e.events = []calendar.Event{ev("A", at(10, 30))}
	e.runEachMinute(at(10, 0), at(10, 40))
	e.clock.Step(-time.Hour)
	e.restart()
	if n := e.run(at(9, 41)); n != 0 {
		t.Errorf("queued %d after restarting an hour back", n)
	}
	// Across a restart the step shows only against the mark (10:41), as at
	// least the minutes between.
	if st := e.job.Status(); st.Jump == nil || st.Jump.Seconds != -59*60 {
		t.Errorf("jump %+v, want -3540 s", st.Jump)
	}
	if n := e.runEachMinute(at(9, 42), at(10, 45)); n != 0 {
		t.Errorf("queued %d in the repeated hour", n)
	}
}

func TestJobDeletedNotRequeued(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	at := func(h, m int) time.Time { return time.Date(2026, 11, 22, h, m, 0, 0, seoul) }
	e := newEnv(t, at(10, 0))
	e.events = []calendar.Event{ev("A", at(10, 30))}
	e.run(at(10, 0))
	if found, err := e.queue.Delete(e.activeIDs()[0]); !found || err != nil {
		t.Fatal(found, err)
	}
	e.restart()
	if n := e.run(at(10, 0).Add(30 * time.Second)); n != 0 {
		t.Errorf("deleted reminder queued again")
	}
}

// TestJobListError: a failed run does not advance the mark, so the next
// covers its minute.
func TestJobListError(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	at := func(h, m int) time.Time { return time.Date(2026, 11, 22, h, m, 0, 0, seoul) }
	e := newEnv(t, at(10, 0))
	e.events = []calendar.Event{ev("A", at(10, 31))}
	e.run(at(10, 0))
	fail := errors.New("store unreadable")
	e.job.list = func(w Window) ([]Due, error) { return nil, fail }
	advanceTo(e.clock, at(10, 1))
	if err := e.job.Run(t.Context()); !errors.Is(err, fail) {
		t.Fatalf("Run = %v, want the lister's error", err)
	}
	if st := e.job.Status(); st.Error == "" || !st.To.Equal(at(10, 1)) {
		t.Errorf("status after failure %+v", st)
	}
	e.job.list = func(w Window) ([]Due, error) { return EventDues(e.events, w, e.rules), nil }
	if n := e.run(at(10, 2)); n != 1 {
		t.Errorf("run after the failure queued %d, want 1", n)
	}
}

// TestJobCrashBetweenWrites: a crash left the notification queued but not
// its marker. The next run writes the marker and leaves the notification
// as it was.
func TestJobCrashBetweenWrites(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	at := func(h, m int) time.Time { return time.Date(2026, 11, 22, h, m, 0, 0, seoul) }
	e := newEnv(t, at(10, 0))
	e.events = []calendar.Event{ev("A", at(10, 30))}
	w, _ := Plan(at(10, 0), time.Time{}, 10*time.Minute)
	due := EventDues(e.events, w, e.rules)
	if _, err := e.queue.put(Notification{ID: due[0].ID, Message: "written before the crash", Expire: at(10, 10).Unix(), Kind: KindEvent}); err != nil {
		t.Fatal(err)
	}
	e.restart()
	if n := e.run(at(10, 0).Add(20 * time.Second)); n != 0 {
		t.Errorf("queued %d, want 0", n)
	}
	got := e.queue.Active(e.clock.Now())
	if len(got) != 1 || got[0].Message != "written before the crash" || got[0].Created != at(10, 0).Unix() {
		t.Fatalf("queue %+v", got)
	}
	e.queue.Delete(got[0].ID)
	if n := e.run(at(10, 0).Add(40 * time.Second)); n != 0 {
		t.Errorf("queued %d after Delete: the marker was not written", n)
	}
}

// TestJobBadMark: an undecodable mark costs the catch-up, not the job.
func TestJobBadMark(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	at := func(h, m int) time.Time { return time.Date(2026, 11, 22, h, m, 0, 0, seoul) }
	e := newEnv(t, at(10, 0))
	e.events = []calendar.Event{ev("A", at(10, 30))}
	if err := cache.Set(e.store, markKey, "not a time", 0); err != nil {
		t.Fatal(err)
	}
	if n := e.run(at(10, 0)); n != 1 {
		t.Errorf("queued %d, want 1", n)
	}
}
