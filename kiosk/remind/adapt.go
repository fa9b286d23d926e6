package remind

import (
	"strconv"
	"time"

	"kiosk/kiosk/calendar"
	"kiosk/kiosk/srt"
)

// EventRules say which reminders events get and how messages read.
type EventRules struct {
	// DefaultMinutes is the reminder of a timed event that has none of its
	// own (reminders.default_minutes); 0 gives them none. All-day events
	// never get it.
	DefaultMinutes int
	Location       *time.Location
	Locale         string // "ko" or "en"
}

// EventDues returns the reminders of events whose time falls in w. Each
// reminder is At = start − minutes; for an all-day event, start is local
// midnight of its first day. Minutes are exact durations, so on a DST day
// "60 minutes before 03:30" is 60 real minutes before.
//
// Only reminders in w get an ID and a message built, so a run over
// thousands of events allocates for the few that are due.
func EventDues(events []calendar.Event, w Window, r EventRules) []Due {
	var out []Due
	def := [1]int{r.DefaultMinutes}
	from, to := w.From.UnixNano(), w.To.UnixNano() // integer compares: this loop sees every event
	for i := range events {
		e := &events[i]
		start := e.Start
		if e.AllDay {
			start = midnight(e.Start, r.Location)
		}
		mins := e.Reminders
		if len(mins) == 0 && !e.AllDay && r.DefaultMinutes > 0 {
			mins = def[:]
		}
		startNs := start.UnixNano()
		for _, m := range mins {
			if m < 0 {
				continue
			}
			if at := startNs - int64(m)*int64(time.Minute); at < from || at >= to {
				continue
			}
			at := start.Add(-time.Duration(m) * time.Minute)
			out = append(out, Due{
				ID:       makeID("ev-", e.Calendar, e.ID, unixNano(start), strconv.Itoa(m)),
				At:       at,
				NotAfter: start,
				Kind:     KindEvent,
				Message:  eventMessage(e, start, w, r),
			})
		}
	}
	return out
}

func midnight(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// eventMessage is "MM-DD HH:MM\nTitle\nStarts in 30 minutes." in the
// configured zone and locale; an all-day event shows only "MM-DD". The lead
// time is counted from the run's minute to the start, so a reminder caught
// up late says how long is really left.
func eventMessage(e *calendar.Event, start time.Time, w Window, r EventRules) string {
	when := start.In(r.Location).Format("01-02 15:04")
	if e.AllDay {
		when = when[:5]
	}
	title := e.Summary
	if title == "" {
		title = pick(r.Locale, "(제목 없음)", "(No title)")
	}
	return when + "\n" + title + "\n" + startsIn(r.Locale, wholeMinutes(start.Sub(w.Minute())))
}

// startsIn says "일정이 30분 후 시작합니다." / "Starts in 30 minutes.": in days
// when the minutes are whole days, in hours when whole hours, and "now"
// for 0.
func startsIn(locale string, m int) string {
	if m == 0 {
		return pick(locale, "일정이 지금 시작합니다.", "Starts now.")
	}
	return pick(locale, "일정이 "+span(locale, m)+" 후 시작합니다.", "Starts in "+span(locale, m)+".")
}

// span says a number of minutes: "2시간", "2 hours", "1일", "1 day",
// "90분", "90 minutes".
func span(locale string, m int) string {
	n, ko, en := m, "분", "minute"
	switch {
	case m%1440 == 0:
		n, ko, en = m/1440, "일", "day"
	case m%60 == 0:
		n, ko, en = m/60, "시간", "hour"
	}
	s := strconv.Itoa(n)
	if locale == "en" {
		if n != 1 {
			en += "s"
		}
		return s + " " + en
	}
	return s + ko
}

func pick(locale, ko, en string) string {
	if locale == "en" {
		return en
	}
	return ko
}

// TrainRules say which reminders reservations get and how messages read.
type TrainRules struct {
	// BeforeMinutes is the departure reminder
	// (trains.srt.remind_before_minutes); 0 turns it off.
	BeforeMinutes int
	// PaymentMinutes is the unpaid-hold reminder before the payment
	// deadline (trains.srt.payment_remind_minutes); 0 turns it off.
	PaymentMinutes int
	Location       *time.Location
	Locale         string

	// DepartureMessage and PaymentMessage, if set, replace the built-in
	// texts; left is the time from the run's minute to the departure or
	// deadline.
	DepartureMessage func(r srt.Reservation, left time.Duration) string
	PaymentMessage   func(r srt.Reservation, left time.Duration) string
}

// TrainDues returns the departure reminders of reservations, and the
// payment reminders of unpaid holds with a deadline, whose time falls in
// w. A standby (no seat yet) gets neither.
func TrainDues(rs []srt.Reservation, w Window, r TrainRules) []Due {
	var out []Due
	for i := range rs {
		res := &rs[i]
		if res.Standby {
			continue
		}
		if r.BeforeMinutes > 0 && !res.Departure.IsZero() {
			at := res.Departure.Add(-time.Duration(r.BeforeMinutes) * time.Minute)
			if w.Contains(at) {
				left := res.Departure.Sub(w.Minute())
				msg := departureMessage(res, left, r)
				if r.DepartureMessage != nil {
					msg = r.DepartureMessage(*res, left)
				}
				out = append(out, Due{
					ID:       makeID("tr-", "departure", res.PNR, unixNano(res.Departure), strconv.Itoa(r.BeforeMinutes)),
					At:       at,
					NotAfter: res.Departure,
					Kind:     KindTrain,
					Message:  msg,
				})
			}
		}
		if r.PaymentMinutes > 0 && !res.Paid && res.PaymentDeadline != nil {
			dl := *res.PaymentDeadline
			at := dl.Add(-time.Duration(r.PaymentMinutes) * time.Minute)
			if w.Contains(at) {
				left := dl.Sub(w.Minute())
				msg := paymentMessage(res, dl, left, r)
				if r.PaymentMessage != nil {
					msg = r.PaymentMessage(*res, left)
				}
				out = append(out, Due{
					ID:       makeID("tr-", "payment", res.PNR, unixNano(dl), strconv.Itoa(r.PaymentMinutes)),
					At:       at,
					NotAfter: dl,
					Kind:     KindTrain,
					Message:  msg,
				})
			}
		}
	}
	return out
}

// departureMessage: "11-22 10:00\nSRT 301 수서→부산\n열차가 60분 후 출발합니다."
func departureMessage(res *srt.Reservation, left time.Duration, r TrainRules) string {
	head := res.Departure.In(r.Location).Format("01-02 15:04") + "\n" + trainLine(res) + "\n"
	m := wholeMinutes(left)
	if m == 0 {
		return head + pick(r.Locale, "열차가 지금 출발합니다.", "Departs now.")
	}
	return head + pick(r.Locale, "열차가 "+span(r.Locale, m)+" 후 출발합니다.", "Departs in "+span(r.Locale, m)+".")
}

// paymentMessage: "11-22 10:00\nSRT 301 수서→부산\n결제 기한(11-21 18:00)까지 30분 남았습니다."
func paymentMessage(res *srt.Reservation, deadline time.Time, left time.Duration, r TrainRules) string {
	head := res.Departure.In(r.Location).Format("01-02 15:04") + "\n" + trainLine(res) + "\n"
	dl := deadline.In(r.Location).Format("01-02 15:04")
	m := wholeMinutes(left)
	if m == 0 {
		return head + pick(r.Locale, "결제 기한("+dl+")입니다. 지금 결제하세요.", "Payment is due now ("+dl+").")
	}
	return head + pick(r.Locale, "결제 기한("+dl+")까지 "+span(r.Locale, m)+" 남았습니다.",
		"Payment due in "+span(r.Locale, m)+" ("+dl+").")
}

func trainLine(res *srt.Reservation) string {
	return res.Train + " " + res.DepartureStation + "→" + res.ArrivalStation
}

// wholeMinutes rounds d down to whole minutes, never below 0.
func wholeMinutes(d time.Duration) int {
	if d < 0 {
		return 0
	}
	return int(d / time.Minute)
}
