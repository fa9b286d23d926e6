package remind

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNotificationJSON(t *testing.T) {
	b, err := json.Marshal([]Notification{{ID: "ev-1", Message: "11-22 10:00\nDentist\nStarts in 30 minutes.",
		Expire: 1795316400, DisplayTime: 30, Kind: KindEvent, Sound: true, Created: 1795315800}})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"id":"ev-1","message":"11-22 10:00\nDentist\nStarts in 30 minutes.","expire":1795316400,"display_time":30,"show_notiboard":false,"kind":"event","sound":true,"created":1795315800}]`
	if string(b) != want {
		t.Errorf("JSON\n%s\nwant\n%s", b, want)
	}
}

func note(id string, expire time.Time) Notification {
	return Notification{ID: id, Message: "m " + id, Expire: expire.Unix(), DisplayTime: 30, Kind: KindCustom, Sound: true}
}

func ids(ns []Notification) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.ID)
	}
	return out
}

func TestQueue(t *testing.T) {
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, start)
	q, c := e.queue, e.clock

	body, tag0 := q.JSON(c.Now())
	if string(body) != "[]" {
		t.Errorf("empty queue JSON = %s, want []", body)
	}
	for i, id := range []string{"c", "a", "b"} { // oldest first is insertion order, not ID order
		if _, err := q.Add(note(id, start.Add(time.Duration(10+i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	_, tag1 := q.JSON(c.Now())
	if tag1 == tag0 {
		t.Error("ETag unchanged after Add")
	}
	if got := ids(q.Active(c.Now())); !slices.Equal(got, []string{"c", "a", "b"}) {
		t.Errorf("Active = %v, want oldest first [c a b]", got)
	}

	// Replacing an ID keeps its place and changes the ETag.
	repl := note("c", start.Add(time.Hour))
	repl.Message = "changed"
	q.Add(repl)
	got := q.Active(c.Now())
	if !slices.Equal(ids(got), []string{"c", "a", "b"}) || got[0].Message != "changed" {
		t.Errorf("after replacing c: %v %q", ids(got), got[0].Message)
	}
	_, tag2 := q.JSON(c.Now())
	if tag2 == tag1 {
		t.Error("ETag unchanged after replacing a notification")
	}

	// Unchanged queue: same bytes, same tag.
	c.Add(11*time.Minute - time.Second)
	body3, tag3 := q.JSON(c.Now())
	if tag3 != tag2 {
		t.Error("ETag changed though nothing did")
	}
	// a expires at 10:11, so at 10:11:00 it is gone.
	c.Add(time.Second)
	if got := ids(q.Active(c.Now())); !slices.Equal(got, []string{"c", "b"}) {
		t.Errorf("Active at a's expiry = %v, want [c b]", got)
	}
	body4, tag4 := q.JSON(c.Now())
	if tag4 == tag3 || string(body4) == string(body3) {
		t.Error("ETag or body unchanged after an expiry")
	}

	// A new queue over the same store has the same list and the same tag.
	q2, err := NewQueue(e.store)
	if err != nil {
		t.Fatal(err)
	}
	if _, tag := q2.JSON(c.Now()); tag != tag4 {
		t.Errorf("reloaded queue tag %s, want %s", tag, tag4)
	}

	found, err := q.Delete("b")
	if err != nil || !found {
		t.Fatalf("Delete(b) = %v, %v", found, err)
	}
	if found, err := q.Delete("b"); err != nil || found {
		t.Errorf("Delete(b) again = %v, %v, want not found", found, err)
	}
	if got := ids(q.Active(c.Now())); !slices.Equal(got, []string{"c"}) {
		t.Errorf("after Delete: %v", got)
	}
	if _, tag := q.JSON(c.Now()); tag == tag4 {
		t.Error("ETag unchanged after Delete")
	}
	if err := q.Clear(); err != nil {
		t.Fatal(err)
	}
	if got := q.Active(c.Now()); len(got) != 0 {
		t.Errorf("after Clear: %v", ids(got))
	}
	if body, tag := q.JSON(c.Now()); string(body) != "[]" || tag != tag0 {
		t.Errorf("after Clear: %s %s, want [] %s", body, tag, tag0)
	}
	q3, _ := NewQueue(e.store)
	if got := q3.Active(c.Now()); len(got) != 0 {
		t.Errorf("Clear did not reach the store: %v", ids(got))
	}
}

func TestQueueAdd(t *testing.T) {
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, start)
	n, err := e.queue.Add(Notification{Message: "Dinner is ready", Expire: start.Add(time.Minute).Unix(), DisplayTime: 20})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(n.ID, "cu-") || n.Kind != KindCustom || n.Created != start.Unix() {
		t.Errorf("Add filled in id %q kind %q created %d", n.ID, n.Kind, n.Created)
	}
	n2, _ := e.queue.Add(Notification{Message: "again", Expire: start.Add(time.Minute).Unix()})
	if n2.ID == n.ID {
		t.Error("two custom notifications got the same ID")
	}
	if _, err := e.queue.Add(Notification{ID: "old", Expire: start.Unix()}); !errors.Is(err, ErrExpired) {
		t.Errorf("Add of an expired notification: %v, want ErrExpired", err)
	}
	if got := ids(e.queue.Active(start)); !slices.Equal(got, []string{n.ID, n2.ID}) {
		t.Errorf("Active = %v", got)
	}
	// The copy is the caller's.
	a := e.queue.Active(start)
	a[0].Message = "scribbled"
	if e.queue.Active(start)[0].Message != "Dinner is ready" {
		t.Error("Active returned the queue's own slice")
	}
}

// TestQueueClockBack: a small step back keeps the queue and its order; a
// large one drops what was created in the time that now repeats (it was
// shown then), and what is dropped stays dropped.
func TestQueueClockBack(t *testing.T) {
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, start)
	e.queue.Add(note("before", start.Add(3*time.Hour)))
	e.clock.Step(-30 * time.Second)
	e.queue.Add(note("after", start.Add(3*time.Hour)))
	q2, _ := NewQueue(e.store)
	if got := ids(q2.Active(e.clock.Now())); !slices.Equal(got, []string{"before", "after"}) {
		t.Errorf("after 30 s back: %v, want [before after]", got)
	}
	e.clock.Step(-time.Hour)
	e.queue.Add(note("new", start.Add(3*time.Hour)))
	if got := ids(e.queue.Active(e.clock.Now())); !slices.Equal(got, []string{"new"}) {
		t.Errorf("after an hour back: %v, want [new]", got)
	}
	e.clock.Step(time.Hour)
	if got := ids(e.queue.Active(e.clock.Now())); !slices.Equal(got, []string{"new"}) {
		t.Errorf("after stepping forward again: %v, want [new]", got)
	}
	q3, _ := NewQueue(e.store)
	if got := ids(q3.Active(e.clock.Now())); !slices.Equal(got, []string{"new"}) {
		t.Errorf("after a restart: %v, want [new]", got)
	}
}
