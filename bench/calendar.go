package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// Calendar sizes: the 2,000 events.
const (
	dailySeries  = 50   // RRULE:FREQ=DAILY, open-ended, Asia/Seoul times
	singleEvents = 1500 // timed, one-off, spread over ±90 days
	allDayEvents = 445  // one-day all-day events, spread over ±90 days
	dueEvents    = 5    // start 10 min after now with a 10-minute VALARM: due during the run
	totalEvents  = dailySeries + singleEvents + allDayEvents + dueEvents
)

// dueSpacing is how far apart the due reminders fall, from now on.
const dueSpacing = 10 * time.Second

var titles = []string{
	"치과 예약", "아침 운동", "Piano lesson", "팀 회의", "Parent-teacher meeting", "장보기",
	"수영 강습", "Book club", "병원 정기검진", "Team stand-up", "가족 저녁 식사", "Soccer practice",
	"재활용 수거일", "Violin", "영어 학원", "Dentist (Dr. Example)", "생일 파티", "Car service",
}

var places = []string{"", "", "", "한강공원", "Room 3", "서울역", "Example Clinic, 2F", "학교 강당"}

// writeCalendar writes an ICS feed of totalEvents VEVENTs around now. The
// contents are fake but shaped like a family's exported calendar: a few
// dozen daily routines, many one-off events and all-day days, and five
// events whose reminders come due during the benchmark.
func writeCalendar(w io.Writer, now time.Time, loc *time.Location) error {
	r := rand.New(rand.NewPCG(1, 2)) // same calendar every run
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kiosk bench//EN\r\nX-WR-CALNAME:Big\r\n")
	stamp := now.UTC().Format("20060102T150405Z")
	event := func(uid string, lines ...string) {
		b.WriteString("BEGIN:VEVENT\r\nUID:" + uid + "@bench.example.test\r\nDTSTAMP:" + stamp + "\r\n")
		for _, l := range lines {
			b.WriteString(l + "\r\n")
		}
		b.WriteString("END:VEVENT\r\n")
	}
	summary := func() string {
		t := titles[r.IntN(len(titles))]
		if p := places[r.IntN(len(places))]; p != "" {
			return "SUMMARY:" + t + "\r\nLOCATION:" + strings.ReplaceAll(p, ",", `\,`)
		}
		return "SUMMARY:" + t
	}
	local := func(t time.Time) string { return t.In(loc).Format("20060102T150405") }
	start := now.In(loc).AddDate(0, 0, -60)
	for i := range dailySeries {
		// 06:00 to 22:00 local, on quarter hours.
		at := time.Date(start.Year(), start.Month(), start.Day(), 6+i%17, 15*(i%4), 0, 0, loc)
		event(fmt.Sprintf("daily-%d", i),
			"DTSTART;TZID="+loc.String()+":"+local(at),
			fmt.Sprintf("DURATION:PT%dM", 15+15*(i%4)),
			"RRULE:FREQ=DAILY",
			"SUMMARY:"+titles[i%len(titles)]+" (매일)")
	}
	for i := range singleEvents {
		at := now.Add(time.Duration(r.IntN(180*24*4)-90*24*4) * 15 * time.Minute).UTC().Truncate(15 * time.Minute)
		event(fmt.Sprintf("single-%d", i),
			"DTSTART:"+at.Format("20060102T150405Z"),
			"DTEND:"+at.Add(time.Duration(1+r.IntN(3))*30*time.Minute).Format("20060102T150405Z"),
			summary(),
			"DESCRIPTION:"+strings.Repeat("Fake notes for the benchmark. ", 1+r.IntN(4)))
	}
	for i := range allDayEvents {
		day := now.In(loc).AddDate(0, 0, r.IntN(181)-90)
		event(fmt.Sprintf("allday-%d", i),
			"DTSTART;VALUE=DATE:"+day.Format("20060102"),
			"DTEND;VALUE=DATE:"+day.AddDate(0, 0, 1).Format("20060102"),
			summary())
	}
	for i := range dueEvents {
		at := now.Add(10*time.Minute + time.Duration(i)*dueSpacing).UTC().Truncate(time.Second)
		event(fmt.Sprintf("due-%d", i),
			"DTSTART:"+at.Format("20060102T150405Z"),
			"DURATION:PT30M",
			fmt.Sprintf("SUMMARY:Reminder due %d", i+1),
			"BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:reminder", "TRIGGER:-PT10M", "END:VALARM")
	}
	b.WriteString("END:VCALENDAR\r\n")
	_, err := io.WriteString(w, b.String())
	return err
}
