package remind

import (
	"bufio"
	"fmt"
	"kiosk/kiosk/clock"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/calendar"
	"kiosk/kiosk/config"
)

const killPerMinute = 20

var killStart = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// killEvents lists, for each minute of w, killPerMinute events whose
// default reminder falls in it.
func killEvents(w Window) []calendar.Event {
	var out []calendar.Event
	for m := w.From; m.Before(w.To); m = m.Add(time.Minute) {
		for i := range killPerMinute {
			out = append(out, calendar.Event{ID: fmt.Sprintf("e%s-%d", m.Format("1504"), i), Calendar: "family",
				Summary: "test", Start: m.Add(30 * time.Minute), End: m.Add(time.Hour)})
		}
	}
	return out
}

// killIDs are the reminder IDs due in minute i after killStart.
func killIDs(i int) []string {
	m := killStart.Add(time.Duration(i) * time.Minute)
	w := Window{From: m, To: m.Add(time.Minute), Now: m}
	var ids []string
	for _, d := range EventDues(killEvents(w), w, killRules) {
		ids = append(ids, d.ID)
	}
	return ids
}

var killRules = EventRules{DefaultMinutes: 30, Location: time.UTC, Locale: "en"}

func openKillJob(t testing.TB, dir string, c *clock.Fake) (*cache.Store, *Queue, *Job) {
	store, err := cache.Open(dir, c.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	q, err := NewQueue(store)
	if err != nil {
		t.Fatal(err)
	}
	job := NewJob(q, config.Reminders{ExpireMinutes: 1440, DisplaySeconds: 30, CatchUpMinutes: 10},
		func(w Window) ([]Due, error) { return EventDues(killEvents(w), w, killRules), nil }, nil)
	job.mono = c.Elapsed
	return store, q, job
}

// TestKillDuringRuns runs the job minute after minute in a child process
// over an on-disk store, kills it with SIGKILL, and checks that a new
// process has every notification the child acknowledged, completes the
// minute it was killed in, and queues none twice.
func TestKillDuringRuns(t *testing.T) {
	if dir := os.Getenv("REMIND_KILL_CHILD"); dir != "" {
		c := clock.New(killStart)
		_, _, job := openKillJob(t, dir, c)
		for i := range 1000 {
			advanceTo(c, killStart.Add(time.Duration(i)*time.Minute))
			if err := job.Run(t.Context()); err != nil {
				fmt.Println("run:", err)
				os.Exit(1)
			}
			fmt.Println(i) // every reminder due in minute i is queued
		}
		fmt.Println("done")
		os.Exit(0)
	}

	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillDuringRuns$")
	cmd.Env = append(os.Environ(), "REMIND_KILL_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	last, killed := -1, false
	for sc.Scan() { // read on after the kill: lines already written were acknowledged
		n, err := strconv.Atoi(sc.Text())
		if err != nil {
			cmd.Process.Kill()
			t.Fatalf("child: %s", sc.Text())
		}
		last = n
		if n == 30 && !killed {
			// Somewhere in the next run: before, among or after its writes.
			time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
			cmd.Process.Kill()
			killed = true
		}
	}
	cmd.Wait()
	if !killed || last < 30 {
		t.Fatalf("child acknowledged only minute %d", last)
	}
	t.Logf("killed after minute %d was acknowledged", last)

	c := clock.New(killStart.Add(time.Duration(last+1)*time.Minute + 20*time.Second))
	store, q, job := openKillJob(t, dir, c)
	defer store.Close()
	if store.Recovered() != "" {
		t.Fatal("store was moved aside, want a clean reopen")
	}
	before := map[string]bool{}
	for _, n := range q.Active(c.Now()) {
		if before[n.ID] {
			t.Fatalf("%s queued twice", n.ID)
		}
		before[n.ID] = true
	}
	for i := 0; i <= last; i++ {
		for _, id := range killIDs(i) {
			if !before[id] {
				t.Fatalf("acknowledged reminder %s of minute %d lost", id, i)
			}
		}
	}
	// The minute the child was killed in may be partly queued.
	missing := 0
	for _, id := range killIDs(last + 1) {
		if !before[id] {
			missing++
		}
	}
	t.Logf("%d of minute %d's %d reminders were not yet queued", missing, last+1, killPerMinute)
	if err := job.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := job.Status().Queued; got != missing {
		t.Errorf("first run after the kill queued %d, want %d (those of minute %d not yet queued)", got, missing, last+1)
	}
	after := q.Active(c.Now())
	if want := (last + 2) * killPerMinute; len(after) != want {
		t.Errorf("%d active after the run, want %d", len(after), want)
	}
	seen := map[string]bool{}
	for _, n := range after {
		if seen[n.ID] {
			t.Errorf("%s queued twice", n.ID)
		}
		seen[n.ID] = true
	}
}
