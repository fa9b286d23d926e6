package remind

import (
	"errors"
	"testing"
	"time"

	"kiosk/kiosk/calendar"
)

// The hook sees every notification before the queue stores it, including
// the reminders the job queues; its error stops the add.
func TestOnAccept(t *testing.T) {
	seoul := mustLoad(t, "Asia/Seoul")
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, seoul)
	e := newEnv(t, now)
	var seen []string
	var fail error
	e.queue.OnAccept(func(n Notification) error {
		if e.queue.has(n.ID) && n.ID != "cu-again" {
			t.Errorf("%s was stored before the hook saw it", n.ID)
		}
		seen = append(seen, n.ID+" "+n.Kind)
		return fail
	})
	n := Custom(now, e.cfg, "저녁 먹자")
	n.ID = "cu-again"
	if _, err := e.queue.Add(n); err != nil {
		t.Fatal(err)
	}
	if _, err := e.queue.Add(n); err != nil { // replaced in place: the hook sees it again
		t.Fatal(err)
	}
	e.events = []calendar.Event{ev("Dentist", now.Add(30*time.Minute))}
	e.run(now)
	fail = errors.New("outbox full")
	n.ID = "cu-refused"
	if _, err := e.queue.Add(n); err == nil {
		t.Error("Add succeeded although the hook failed")
	}
	if e.queue.has("cu-refused") {
		t.Error("a refused notification was queued")
	}
	if len(seen) != 4 || seen[0] != "cu-again custom" || seen[2][len(seen[2])-5:] != "event" {
		t.Errorf("hook saw %q, want the message twice, the reminder, the refused one", seen)
	}
}
