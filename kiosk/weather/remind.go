package weather

import (
	"fmt"
	"math"
	"time"

	"kiosk/kiosk/config"
	"kiosk/kiosk/remind"
)

// Pop-up kinds of the morning reminders.
const (
	KindUmbrella = "umbrella"
	KindMask     = "mask"
)

// ReminderRules say when the morning reminders come and what they say.
type ReminderRules struct {
	MorningAt   string // "07:30", validated
	RainPercent int    // 0: no umbrella reminder
	DustGrade   Grade  // GradeNone: no mask reminder
	Location    *time.Location
	Locale      string
}

// RulesOf turns the config into rules.
func RulesOf(c config.WeatherReminders, loc *time.Location, locale string) ReminderRules {
	r := ReminderRules{MorningAt: c.MorningAt, DustGrade: GradeOf(c.DustGrade), Location: loc, Locale: locale}
	if c.RainPercent != nil {
		r.RainPercent = *c.RainPercent
	}
	return r
}

// maxAirAge is how old a fine-dust value may be for the mask reminder:
// last night's values say little about the morning.
const maxAirAge = 3 * time.Hour

// Dues returns the morning reminders whose time falls in w: at morning_at
// of each day in the configured zone, an umbrella reminder when the day's
// highest precipitation probability from then on reaches RainPercent, and
// a mask reminder when PM10 or PM2.5 is at DustGrade or worse. Their IDs
// name the date and kind, so the reminder job queues each once a day,
// across restarts; a kiosk started after morning_at gets the day's
// reminders only within the job's catch-up span.
func Dues(snap *Snapshot, w remind.Window, r ReminderRules) []remind.Due {
	if snap == nil || r.Location == nil {
		return nil
	}
	mins := config.Minutes(r.MorningAt)
	var out []remind.Due
	// The window is at most a day long; its ends' dates cover it.
	for _, t := range []time.Time{w.From, w.To.Add(-time.Nanosecond)} {
		l := t.In(r.Location)
		at := time.Date(l.Year(), l.Month(), l.Day(), mins/60, mins%60, 0, 0, r.Location)
		if !w.Contains(at) || len(out) > 0 && out[0].At.Equal(at) {
			continue
		}
		date := at.Format(time.DateOnly)
		if d, ok := umbrella(snap.Forecast, at, r); ok {
			d.ID = "wx-" + KindUmbrella + "-" + date
			out = append(out, d)
		}
		if d, ok := mask(snap.Air, at, r); ok {
			d.ID = "wx-" + KindMask + "-" + date
			out = append(out, d)
		}
	}
	return out
}

// umbrella is the rain reminder of at's day, if the forecast calls for it;
// it says snow when the likeliest hour's weather is snow.
func umbrella(f *Forecast, at time.Time, r ReminderRules) (remind.Due, bool) {
	if f == nil || r.RainPercent <= 0 {
		return remind.Due{}, false
	}
	prob, when, snow := -1, time.Time{}, false
	day := at.Format(time.DateOnly)
	for _, h := range f.Hours {
		if h.PrecipProb == nil || h.Time.Before(at.Truncate(time.Hour)) || h.Time.In(r.Location).Format(time.DateOnly) != day {
			continue
		}
		if *h.PrecipProb > prob {
			prob, when, snow = *h.PrecipProb, h.Time, Snowy(h.Code)
		}
	}
	if prob < 0 { // no hourly probabilities: the day's
		if d := f.Day(day); d != nil && d.PrecipProb != nil {
			prob, snow = *d.PrecipProb, Snowy(d.Code)
		}
	}
	if prob < r.RainPercent {
		return remind.Due{}, false
	}
	var msg string
	if r.Locale == "en" {
		around := ""
		if !when.IsZero() {
			around = ", around " + when.In(r.Location).Format("15:04")
		}
		what := "Rain"
		if snow {
			what = "Snow"
		}
		msg = fmt.Sprintf("%s likely today (up to %d%%%s) — take an umbrella", what, prob, around)
	} else {
		around := ""
		if !when.IsZero() {
			around = fmt.Sprintf(", %d시경", when.In(r.Location).Hour())
		}
		what := "비"
		if snow {
			what = "눈"
		}
		msg = fmt.Sprintf("오늘 %s 예보 (최대 %d%%%s) — 우산 챙기세요", what, prob, around)
	}
	return remind.Due{At: at, Kind: KindUmbrella, Message: msg, NotAfter: endOfDay(at, r.Location)}, true
}

// mask is the fine-dust reminder at at, if the air calls for it.
func mask(a *Air, at time.Time, r ReminderRules) (remind.Due, bool) {
	if a == nil || r.DustGrade == GradeNone || at.Sub(a.Time) > maxAirAge || a.Time.After(at.Add(maxAirAge)) {
		return remind.Due{}, false
	}
	g, which := a.Worst()
	if g < r.DustGrade {
		return remind.Due{}, false
	}
	v := a.PM25
	if which == "PM10" {
		v = a.PM10
	}
	n := int(math.Round(*v))
	msg := fmt.Sprintf("미세먼지 %s (%s %d) — 마스크 챙기세요", g.Word("ko"), which, n)
	if r.Locale == "en" {
		msg = fmt.Sprintf("Fine dust %s (%s %d) — wear a mask", lower(g.Word("en")), which, n)
	}
	return remind.Due{At: at, Kind: KindMask, Message: msg, NotAfter: endOfDay(at, r.Location)}, true
}

func endOfDay(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc)
}

func lower(s string) string {
	if s != "" && s[0] >= 'A' && s[0] <= 'Z' {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}
