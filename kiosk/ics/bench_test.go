package ics

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"
)

// genFeed writes a feed of n events, the first series of them recurring,
// spread over 2026 in a few zones, each padded with a description of pad
// bytes. It is deterministic.
func genFeed(n, series, pad int) []byte {
	zones := []string{"Europe/Berlin", "America/New_York", "Asia/Seoul", "W. Europe Standard Time"}
	rules := []string{"FREQ=WEEKLY;BYDAY=MO,WE", "FREQ=DAILY;INTERVAL=2", "FREQ=MONTHLY;BYDAY=2TU", "FREQ=WEEKLY;COUNT=40", "FREQ=YEARLY"}
	desc := strings.Repeat("Bring shoes, water and a snack\\, please. ", pad/40+1)[:pad]
	var b bytes.Buffer
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kiosk bench//EN\r\nX-WR-CALNAME:Bench\r\n")
	base := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := range n {
		start := base.Add(time.Duration(i*7919%(365*24)) * time.Hour)
		zone := zones[i%len(zones)]
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:bench-%d@example.test\r\nDTSTAMP:20260101T000000Z\r\n", i)
		if i%10 == 9 {
			fmt.Fprintf(&b, "DTSTART;VALUE=DATE:%s\r\nDTEND;VALUE=DATE:%s\r\n", start.Format("20060102"), start.AddDate(0, 0, 1).Format("20060102"))
		} else {
			fmt.Fprintf(&b, "DTSTART;TZID=%s:%s\r\nDTEND;TZID=%s:%s\r\n", zone, start.Format("20060102T150405"), zone, start.Add(time.Hour).Format("20060102T150405"))
		}
		if i < series {
			fmt.Fprintf(&b, "RRULE:%s\r\nEXDATE;TZID=%s:%s\r\n", rules[i%len(rules)], zone, start.AddDate(0, 0, 14).Format("20060102T150405"))
		}
		fmt.Fprintf(&b, "SUMMARY:Event %d\r\nLOCATION:Room %d\r\n", i, i%40)
		if pad > 0 {
			writeFolded(&b, "DESCRIPTION:"+desc)
		}
		b.WriteString("BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\n")
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.Bytes()
}

// writeFolded folds a content line at 75 bytes, as producers do.
func writeFolded(b *bytes.Buffer, line string) {
	for len(line) > 75 {
		b.WriteString(line[:75])
		b.WriteString("\r\n ")
		line = line[75:]
	}
	b.WriteString(line)
	b.WriteString("\r\n")
}

func benchParseExpand(b *testing.B, data []byte) {
	loc := mustZone(b, "Asia/Seoul")
	from := time.Date(2026, 6, 1, 0, 0, 0, 0, loc)
	to := from.AddDate(0, 0, 7)

	peak := heapPeak()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	var feed *Feed
	var events int
	for b.Loop() {
		var err error
		feed, err = Parse(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		ev, truncated := feed.Expand(from, to, ExpandOptions{Calendar: "Bench", Loc: loc})
		if truncated {
			b.Fatal("truncated")
		}
		events = len(ev)
	}
	b.StopTimer()
	maxHeap := peak()
	runtime.ReadMemStats(&after)
	runtime.GC()
	var retained runtime.MemStats
	runtime.ReadMemStats(&retained)
	runtime.KeepAlive(feed)

	const mib = 1 << 20
	b.ReportMetric(float64(events), "events")
	b.ReportMetric(float64(maxHeap)/mib, "peak-heap-MiB")
	b.ReportMetric(float64(retained.HeapInuse)/mib, "heap-inuse-after-GC-MiB")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/mib, "alloc-MiB/op")
}

// heapPeak samples the heap's object bytes every millisecond until the
// returned function is called, which gives the largest seen. Sampling
// runtime/metrics does not stop the world as ReadMemStats does.
func heapPeak() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	done := make(chan struct{})
	var wg sync.WaitGroup
	var peak uint64
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// 5,000 events, 200 of them recurring, for a week: a busy family feed.
func BenchmarkParseExpand5000(b *testing.B) {
	benchParseExpand(b, genFeed(5000, 200, 0))
}

// 20,000 events in 10 MB: a workplace calendar exported with descriptions.
func BenchmarkParseExpand10MB(b *testing.B) {
	bare := len(genFeed(20_000, 400, 0))
	data := genFeed(20_000, 400, (10<<20-bare)/20_000+1)
	if len(data) < 10<<20 {
		b.Fatalf("feed is %d bytes", len(data))
	}
	benchParseExpand(b, data)
}

// Expanding an already parsed feed, as Source does after a 304.
func BenchmarkExpandOnly5000(b *testing.B) {
	feed, err := Parse(bytes.NewReader(genFeed(5000, 200, 0)))
	if err != nil {
		b.Fatal(err)
	}
	loc := mustZone(b, "Asia/Seoul")
	from := time.Date(2026, 6, 1, 0, 0, 0, 0, loc)
	b.ReportAllocs()
	for b.Loop() {
		feed.Expand(from, from.AddDate(0, 0, 7), ExpandOptions{Calendar: "Bench", Loc: loc})
	}
}

// Rules whose filters never match: the era shift keeps each to a few
// milliseconds instead of a search to the year 9999.
func BenchmarkExpandImpossibleRules(b *testing.B) {
	var feed strings.Builder
	feed.WriteString("BEGIN:VCALENDAR\n")
	for i, r := range []string{"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=HOURLY;BYMONTH=4;BYMONTHDAY=31", "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30", "FREQ=DAILY;INTERVAL=7;BYDAY=MO"} {
		fmt.Fprintf(&feed, "BEGIN:VEVENT\nUID:%d\nDTSTART:20100302T100000Z\nRRULE:%s\nEND:VEVENT\n", i, r)
	}
	feed.WriteString("END:VCALENDAR\n")
	f, err := Parse(strings.NewReader(feed.String()))
	if err != nil {
		b.Fatal(err)
	}
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if ev, _ := f.Expand(from, from.AddDate(0, 0, 7), ExpandOptions{}); len(ev) != 0 {
			b.Fatalf("%d events", len(ev))
		}
	}
}

// A parameter whose quote never closes, followed by 100,000 lines without
// a name: each is a raw line break of the one before, which must cost one
// pass over the line, not one per break.
func BenchmarkParseRawBreaks(b *testing.B) {
	feed := "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20260302T100000Z\nX-TITLE;X=\"open\n" +
		strings.Repeat("no name on this line\n", 100_000) + "END:VEVENT\nEND:VCALENDAR\n"
	b.SetBytes(int64(len(feed)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := Parse(strings.NewReader(feed))
		if err != nil || len(f.events) != 1 {
			b.Fatalf("%v, %d events", err, len(f.events))
		}
	}
}
