// Package demo is the kiosk's built-in sample data, shown when no config
// file exists: events and train reservations placed relative to the current
// date, so the screen always looks alive.
package demo

import (
	"context"
	"fmt"
	"time"

	"kiosk/kiosk/calendar"
	"kiosk/kiosk/srt"
)

// Calendar is a demo calendar source.
type Calendar struct {
	Name   string
	Color  string
	Loc    *time.Location
	Locale string
	Now    func() time.Time
}

type sample struct {
	day        int // days after today
	hour, min  int
	minutes    int // duration; 0 with allDays > 0 means all-day
	allDays    int
	ko, en     string
	location   string
	reminders  []int
	weeklyFrom int // >0: repeats every day for this many days (the recurring series)
}

// samples are the demo events, relative to today.
var samples = []sample{
	{day: 0, hour: 7, min: 30, minutes: 30, ko: "아침 운동 🏃", en: "Morning run 🏃", location: "한강공원"},
	{day: 0, hour: -1, minutes: 60, ko: "🦷 치과 예약", en: "🦷 Dentist", location: "서울치과"}, // hour -1: soon after now
	{day: 0, allDays: 1, ko: "♻️ 재활용 수거일", en: "♻️ Recycling day"},
	{day: 0, hour: 12, min: 30, minutes: 60, ko: "점심: 민지 선생님과 상담 전화", en: "Lunch call with Minji's teacher"},
	{day: 0, hour: 16, minutes: 60, ko: "태권도 🥋", en: "Taekwondo 🥋", location: "용인 태권도장"},
	{day: 1, hour: 10, minutes: 90, ko: "학부모 상담", en: "Parent-teacher meeting", location: "초등학교 2층", reminders: []int{60, 10}},
	{day: 1, hour: 13, minutes: 60, ko: "Team sync: Q1 planning", en: "Team sync: Q1 planning"},
	{day: 1, allDays: 1, ko: "현장체험학습 — 도시락 지참", en: "School trip — pack a lunch"},
	{day: 2, allDays: 3, ko: "🧳 할머니 방문", en: "🧳 Grandma visiting"},
	{day: 0, hour: 18, minutes: 60, ko: "피아노 레슨 🎹", en: "Piano lesson 🎹", weeklyFrom: 7},
	{day: 2, hour: 8, minutes: 30, ko: "장보기 🛒", en: "Groceries 🛒"},
	{day: 3, hour: 19, min: 30, minutes: 120, ko: "가족 저녁 식사", en: "Family dinner", location: "Bistro & Bar"},
	{day: 3, hour: 15, minutes: 60, ko: "수영 강습", en: "Swimming class", location: "구민체육센터"},
	{day: 4, hour: 10, minutes: 120, ko: "학예회 — 3학년 합창", en: "School show — Year 3 choir", location: "강당"},
	{day: 4, allDays: 1, ko: "🎂 엄마 생신", en: "🎂 Mom's birthday"},
	{day: 5, hour: 9, minutes: 0, ko: "분리수거 알림", en: "Take out the bins"},
	{day: 5, hour: 10, minutes: 120, ko: "⚽ 축구 경기", en: "⚽ Football match", location: "잠실 보조경기장"},
	{day: 6, hour: 11, minutes: 90, ko: "이모네와 브런치", en: "Brunch with the cousins", location: "카페 온더코너"},
	{day: 6, hour: 20, minutes: 30, ko: "다음 주 일정 확인", en: "Plan next week"},
}

// Events returns the demo instances overlapping [from, to).
func (c *Calendar) Events(_ context.Context, from, to time.Time) ([]calendar.Event, error) {
	now := c.Now().In(c.Loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, c.Loc)
	var out []calendar.Event
	for i, s := range samples {
		repeat := max(s.weeklyFrom, 1)
		for r := range repeat {
			day := today.AddDate(0, 0, s.day+r)
			e := calendar.Event{
				ID:        fmt.Sprintf("demo-%d-%s", i, day.Format("20060102")),
				Calendar:  c.Name,
				Summary:   s.en,
				Location:  s.location,
				Color:     c.Color,
				Reminders: s.reminders,
			}
			if c.Locale == "ko" {
				e.Summary = s.ko
			}
			switch {
			case s.allDays > 0:
				e.AllDay, e.Start, e.End = true, day, day.AddDate(0, 0, s.allDays)
			case s.hour < 0:
				// Starts at the next quarter hour that is at least 35 minutes
				// away, so the default 30-minute reminder fires during a demo.
				start := now.Add(35 * time.Minute).Truncate(15 * time.Minute).Add(15 * time.Minute)
				e.Start, e.End = start, start.Add(time.Duration(s.minutes)*time.Minute)
			default:
				e.Start = time.Date(day.Year(), day.Month(), day.Day(), s.hour, s.min, 0, 0, c.Loc)
				e.End = e.Start.Add(time.Duration(s.minutes) * time.Minute)
			}
			if e.Overlaps(from, to) {
				out = append(out, e)
			}
		}
	}
	calendar.Sort(out)
	return out, nil
}

// Trains is a demo SRT source.
type Trains struct {
	Now func() time.Time
}

// Reservations returns three sample reservations: a paid one, an unpaid
// hold with its payment deadline, and a standby.
func (t *Trains) Reservations(context.Context) ([]srt.Reservation, error) {
	kst := time.FixedZone("KST", 9*60*60)
	now := t.Now().In(kst)
	day := func(d, h, m int) time.Time {
		return time.Date(now.Year(), now.Month(), now.Day()+d, h, m, 0, 0, kst)
	}
	deadline := now.Add(50 * time.Minute).Truncate(time.Minute)
	fri := (int(time.Friday) - int(now.Weekday()) + 7) % 7
	if fri == 0 {
		fri = 7
	}
	return []srt.Reservation{
		{Train: "SRT 301", DepartureStation: "수서", ArrivalStation: "부산",
			Departure: day(1, 8, 0), Arrival: day(1, 10, 31),
			Car: "3", Seat: "7A", SeatClass: "일반실", Passengers: 1, Paid: true},
		{Train: "SRT 368", DepartureStation: "부산", ArrivalStation: "수서",
			Departure: day(fri, 17, 40), Arrival: day(fri, 20, 12),
			Car: "5", Seat: "12C", SeatClass: "특실", Passengers: 2, PaymentDeadline: &deadline},
		{Train: "SRT 651", DepartureStation: "수서", ArrivalStation: "광주송정",
			Departure: day(fri+2, 23, 10), Arrival: day(fri+3, 0, 58),
			SeatClass: "일반실", Passengers: 1, Standby: true},
	}, nil
}
