package telegram

import (
	"fmt"
	"strings"
	"time"

	"kiosk/kiosk/calendar"
	"kiosk/kiosk/srt"
)

// Day lists the events and trains of the local day holding day (in its
// location), as /today and /tomorrow answer. Events are sorted by start.
func Day(day time.Time, events []calendar.Event, trains []srt.Reservation, locale string) string {
	loc := day.Location()
	y, m, d := day.Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, loc)
	to := from.AddDate(0, 0, 1)
	var b strings.Builder
	if locale == "en" {
		b.WriteString(from.Format("Mon 2 Jan"))
	} else {
		fmt.Fprintf(&b, "%d월 %d일 (%s)", m, d, []string{"일", "월", "화", "수", "목", "금", "토"}[from.Weekday()])
	}
	n := 0
	for _, e := range events {
		if e.AllDay {
			// All-day events are dates: compare the date, not the instant.
			sy, sm, sd := e.Start.Date()
			ey, em, ed := e.End.Date()
			start := time.Date(sy, sm, sd, 0, 0, 0, 0, loc)
			end := time.Date(ey, em, ed, 0, 0, 0, 0, loc)
			if !end.After(start) {
				end = start.AddDate(0, 0, 1)
			}
			if start.Before(to) && end.After(from) {
				fmt.Fprintf(&b, "\n• %s %s", allDay(locale), e.Summary)
				n++
			}
			continue
		}
		if e.Overlaps(from, to) {
			fmt.Fprintf(&b, "\n• %s %s", e.Start.In(loc).Format("15:04"), e.Summary)
			if e.Location != "" {
				fmt.Fprintf(&b, " (%s)", e.Location)
			}
			n++
		}
	}
	for _, r := range trains {
		if !r.Departure.Before(from) && r.Departure.Before(to) {
			fmt.Fprintf(&b, "\n🚄 %s %s %s→%s", r.Departure.In(loc).Format("15:04"), r.Train, r.DepartureStation, r.ArrivalStation)
			if r.Car != "" {
				fmt.Fprintf(&b, " %s-%s", r.Car, r.Seat)
			}
			n++
		}
	}
	if n == 0 {
		if locale == "en" {
			b.WriteString("\nNothing planned.")
		} else {
			b.WriteString("\n일정이 없어요.")
		}
	}
	return b.String()
}

func allDay(locale string) string {
	if locale == "en" {
		return "all day"
	}
	return "종일"
}
