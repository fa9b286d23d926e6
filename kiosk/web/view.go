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

type boardView struct {
	Days     []dayView
	More     int // events beyond max_events not shown
	Trains   []trainView
	Stale    []staleView
	Notices  []noticeView
	HasPhoto bool
}

type dayView struct {
	Title  string
	Date   string
	Today  bool
	Events []eventView
}

type eventView struct {
	Time     string // "10:00", "10:00–11:30" or the all-day label
	Summary  string
	Location string
	Calendar string
	Color    string
	AllDay   bool
	Past     bool
}

type trainView struct {
	Train, Route, Departure, Arrival, Seat, SeatClass, Deadline string
	Passengers                                                  int
	Standby, Unpaid                                             bool
}

type staleView struct {
	Name, Since, Error string
}

type noticeView struct {
	Source, Title, When string
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

func (s *Server) boardView(now time.Time) boardView {
	loc := s.cfg.Location
	t := s.texts
	snap := s.board.Snapshot()
	n := now.In(loc)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	var bv boardView
	events := windowEvents(snap.Events, now, loc, s.cfg.Dashboard.DaysAhead)
	shown := 0
	for d := range s.cfg.Dashboard.DaysAhead {
		dayStart := today.AddDate(0, 0, d)
		dayEnd := dayStart.AddDate(0, 0, 1)
		day := dayView{Title: t.dayTitle(d, dayStart), Date: t.shortDate(dayStart), Today: d == 0}
		var allDay, timed []eventView
		for _, e := range events {
			if !e.Overlaps(dayStart, dayEnd) {
				continue
			}
			if shown >= s.cfg.Dashboard.MaxEvents {
				bv.More++
				continue
			}
			shown++
			ev := eventView{Summary: e.Summary, Location: e.Location, Calendar: e.Calendar,
				Color: s.color(e), AllDay: e.AllDay}
			switch {
			case e.AllDay:
				ev.Time = t.AllDay
				allDay = append(allDay, ev)
				continue
			case e.Start.Before(dayStart): // began on an earlier day
				ev.Time = "→ " + e.End.In(loc).Format("15:04")
			case e.End.After(e.Start) && e.End.Before(dayEnd):
				ev.Time = e.Start.In(loc).Format("15:04") + "–" + e.End.In(loc).Format("15:04")
			default:
				ev.Time = e.Start.In(loc).Format("15:04")
			}
			end := e.End
			if !end.After(e.Start) {
				end = e.Start
			}
			ev.Past = d == 0 && !end.After(now)
			timed = append(timed, ev)
		}
		day.Events = append(allDay, timed...)
		if len(day.Events) > 0 || d < 2 {
			bv.Days = append(bv.Days, day)
		}
	}
	for _, r := range upcomingTrains(snap.Trains, now, s.maxTrains()) {
		tv := trainView{
			Train: r.Train, Route: r.DepartureStation + " → " + r.ArrivalStation,
			Departure: t.shortDateTime(r.Departure.In(loc)), Arrival: r.Arrival.In(loc).Format("15:04"),
			SeatClass: r.SeatClass, Passengers: r.Passengers, Standby: r.Standby,
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
	for _, n := range s.queue.Active(now) {
		if n.ShowNotiboard {
			bv.Notices = append(bv.Notices, noticeView{Title: n.Message})
		}
	}
	for _, n := range s.notices(now) {
		bv.Notices = append(bv.Notices, noticeView{Source: n.Source, Title: n.Title, When: t.shortDate(n.Published.In(loc))})
	}
	for _, st := range append(append([]source.Status(nil), snap.Sources...), s.nsrc()...) {
		if st.OK {
			continue
		}
		sv := staleView{Name: st.Name, Error: st.Error}
		if st.Updated != nil {
			sv.Since = t.shortDateTime(st.Updated.In(loc))
		}
		if st.Updated != nil || st.Error != "" {
			bv.Stale = append(bv.Stale, sv)
		}
	}
	return bv
}
