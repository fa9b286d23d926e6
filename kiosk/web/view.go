package web

import (
	"fmt"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/calendar"
	"kiosk/kiosk/dashboard"
	"kiosk/kiosk/source"
	"kiosk/kiosk/srt"
)

// DashboardJSON is the /api/dashboard contract (docs/api.md).
type DashboardJSON struct {
	Version  string          `json:"version"`
	Now      string          `json:"now"`
	Timezone string          `json:"timezone"`
	Events   []EventJSON     `json:"events"`
	Trains   []TrainJSON     `json:"trains"`
	Notices  []NoticeJSON    `json:"notices"`
	Sources  []source.Status `json:"sources"`

	Weather *WeatherJSON `json:"weather"` // null when off (weather.go)
	Air     *AirJSON     `json:"air"`
}

// NoticeJSON is a notice-board item.
type NoticeJSON struct {
	Source    string `json:"source"`
	Title     string `json:"title"`
	Link      string `json:"link"`
	Published string `json:"published"`
}

// EventJSON is an event with its instants in the configured zone.
type EventJSON struct {
	ID       string `json:"id"`
	Calendar string `json:"calendar"`
	Summary  string `json:"summary"`
	Start    string `json:"start"`
	End      string `json:"end"`
	AllDay   bool   `json:"all_day"`
	Location string `json:"location"`
	Color    string `json:"color"`
}

// TrainJSON is a reservation with its instants in the configured zone.
type TrainJSON struct {
	Train            string  `json:"train"`
	DepartureStation string  `json:"departure_station"`
	ArrivalStation   string  `json:"arrival_station"`
	Departure        string  `json:"departure"`
	Arrival          string  `json:"arrival"`
	Car              string  `json:"car"`
	Seat             string  `json:"seat"`
	SeatClass        string  `json:"seat_class"`
	Passengers       int     `json:"passengers"`
	Paid             bool    `json:"paid"`
	PaymentDeadline  *string `json:"payment_deadline"`
	Standby          bool    `json:"standby"`
}

func rfc3339(t time.Time, loc *time.Location) string {
	return t.In(loc).Truncate(time.Second).Format(time.RFC3339)
}

// windowEvents returns the events overlapping the dashboard window.
func windowEvents(all []calendar.Event, now time.Time, loc *time.Location, days int) []calendar.Event {
	from, to := calendar.Window(now, loc, days)
	out := make([]calendar.Event, 0, len(all))
	for _, e := range all {
		if e.Overlaps(from, to) {
			out = append(out, e)
		}
	}
	return out
}

// upcomingTrains returns the reservations that have not departed, sorted,
// at most max.
func upcomingTrains(all []srt.Reservation, now time.Time, limit int) []srt.Reservation {
	out := make([]srt.Reservation, 0, min(len(all), limit))
	for _, r := range all {
		if r.Departure.After(now) && len(out) < limit {
			out = append(out, r)
		}
	}
	return out
}

func (s *Server) dashboardJSON(now time.Time) DashboardJSON {
	snap := s.board.Snapshot()
	loc := s.cfg.Location
	d := DashboardJSON{
		Version:  s.version,
		Now:      rfc3339(now, loc),
		Timezone: loc.String(),
		Events:   []EventJSON{},
		Trains:   []TrainJSON{},
		Notices:  []NoticeJSON{},
		Sources:  s.sources(snap),
	}
	d.Weather, d.Air = s.wx.json(now)
	for _, n := range s.notices(now) {
		d.Notices = append(d.Notices, NoticeJSON{Source: n.Source, Title: n.Title, Link: n.Link, Published: rfc3339(n.Published, loc)})
	}
	for _, e := range windowEvents(snap.Events, now, loc, s.cfg.Dashboard.DaysAhead) {
		d.Events = append(d.Events, EventJSON{
			ID: e.ID, Calendar: e.Calendar, Summary: e.Summary,
			Start: rfc3339(e.Start, loc), End: rfc3339(e.End, loc), AllDay: e.AllDay,
			Location: e.Location, Color: s.color(e),
		})
	}
	for _, r := range upcomingTrains(snap.Trains, now, s.maxTrains()) {
		t := TrainJSON{
			Train: r.Train, DepartureStation: r.DepartureStation, ArrivalStation: r.ArrivalStation,
			Departure: rfc3339(r.Departure, loc), Arrival: rfc3339(r.Arrival, loc),
			Car: r.Car, Seat: r.Seat, SeatClass: r.SeatClass, Passengers: r.Passengers,
			Paid: r.Paid, Standby: r.Standby,
		}
		if r.PaymentDeadline != nil {
			v := rfc3339(*r.PaymentDeadline, loc)
			t.PaymentDeadline = &v
		}
		d.Trains = append(d.Trains, t)
	}
	return d
}

// sources returns every source's status (calendars, trains, notice
// feeds) with its times in the configured zone.
func (s *Server) sources(snap *dashboard.Snapshot) []source.Status {
	all := append(append([]source.Status(nil), snap.Sources...), s.nsrc()...)
	out := make([]source.Status, len(all))
	for i, st := range all {
		if st.Updated != nil {
			u := st.Updated.In(s.cfg.Location).Truncate(time.Second)
			st.Updated = &u
		}
		if st.NextTry != nil {
			n := st.NextTry.In(s.cfg.Location).Truncate(time.Second)
			st.NextTry = &n
		}
		out[i] = st
	}
	return out
}

func (s *Server) maxTrains() int {
	if t := s.cfg.Trains.SRT; t != nil {
		return t.MaxShown
	}
	return 3
}

// palette colors calendars that have no color of their own.
var palette = []string{"#5b9bd5", "#d06b64", "#7bd148", "#f6c026", "#9a9cff", "#f691b2", "#4fb0a5", "#e08c46"}

func (s *Server) color(e calendar.Event) string {
	if e.Color != "" {
		return e.Color
	}
	for i, c := range s.cfg.Calendars {
		if c.Name == e.Calendar {
			if c.Color != "" {
				return c.Color
			}
			return palette[i%len(palette)]
		}
	}
	return palette[0]
}

// Page view model.

type pageView struct {
	Version       string
	Assets        string
	Lang          string
	Zone          string
	T             texts
	Demo          bool
	NotSaved      bool // the store is in memory: what is shown is lost at restart
	NowUnixMilli  int64
	Clock         string
	Date          string
	PollSeconds   int
	ReloadSeconds int
	Board         boardView
	PhotoMode     string // "" when photos are off
	PhotoSeconds  int
}

// boardView is the board: today and the next day large (Near), the rest of
// the window compact (Week), calendar failures above them, and the side
// column with only what is configured and has something to show. How many
// rows fit is measured in the page (kiosk.js fit); what does not fit is
// counted in a "+N" line under its day.
type boardView struct {
	Near     []dayView
	Week     []dayView
	Alerts   []alertView // calendars that failed: without data, or stale
	Trains   []trainView
	TrainErr string // the train source's failure, when it has one
	Notices  []noticeGroup
	Stale    []staleView // other sources (notice feeds, photos) that fail
}

// HasSide reports whether the side column has anything to show.
func (b boardView) HasSide() bool {
	return len(b.Trains) > 0 || b.TrainErr != "" || len(b.Notices) > 0 || len(b.Stale) > 0
}

type dayView struct {
	Date    string // "2006-01-02", for the weather slot
	Name    string // "오늘", "내일", "목요일"
	Label   string // "12월 4일"
	Today   bool
	Spans   []eventView // multi-day events: one thin marker a day
	Events  []eventView
	Past    string // today's finished events, collapsed: "지난 일정 3개"
	PastN   int
	Empty   string // shown when the day has nothing: "일정 없음", or not claimed while a calendar fails
	MoreFmt string // the "+N" line, filled in by the page: "외 %d개"
}

// Count is every event of the day: shown, collapsed as past, or counted.
func (d dayView) Count() int { return len(d.Spans) + len(d.Events) + d.PastN }

type eventView struct {
	Time     string // "10:00" or the all-day label
	Until    string // "11:30": the end, when the event has one
	Summary  string
	Location string
	Calendar string
	Color    string
	AllDay   bool
	Next     bool   // the next event to start
	Now      bool   // in progress
	Rel      string // "35분 후", "진행 중"
	Range    string // multi-day: "~12/6"
	Nth      string // multi-day: "2/4일째"
	Stale    bool   // its calendar failed; this is older data
	Start    int64  // unix ms, for the page's minute update
	End      int64
}

type alertView struct {
	Text  string // "가족 캘린더: 불러오지 못함 (설정 확인)" or "학교: 12/4 20:38 이후 갱신 안 됨"
	Color string
	Stale bool // has older data (shown, marked), rather than none
}

type trainView struct {
	Train, Route, Departure, Arrival, Seat, SeatClass, Deadline string
	NextDay                                                     string // "+1" when it arrives after midnight
	Passengers                                                  int
	Standby, Unpaid                                             bool
}

type staleView struct {
	Name, Since, Error string
}

type noticeGroup struct {
	Source string // "" for notifications pinned to the board
	Items  []noticeView
}

type noticeView struct {
	Title, When string
}

func (s *Server) pageView(now time.Time) pageView {
	loc := s.cfg.Location
	t := s.texts
	n := now.In(loc)
	v := pageView{
		Version: s.version, Assets: s.assets, Lang: s.cfg.Locale, Zone: loc.String(), T: t, Demo: s.demo,
		NotSaved:     s.info.Fallback != cache.OnDisk,
		NowUnixMilli: now.UnixMilli(), Clock: n.Format("15:04"), Date: t.date(n),
		PollSeconds: s.cfg.PollSeconds, ReloadSeconds: s.cfg.Dashboard.ReloadSeconds,
		Board: s.boardView(now),
	}
	if p := s.cfg.Photos; p != nil && s.photos != nil {
		v.PhotoMode, v.PhotoSeconds = p.Mode, p.IntervalSeconds
	}
	return v
}

// isCalendar reports whether a source kind is a calendar's.
func isCalendar(kind string) bool { return kind == "google" || kind == "ics" || kind == "demo" }

func (s *Server) boardView(now time.Time) boardView {
	loc := s.cfg.Location
	t := s.texts
	snap := s.board.Snapshot()
	var bv boardView

	// Calendars that fail, first: an empty day must not claim a free
	// day while one of them has no data.
	stale := map[string]bool{}
	for _, st := range snap.Sources {
		if !isCalendar(st.Kind) || st.OK {
			continue
		}
		switch {
		case st.Updated != nil:
			stale[st.Name] = true
			bv.Alerts = append(bv.Alerts, alertView{Stale: true, Color: s.colorOf(st.Name),
				Text: st.Name + ": " + fmt.Sprintf(t.StaleSince, t.slashDateTime(st.Updated.In(loc)))})
		case st.Error != "":
			bv.Alerts = append(bv.Alerts, alertView{Color: s.colorOf(st.Name), Text: fmt.Sprintf(t.CalendarFailed, st.Name)})
		}
	}
	empty := t.NoEvents
	if len(bv.Alerts) > 0 {
		empty = t.NoEventsLoaded
	}

	days := s.days(snap.Events, now, stale)
	for i := range days {
		days[i].Empty = ""
		if days[i].Count() == 0 {
			days[i].Empty = empty
		}
		days[i].MoreFmt = t.More
	}
	near := min(2, len(days))
	bv.Near, bv.Week = days[:near], days[near:]

	for _, r := range upcomingTrains(snap.Trains, now, s.maxTrains()) {
		dep, arr := r.Departure.In(loc), r.Arrival.In(loc)
		tv := trainView{
			Train: r.Train, Route: r.DepartureStation + " → " + r.ArrivalStation,
			Departure: t.shortDateTime(dep), Arrival: arr.Format("15:04"),
			SeatClass: r.SeatClass, Passengers: r.Passengers, Standby: r.Standby,
		}
		if days := daysBetween(dep, arr); days > 0 {
			tv.NextDay = fmt.Sprintf("+%d", days)
		}
		if r.Car != "" || r.Seat != "" {
			tv.Seat = fmt.Sprintf(t.CarSeat, r.Car, r.Seat)
		}
		if !r.Paid && !r.Standby && r.PaymentDeadline != nil {
			tv.Unpaid = true
			tv.Deadline = t.shortDateTime(r.PaymentDeadline.In(loc))
		}
		bv.Trains = append(bv.Trains, tv)
	}

	var pinned noticeGroup
	for _, n := range s.queue.Active(now) {
		if n.ShowNotiboard {
			pinned.Items = append(pinned.Items, noticeView{Title: n.Message})
		}
	}
	if len(pinned.Items) > 0 {
		bv.Notices = append(bv.Notices, pinned)
	}
	bySource := map[string]int{}
	for _, n := range s.notices(now) {
		i, ok := bySource[n.Source]
		if !ok {
			i = len(bv.Notices)
			bySource[n.Source] = i
			bv.Notices = append(bv.Notices, noticeGroup{Source: n.Source})
		}
		bv.Notices[i].Items = append(bv.Notices[i].Items, noticeView{Title: n.Title, When: t.shortDate(n.Published.In(loc))})
	}

	for _, st := range append(append([]source.Status(nil), snap.Sources...), s.nsrc()...) {
		if st.OK || isCalendar(st.Kind) || (st.Updated == nil && st.Error == "") {
			continue
		}
		sv := staleView{Name: st.Name, Error: st.Error}
		if st.Updated != nil {
			sv.Since = fmt.Sprintf(t.StaleSince, t.slashDateTime(st.Updated.In(loc)))
		} else {
			sv.Since = t.Failed
		}
		if st.Kind == "srt" {
			bv.TrainErr = st.Name + ": " + sv.Since
			continue
		}
		bv.Stale = append(bv.Stale, sv)
	}
	return bv
}

// days lays the window's events out by day: all-day events first, then
// timed ones; an event over several days is a marker on each of them;
// today's finished events are only counted. The next event to start and
// those in progress carry their relative time.
func (s *Server) days(all []calendar.Event, now time.Time, stale map[string]bool) []dayView {
	loc := s.cfg.Location
	t := s.texts
	n := now.In(loc)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	events := windowEvents(all, now, loc, s.cfg.Dashboard.DaysAhead)
	out := make([]dayView, 0, s.cfg.Dashboard.DaysAhead)
	var next *eventView
	for d := range s.cfg.Dashboard.DaysAhead {
		dayStart := today.AddDate(0, 0, d)
		dayEnd := dayStart.AddDate(0, 0, 1)
		day := dayView{Date: dayStart.Format("2006-01-02"), Name: t.dayTitle(d, dayStart), Label: t.shortDate(dayStart), Today: d == 0}
		var allDay, timed []eventView
		for _, e := range events {
			if !e.Overlaps(dayStart, dayEnd) {
				continue
			}
			end := e.End
			if !end.After(e.Start) {
				end = e.Start
			}
			ev := eventView{Summary: e.Summary, Location: e.Location, Calendar: e.Calendar,
				Color: s.color(e), AllDay: e.AllDay, Stale: stale[e.Calendar],
				Start: e.Start.UnixMilli(), End: end.UnixMilli()}
			if first, last := eventDays(e, loc); last.After(first) {
				// Over several days: a marker with its range on each.
				total := daysBetween(first, last) + 1
				ev.Range = "~" + t.slashDate(last)
				if !e.AllDay {
					ev.Range += " " + e.End.In(loc).Format("15:04")
				}
				ev.Nth = fmt.Sprintf(t.NthDay, daysBetween(first, dayStart)+1, total)
				day.Spans = append(day.Spans, ev)
				continue
			}
			switch {
			case e.AllDay:
				ev.Time = t.AllDay
				allDay = append(allDay, ev)
				continue
			case e.End.After(e.Start):
				ev.Time, ev.Until = e.Start.In(loc).Format("15:04"), e.End.In(loc).Format("15:04")
			default:
				ev.Time = e.Start.In(loc).Format("15:04")
			}
			if d == 0 && !end.After(now) {
				day.PastN++
				continue
			}
			if !e.Start.After(now) {
				ev.Now, ev.Rel = true, t.InProgress
			}
			timed = append(timed, ev)
		}
		day.Events = append(allDay, timed...)
		if day.PastN > 0 {
			day.Past = fmt.Sprintf(t.PastEvents, day.PastN)
		}
		out = append(out, day)
	}
	// The next event to start, anywhere in the window.
	for d := range out {
		for i := range out[d].Events {
			e := &out[d].Events[i]
			if !e.AllDay && !e.Now && e.Start > now.UnixMilli() {
				next = e
				break
			}
		}
		if next != nil {
			break
		}
	}
	if next != nil {
		next.Next = true
		next.Rel = t.relative(time.UnixMilli(next.Start).Sub(now))
	}
	return out
}

// eventDays are the first and last calendar days an event covers; an
// all-day event's end date is exclusive, a timed one ending at midnight
// does not cover the next day.
func eventDays(e calendar.Event, loc *time.Location) (first, last time.Time) {
	start, end := e.Start.In(loc), e.End.In(loc)
	if e.AllDay || end.After(start) {
		end = end.Add(-time.Nanosecond)
	}
	if end.Before(start) {
		end = start
	}
	return midnight(start), midnight(end)
}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// daysBetween counts the calendar days from a to b in a's zone.
func daysBetween(a, b time.Time) int {
	a, b = midnight(a), midnight(b.In(a.Location()))
	n := 0
	for a.Before(b) {
		a = a.AddDate(0, 0, 1)
		n++
	}
	return n
}

// colorOf is the colour of the calendar named name.
func (s *Server) colorOf(name string) string {
	return s.color(calendar.Event{Calendar: name})
}
