package web

import (
	"fmt"
	"time"
)

// texts are the page's words in one locale.
type texts struct {
	locale                                   string
	Today, Tomorrow, AllDay, Trains, Notices string
	NoEvents, NoTrains, More, Demo, Offline  string
	Standby, PayBy, StaleSince, NotSynced    string
	Passengers, CarSeat                      string
	weekdays                                 [7]string
	months                                   [12]string
}

var locales = map[string]texts{
	"ko": {
		locale: "ko", Today: "오늘", Tomorrow: "내일", AllDay: "종일", Trains: "기차", Notices: "알림판",
		NoEvents: "일정 없음", NoTrains: "예약된 열차 없음", More: "외 %d개", Demo: "데모",
		Offline: "오프라인", Standby: "예약대기", PayBy: "결제기한", StaleSince: "%s 이후 갱신 안 됨",
		NotSynced: "시계 동기화 전", Passengers: "%d명", CarSeat: "%s호차 %s",
		weekdays: [7]string{"일요일", "월요일", "화요일", "수요일", "목요일", "금요일", "토요일"},
	},
	"en": {
		locale: "en", Today: "Today", Tomorrow: "Tomorrow", AllDay: "All day", Trains: "Trains", Notices: "Notices",
		NoEvents: "No events", NoTrains: "No train reservations", More: "+%d more", Demo: "demo",
		Offline: "offline", Standby: "Standby", PayBy: "Pay by", StaleSince: "stale since %s",
		NotSynced: "clock not synced", Passengers: "%d pax", CarSeat: "car %s seat %s",
		weekdays: [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		months:   [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	},
}

// date is the long date under the clock: "2026년 11월 22일 일요일".
func (t texts) date(d time.Time) string {
	if t.locale == "ko" {
		return fmt.Sprintf("%d년 %d월 %d일 %s", d.Year(), d.Month(), d.Day(), t.weekdays[d.Weekday()])
	}
	return fmt.Sprintf("%s, %s %d, %d", t.weekdays[d.Weekday()], t.months[d.Month()-1], d.Day(), d.Year())
}

// shortDate is "11월 22일" or "Nov 22".
func (t texts) shortDate(d time.Time) string {
	if t.locale == "ko" {
		return fmt.Sprintf("%d월 %d일", d.Month(), d.Day())
	}
	return fmt.Sprintf("%s %d", t.months[d.Month()-1][:3], d.Day())
}

// shortDateTime is "11/22 (일) 10:00" or "Sun Nov 22 10:00".
func (t texts) shortDateTime(d time.Time) string {
	if t.locale == "ko" {
		wd := []rune(t.weekdays[d.Weekday()])
		return fmt.Sprintf("%d/%d (%s) %s", d.Month(), d.Day(), string(wd[0]), d.Format("15:04"))
	}
	return fmt.Sprintf("%s %s %d %s", t.weekdays[d.Weekday()][:3], t.months[d.Month()-1][:3], d.Day(), d.Format("15:04"))
}

// dayTitle names the n-th day from today.
func (t texts) dayTitle(n int, d time.Time) string {
	switch n {
	case 0:
		return t.Today
	case 1:
		return t.Tomorrow
	}
	return t.weekdays[d.Weekday()]
}
