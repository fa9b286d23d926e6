package remind

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"kiosk/kiosk/calendar"
)

// benchEvents is n event instances, one a minute from start, a third with
// their own two reminders, the rest on the default, every 50th all-day.
func benchEvents(start time.Time, n int) []calendar.Event {
	events := make([]calendar.Event, n)
	for i := range events {
		s := start.Add(time.Duration(i) * time.Minute)
		events[i] = calendar.Event{ID: fmt.Sprintf("evt-%05d", i), Calendar: "family", Summary: "Event",
			Start: s, End: s.Add(time.Hour)}
		switch {
		case i%50 == 0:
			events[i].AllDay = true
			events[i].Reminders = []int{600}
		case i%3 == 0:
			events[i].Reminders = []int{10, 60}
		}
	}
	return events
}

// BenchmarkScan is one run's pure work over 10,000 event instances: plan
// the window, list the reminders due in it, scan them.
func BenchmarkScan(b *testing.B) {
	seoul := mustLoad(b, "Asia/Seoul")
	start := time.Date(2026, 11, 22, 0, 0, 0, 0, seoul)
	events := benchEvents(start, 10000)
	r := EventRules{DefaultMinutes: 30, Location: seoul, Locale: "ko"}
	now := start.Add(3 * 24 * time.Hour)
	last := now.Add(-time.Minute)
	b.ReportAllocs()
	due := 0
	for b.Loop() {
		w, _ := Plan(now, last, 10*time.Minute)
		due = len(Scan(w, EventDues(events, w, r)))
	}
	if due == 0 {
		b.Fatal("nothing due: the benchmark measures nothing")
	}
}

// BenchmarkJobRun is a whole run over 10,000 instances with an in-memory
// store: read the mark, scan, check markers, write the mark.
func BenchmarkJobRun(b *testing.B) {
	seoul := mustLoad(b, "Asia/Seoul")
	start := time.Date(2026, 11, 22, 0, 0, 0, 0, seoul)
	e := newEnv(b, start)
	e.events = benchEvents(start, 10000)
	advanceTo(e.clock, start.Add(3*24*time.Hour))
	if err := e.job.Run(b.Context()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := e.job.Run(b.Context()); err != nil { // same minute: all markers hit
			b.Fatal(err)
		}
	}
}

func benchQueue(b *testing.B) (*env, time.Time) {
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	e := newEnv(b, start)
	for i := range 20 {
		n := Notification{ID: fmt.Sprintf("ev-%024d", i), Message: "11-22 10:30\nDentist appointment\n일정이 30분 후 시작합니다.",
			Expire: start.Add(time.Hour).Unix(), DisplayTime: 30, Kind: KindEvent, Sound: true}
		if _, err := e.queue.Add(n); err != nil {
			b.Fatal(err)
		}
	}
	return e, start
}

// BenchmarkActive is the page's poll on an unchanged queue of 20: what the
// handler does with JSON (cached bytes and tag), and with Active and its
// own encoding.
func BenchmarkActive(b *testing.B) {
	b.Run("JSON", func(b *testing.B) {
		e, now := benchQueue(b)
		b.ReportAllocs()
		for b.Loop() {
			body, tag := e.queue.JSON(now)
			if len(body) == 0 || tag == "" {
				b.Fatal("empty")
			}
		}
	})
	b.Run("Active+Marshal", func(b *testing.B) {
		e, now := benchQueue(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(e.queue.Active(now)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("JSON after a change", func(b *testing.B) {
		e, now := benchQueue(b)
		b.ReportAllocs()
		for b.Loop() {
			e.queue.mu.Lock()
			e.queue.fresh = false
			e.queue.mu.Unlock()
			e.queue.JSON(now)
		}
	})
}
