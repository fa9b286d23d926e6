package web

import (
	"fmt"
	"html/template"
	"math"
	"time"

	"kiosk/kiosk/weather"
)

// Weather is where the server reads the forecast and the air.
type Weather interface {
	Snapshot() *weather.Snapshot
	Units() string
}

// WeatherJSON is /api/dashboard's "weather" (docs/api.md).
type WeatherJSON struct {
	Updated *string      `json:"updated"` // null until the first fetch
	Stale   bool         `json:"stale"`
	Current *CurrentJSON `json:"current"`
	Hours   []HourJSON   `json:"hours"` // the next 24 hours from the current one
	Days    []WxDayJSON  `json:"days"`  // from today, at most dashboard.days_ahead
	Units   string       `json:"units"` // metric or imperial
}

// CurrentJSON is the present conditions.
type CurrentJSON struct {
	Time      string   `json:"time"`
	Temp      *float64 `json:"temp"`
	FeelsLike *float64 `json:"feels_like"`
	Code      *int     `json:"code"`
	IsDay     bool     `json:"is_day"`
	Humidity  *float64 `json:"humidity"`
	Wind      *float64 `json:"wind"`
	Precip    *float64 `json:"precip"`
}

// HourJSON is one hour of the forecast.
type HourJSON struct {
	Time       string   `json:"time"`
	Temp       *float64 `json:"temp"`
	Code       *int     `json:"code"`
	PrecipProb *int     `json:"precip_prob"`
}

// WxDayJSON is one day of the forecast.
type WxDayJSON struct {
	Date       string   `json:"date"`
	Min        *float64 `json:"min"`
	Max        *float64 `json:"max"`
	Code       *int     `json:"code"`
	PrecipProb *int     `json:"precip_prob"`
	Sunrise    *string  `json:"sunrise"`
	Sunset     *string  `json:"sunset"`
}

// AirJSON is /api/dashboard's "air".
type AirJSON struct {
	Updated *string  `json:"updated"`
	Stale   bool     `json:"stale"`
	PM10    *float64 `json:"pm10"` // µg/m³; null while the station measures nothing
	PM25    *float64 `json:"pm25"`
	Grade   *string  `json:"grade"`   // the worse of the two: 좋음, 보통, 나쁨, 매우나쁨; null without values
	Station *string  `json:"station"` // AirKorea's station; null for Open-Meteo's model
}

// wxViews builds the weather's JSON and page views from its snapshot.
type wxViews struct {
	src    Weather // nil: weather off
	loc    *time.Location
	locale string
	days   int
	now    func() time.Time
	assets *string // the server's asset prefix, known once it is built
}

// json returns the dashboard's "weather" and "air"; both nil when off.
func (v *wxViews) json(now time.Time) (*WeatherJSON, *AirJSON) {
	if v.src == nil {
		return nil, nil
	}
	snap := v.src.Snapshot()
	w := &WeatherJSON{Hours: []HourJSON{}, Days: []WxDayJSON{}, Units: v.src.Units()}
	if f := snap.Forecast; f != nil {
		w.Updated, w.Stale = v.stamp(snap.ForecastUpdated), snap.ForecastStale
		if f.Units != "" {
			w.Units = f.Units
		}
		c := f.Current
		if !c.Time.IsZero() {
			w.Current = &CurrentJSON{Time: rfc3339(c.Time, v.loc), Temp: c.Temp, FeelsLike: c.FeelsLike, Code: c.Code,
				IsDay: c.IsDay, Humidity: c.Humidity, Wind: c.Wind, Precip: c.Precip}
		}
		for _, h := range nextHours(f, now, 24) {
			w.Hours = append(w.Hours, HourJSON{Time: rfc3339(h.Time, v.loc), Temp: h.Temp, Code: h.Code, PrecipProb: h.PrecipProb})
		}
		today := now.In(v.loc).Format(time.DateOnly)
		for _, d := range f.Days {
			if d.Date < today || len(w.Days) >= v.days {
				continue
			}
			w.Days = append(w.Days, WxDayJSON{Date: d.Date, Min: d.Min, Max: d.Max, Code: d.Code, PrecipProb: d.PrecipProb,
				Sunrise: v.optTime(d.Sunrise), Sunset: v.optTime(d.Sunset)})
		}
	}
	a := &AirJSON{}
	if air := snap.Air; air != nil {
		a.Updated, a.Stale = v.stamp(snap.AirUpdated), snap.AirStale
		a.PM10, a.PM25 = air.PM10, air.PM25
		if g, _ := air.Worst(); g != weather.GradeNone {
			s := g.Ko()
			a.Grade = &s
		}
		if air.Station != "" {
			s := air.Station
			a.Station = &s
		}
	}
	return w, a
}

func (v *wxViews) stamp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := rfc3339(t, v.loc)
	return &s
}

func (v *wxViews) optTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	return v.stamp(*t)
}

// nextHours returns up to n hours from the one now is in.
func nextHours(f *weather.Forecast, now time.Time, n int) []weather.Hour {
	from := now.Truncate(time.Hour)
	for i, h := range f.Hours {
		if !h.Time.Before(from) {
			return f.Hours[i:min(i+n, len(f.Hours))]
		}
	}
	return nil
}

// Page views.

// wxNowView is the weather beside the clock.
type wxNowView struct {
	Icon, Words     string
	Temp, FeelsLike string // "3°", "체감 -1°"
	Next            string // "15시부터 비", or ""
	Stale           bool
	StaleMark       string // "08:05 기준": when the oldest stale value was fetched, or ""
	Air             *airView
	HasForecast     bool
}

// airView is PM10 and PM2.5, the worse first.
type airView struct {
	Stale bool
	PMs   []pmView
}

type pmView struct {
	Label, Value, Grade string
	Class               string // good, moderate, bad, very-bad or none: the grade's colour
}

var gradeClass = map[weather.Grade]string{weather.GradeNone: "none", weather.GradeGood: "good",
	weather.GradeModerate: "moderate", weather.GradeBad: "bad", weather.GradeVeryBad: "very-bad"}

// wxDayView is a day header's weather.
type wxDayView struct {
	Icon, Words, Max, Min, Prob string
}

type wxText struct{ feels, rainFrom, snowFrom, stationDown, asOf string }

var wxTexts = map[string]wxText{
	"ko": {"체감 %s", "%d시부터 비", "%d시부터 눈", "측정 중단", "%s 기준"},
	"en": {"feels %s", "Rain from %s", "Snow from %s", "no data", "as of %s"},
}

// funcs are the templates' weatherNow and weatherDay.
func (v *wxViews) funcs() template.FuncMap {
	return template.FuncMap{
		"weatherNow": func() *wxNowView { return v.nowView(v.now()) },
		"weatherDay": func(date string) *wxDayView { return v.dayView(date) },
		"weatherIcon": func(name string) string {
			return *v.assets + "/icons/weather/" + name + ".svg"
		},
	}
}

func (v *wxViews) texts() wxText {
	if t, ok := wxTexts[v.locale]; ok {
		return t
	}
	return wxTexts["ko"]
}

func (v *wxViews) nowView(now time.Time) *wxNowView {
	if v.src == nil {
		return nil
	}
	snap := v.src.Snapshot()
	t := v.texts()
	out := &wxNowView{}
	if f := snap.Forecast; f != nil && !f.Current.Time.IsZero() {
		c := f.Current
		cond := weather.ConditionOf(c.Code)
		out.HasForecast, out.Stale = true, snap.ForecastStale
		out.Icon, out.Words = cond.IconFor(c.IsDay), cond.Words(v.locale)
		out.Temp = degrees(c.Temp)
		if c.FeelsLike != nil && (c.Temp == nil || math.Round(*c.FeelsLike) != math.Round(*c.Temp)) {
			out.FeelsLike = fmt.Sprintf(t.feels, degrees(c.FeelsLike))
		}
		if !weather.Wet(c.Code) {
			for _, h := range nextHours(f, now.Add(time.Hour), 12) {
				if weather.Wet(h.Code) || h.PrecipProb != nil && *h.PrecipProb >= 60 {
					format, hour := t.rainFrom, any(h.Time.In(v.loc).Hour())
					if weather.Snowy(h.Code) {
						format = t.snowFrom
					}
					if v.locale == "en" {
						hour = h.Time.In(v.loc).Format("15:04")
					}
					out.Next = fmt.Sprintf(format, hour)
					break
				}
			}
		}
	}
	if a := snap.Air; a != nil {
		out.Air = &airView{Stale: snap.AirStale}
		pm10 := pmView{Label: "PM10", Value: pmValue(a.PM10, t.stationDown)}
		pm25 := pmView{Label: "PM2.5", Value: pmValue(a.PM25, t.stationDown)}
		g10, g25 := weather.PM10Grade(a.PM10), weather.PM25Grade(a.PM25)
		pm10.Grade, pm10.Class = g10.Word(v.locale), gradeClass[g10]
		pm25.Grade, pm25.Class = g25.Word(v.locale), gradeClass[g25]
		if a.PM10 == nil {
			pm10.Grade = ""
		}
		if a.PM25 == nil {
			pm25.Grade = ""
		}
		if _, worse := a.Worst(); worse == "PM10" {
			out.Air.PMs = []pmView{pm10, pm25}
		} else {
			out.Air.PMs = []pmView{pm25, pm10}
		}
	}
	if !out.HasForecast && out.Air == nil {
		return nil
	}
	out.StaleMark = v.staleMark(now, snap, out)
	return out
}

// staleMark says how old the weather beside the clock is when the
// network has been down: "08:05 기준", with the date when it is from an
// earlier day. Of a stale forecast and stale air, the older counts.
func (v *wxViews) staleMark(now time.Time, snap *weather.Snapshot, out *wxNowView) string {
	var at time.Time
	if out.Stale {
		at = snap.ForecastUpdated
	}
	if out.Air != nil && out.Air.Stale && (at.IsZero() || snap.AirUpdated.Before(at)) {
		at = snap.AirUpdated
	}
	if at.IsZero() {
		return ""
	}
	at, now = at.In(v.loc), now.In(v.loc)
	when := at.Format("15:04")
	if y, m, d := at.Date(); y != now.Year() || m != now.Month() || d != now.Day() {
		when = fmt.Sprintf("%d/%d %s", m, d, when)
	}
	return fmt.Sprintf(v.texts().asOf, when)
}

func (v *wxViews) dayView(date string) *wxDayView {
	if v.src == nil {
		return nil
	}
	f := v.src.Snapshot().Forecast
	if f == nil {
		return nil
	}
	d := f.Day(date)
	if d == nil {
		return nil
	}
	cond := weather.ConditionOf(d.Code)
	out := &wxDayView{Icon: cond.IconFor(true), Words: cond.Words(v.locale), Max: degrees(d.Max), Min: degrees(d.Min)}
	if d.PrecipProb != nil && *d.PrecipProb > 0 {
		out.Prob = fmt.Sprintf("%d%%", *d.PrecipProb)
	}
	return out
}

// degrees rounds to whole degrees: "3°", "-1°", "–" when unknown.
func degrees(v *float64) string {
	if v == nil {
		return "–"
	}
	r := math.Round(*v)
	if r == 0 {
		r = 0 // no "-0°"
	}
	return fmt.Sprintf("%.0f°", r)
}

func pmValue(v *float64, none string) string {
	if v == nil {
		return none
	}
	return fmt.Sprintf("%.0f", math.Round(*v))
}
