// Package weather shows the forecast and the fine dust: Open-Meteo's
// forecast, geocoding and air-quality APIs, and AirKorea's measurements.
// Each upstream is a source run through kiosk/source, so it is memoized
// in the store, shown stale when it fails, and backed off; the morning
// umbrella and mask reminders are built from what is stored.
package weather

import (
	"math"
	"time"
)

// Forecast is what the forecast source stores.
type Forecast struct {
	Place   Place   `json:"place"`
	Current Current `json:"current"`
	Hours   []Hour  `json:"hours"` // every hour of the forecast days, in order
	Days    []Day   `json:"days"`
	Units   string  `json:"units"` // metric or imperial
}

// Place is where the forecast is for.
type Place struct {
	Name      string  `json:"name"` // the geocoded name, "" for coordinates
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Country   string  `json:"country_code"` // ISO 3166-1 alpha-2, "" if unknown
}

// Current is the model's present conditions. Nil numbers are values the
// model did not give.
type Current struct {
	Time      time.Time `json:"time"`
	Temp      *float64  `json:"temp"`
	FeelsLike *float64  `json:"feels_like"`
	Code      *int      `json:"code"` // WMO weather code
	IsDay     bool      `json:"is_day"`
	Humidity  *float64  `json:"humidity"` // %
	Wind      *float64  `json:"wind"`     // m/s or mph
	Precip    *float64  `json:"precip"`   // mm or inch, the last hour
}

// Hour is one hour of the forecast.
type Hour struct {
	Time       time.Time `json:"time"`
	Temp       *float64  `json:"temp"`
	Code       *int      `json:"code"`
	PrecipProb *int      `json:"precip_prob"` // %
	Precip     *float64  `json:"precip"`
}

// Day is one day of the forecast.
type Day struct {
	Date       string     `json:"date"` // 2006-01-02 in the kiosk's zone
	Min        *float64   `json:"min"`
	Max        *float64   `json:"max"`
	Code       *int       `json:"code"`
	PrecipProb *int       `json:"precip_prob"` // the day's highest, %
	Sunrise    *time.Time `json:"sunrise"`
	Sunset     *time.Time `json:"sunset"`
}

// Day returns the forecast of date ("2006-01-02"), or nil.
func (f *Forecast) Day(date string) *Day {
	for i := range f.Days {
		if f.Days[i].Date == date {
			return &f.Days[i]
		}
	}
	return nil
}

// Air is what the air source stores: the latest PM10 and PM2.5 in µg/m³.
// A nil value is one the station did not measure (AirKorea's "-": the
// station is down or being serviced), never 0.
type Air struct {
	Time    time.Time `json:"time"` // of the measurement or model hour
	PM10    *float64  `json:"pm10"`
	PM25    *float64  `json:"pm25"`
	Station string    `json:"station"` // AirKorea's station; "" for the model
}

// Grade is a Korean fine-dust grade (환경부 기준).
type Grade int

// Grades, best first; GradeNone is no measurement.
const (
	GradeNone Grade = iota
	GradeGood
	GradeModerate
	GradeBad
	GradeVeryBad
)

// gradeWords name the grades; their colours are in static/css/weather.css.
var gradeWords = [...]struct{ ko, en string }{
	GradeNone:     {"측정 중단", "No data"},
	GradeGood:     {"좋음", "Good"},
	GradeModerate: {"보통", "Moderate"},
	GradeBad:      {"나쁨", "Unhealthy"},
	GradeVeryBad:  {"매우나쁨", "Very unhealthy"},
}

// Word is the grade's name: 좋음, 보통, 나쁨, 매우나쁨 (ko) or Good,
// Moderate, Unhealthy, Very unhealthy (en).
func (g Grade) Word(locale string) string {
	if locale == "en" {
		return gradeWords[g].en
	}
	return gradeWords[g].ko
}

// Ko is the grade's Korean name, as config and the API use it; "" for none.
func (g Grade) Ko() string {
	if g == GradeNone {
		return ""
	}
	return gradeWords[g].ko
}

// GradeOf parses a Korean grade name; GradeNone if unknown.
func GradeOf(ko string) Grade {
	for g := GradeGood; g <= GradeVeryBad; g++ {
		if gradeWords[g].ko == ko {
			return g
		}
	}
	return GradeNone
}

// PM10Grade grades a PM10 value: 좋음 0–30, 보통 31–80, 나쁨 81–150,
// 매우나쁨 151+. Values are rounded to whole µg/m³ first, as published.
func PM10Grade(v *float64) Grade { return grade(v, 30, 80, 150) }

// PM25Grade grades a PM2.5 value: 좋음 0–15, 보통 16–35, 나쁨 36–75,
// 매우나쁨 76+.
func PM25Grade(v *float64) Grade { return grade(v, 15, 35, 75) }

func grade(v *float64, good, moderate, bad float64) Grade {
	if v == nil || *v < 0 || math.IsNaN(*v) {
		return GradeNone
	}
	switch x := math.Round(*v); {
	case x <= good:
		return GradeGood
	case x <= moderate:
		return GradeModerate
	case x <= bad:
		return GradeBad
	}
	return GradeVeryBad
}

// Worst returns the worse of PM10's and PM2.5's grades and which one it
// is ("PM2.5" on a tie: the finer dust is the one that matters).
func (a Air) Worst() (Grade, string) {
	g10, g25 := PM10Grade(a.PM10), PM25Grade(a.PM25)
	if g10 > g25 {
		return g10, "PM10"
	}
	return g25, "PM2.5"
}
