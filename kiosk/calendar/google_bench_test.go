package calendar

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"time"

	gcal "google.golang.org/api/calendar/v3"
)

// benchPages builds n events as events.list pages of pageSize, in the wire
// format Google sends for the source's fields: a mix of timed and all-day
// events, reminders and colors.
func benchPages(b *testing.B, n int, loc *time.Location) map[string][]byte {
	b.Helper()
	pages := map[string][]byte{}
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, loc)
	for p := 0; p*pageSize < n; p++ {
		page := &gcal.Events{
			Kind:             "calendar#events",
			Summary:          "Family",
			TimeZone:         loc.String(),
			DefaultReminders: []*gcal.EventReminder{{Method: "popup", Minutes: 30}},
		}
		for i := p * pageSize; i < min(n, (p+1)*pageSize); i++ {
			at := start.Add(time.Duration(i) * 8 * time.Minute)
			it := &gcal.Event{
				Id:       fmt.Sprintf("bench%06d_%s", i, at.UTC().Format("20060102T150405Z")),
				Status:   "confirmed",
				Summary:  fmt.Sprintf("Event number %d", i),
				Location: "Community centre, room 2",
				Start:    &gcal.EventDateTime{DateTime: at.Format(time.RFC3339), TimeZone: loc.String()},
				End:      &gcal.EventDateTime{DateTime: at.Add(45 * time.Minute).Format(time.RFC3339), TimeZone: loc.String()},
				Reminders: &gcal.EventReminders{UseDefault: i%3 == 0,
					Overrides: []*gcal.EventReminder{{Method: "popup", Minutes: 10}, {Method: "email", Minutes: 1440}}},
			}
			if i%3 == 0 {
				it.Reminders.Overrides = nil
			}
			if i%10 == 0 {
				d := at.Format(time.DateOnly)
				it.Start = &gcal.EventDateTime{Date: d}
				it.End = &gcal.EventDateTime{Date: at.AddDate(0, 0, 1).Format(time.DateOnly)}
			}
			if i%7 == 0 {
				it.ColorId = "9"
			}
			page.Items = append(page.Items, it)
		}
		if (p+1)*pageSize < n {
			page.NextPageToken = fmt.Sprintf("page-%d", p+2)
		}
		body, err := json.Marshal(page)
		if err != nil {
			b.Fatal(err)
		}
		token := ""
		if p > 0 {
			token = fmt.Sprintf("page-%d", p+1)
		}
		pages[token] = body
	}
	return pages
}

// BenchmarkGoogleEvents syncs 2,500 events (ten pages) from the fake over
// loopback HTTP through the real client: decode, convert, color. The fake
// server runs in the same process, so its work is in the figures too.
func BenchmarkGoogleEvents(b *testing.B) {
	const n = 2500
	f := newFakeGoogle(b)
	seoul := mustLoad(b, "Asia/Seoul")
	f.pages = benchPages(b, n, seoul)
	g := newTestGoogle(b, f, nil)
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, seoul)
	to := from.AddDate(0, 0, 30)
	ctx := context.Background()

	fetch := func() []Event {
		events, err := g.Events(ctx, from, to)
		if err != nil {
			b.Fatal(err)
		}
		if len(events) != n {
			b.Fatalf("got %d events, want %d", len(events), n)
		}
		return events
	}
	fetch() // token and palette are cached from here on

	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		fetch()
	}
	b.StopTimer()

	peak, kept := heapDuring(func() any { return fetch() })
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(kept)/(1<<10), "result-KiB")
}

// heapDuring runs f once and returns the highest heap in use above the
// starting point, sampled every 200µs, and what f's result keeps live
// after a GC.
func heapDuring(f func() any) (peak, kept uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		var m runtime.MemStats
		top := base
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				done <- top
				return
			case <-tick.C:
				runtime.ReadMemStats(&m)
				top = max(top, m.HeapAlloc)
			}
		}
	}()
	result := f()
	close(stop)
	top := <-done
	runtime.GC()
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(result)
	return top - base, ms.HeapAlloc - min(ms.HeapAlloc, base)
}
