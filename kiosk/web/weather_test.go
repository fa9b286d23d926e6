package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"

	"kiosk/kiosk/config"
	"kiosk/kiosk/weather"
	"kiosk/static"
)

type fixedWeather struct{ snap *weather.Snapshot }

func (w fixedWeather) Snapshot() *weather.Snapshot { return w.snap }
func (w fixedWeather) Units() string               { return "metric" }

func newWxServer(t testing.TB, wx Weather, locale string) *Server {
	t.Helper()
	return newServerWith(t, sampleSnapshot(), func(c *config.Config) { c.Locale = locale },
		func(o *Options) { o.Weather = wx })
}

func fp(v float64) *float64 { return &v }
func ip(v int) *int         { return &v }

// wxSnapshot: 2026-11-22 09:00 KST is now; it rains from 15:00.
func wxSnapshot() *weather.Snapshot { return wxSnapshotAt(now) }

// wxSnapshotAt is a forecast and air around base's day: it rains from
// 15:00, PM2.5 is 나쁨 and its last fetch failed.
func wxSnapshotAt(base time.Time) *weather.Snapshot {
	b := base.In(seoul)
	at := func(d, h, m int) time.Time { return time.Date(b.Year(), b.Month(), b.Day()+d, h, m, 0, 0, seoul) }
	f := &weather.Forecast{Units: "metric",
		Current: weather.Current{Time: at(0, b.Hour(), 0), Temp: fp(2.6), FeelsLike: fp(-1.2), Code: ip(3), IsDay: true,
			Humidity: fp(70), Wind: fp(3.1), Precip: fp(0)}}
	for d := -1; d < 9; d++ {
		for h := range 24 {
			code, prob := 3, 10
			if d == 0 && h >= 15 && h <= 18 {
				code, prob = 61, 70
			}
			f.Hours = append(f.Hours, weather.Hour{Time: at(d, h, 0), Temp: fp(float64(h) / 2), Code: ip(code), PrecipProb: ip(prob)})
		}
		rise, set := at(d, 7, 21), at(d, 17, 15)
		f.Days = append(f.Days, weather.Day{Date: at(d, 0, 0).Format(time.DateOnly), Min: fp(-3.4), Max: fp(8.5),
			Code: ip(61), PrecipProb: ip(70), Sunrise: &rise, Sunset: &set})
	}
	return &weather.Snapshot{
		Forecast: f, ForecastUpdated: at(0, 8, 40),
		Air:      &weather.Air{Time: at(0, 8, 0), PM10: fp(62), PM25: fp(42), Station: "마포구"},
		AirStale: true, AirUpdated: at(0, 8, 5),
	}
}

func TestWeatherOffIsNull(t *testing.T) {
	s := newServer(t, sampleSnapshot(), nil)
	_, body := get(t, s, "/api/dashboard")
	var d map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"weather", "air"} {
		if string(d[k]) != "null" {
			t.Errorf("%s = %s, want null", k, d[k])
		}
	}
	_, page := get(t, s, "/")
	if strings.Contains(page, "icons/weather") || strings.Contains(page, "class=\"wx") {
		t.Error("the page shows weather that is off")
	}
}

func TestWeatherJSON(t *testing.T) {
	s := newWxServer(t, fixedWeather{wxSnapshot()}, "ko")
	_, body := get(t, s, "/api/dashboard")
	var d struct {
		Weather map[string]json.RawMessage `json:"weather"`
		Air     map[string]json.RawMessage `json:"air"`
	}
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatal(err)
	}
	if got, want := keys2(d.Weather), "current days hours stale units updated"; got != want {
		t.Errorf("weather keys %q, want %q", got, want)
	}
	checks := map[string]string{
		"updated": `"2026-11-22T08:40:00+09:00"`, "stale": "false", "units": `"metric"`,
		"current": `{"time":"2026-11-22T09:00:00+09:00","temp":2.6,"feels_like":-1.2,"code":3,"is_day":true,"humidity":70,"wind":3.1,"precip":0}`,
	}
	for k, want := range checks {
		if got := string(d.Weather[k]); got != want {
			t.Errorf("weather.%s = %s, want %s", k, got, want)
		}
	}
	var hours []map[string]any
	json.Unmarshal(d.Weather["hours"], &hours)
	if len(hours) != 24 || hours[0]["time"] != "2026-11-22T09:00:00+09:00" || fmt.Sprint(keys3(hours[0])) != "[code precip_prob temp time]" {
		t.Errorf("hours: %d, first %v", len(hours), hours[0])
	}
	var days []map[string]any
	json.Unmarshal(d.Weather["days"], &days)
	if len(days) != 7 || days[0]["date"] != "2026-11-22" || days[0]["sunrise"] != "2026-11-22T07:21:00+09:00" ||
		fmt.Sprint(keys3(days[0])) != "[code date max min precip_prob sunrise sunset]" {
		t.Errorf("days: %d, first %v", len(days), days[0])
	}
	wantAir := map[string]string{"updated": `"2026-11-22T08:05:00+09:00"`, "stale": "true", "pm10": "62", "pm25": "42",
		"grade": `"나쁨"`, "station": `"마포구"`}
	for k, want := range wantAir {
		if got := string(d.Air[k]); got != want {
			t.Errorf("air.%s = %s, want %s", k, got, want)
		}
	}
	if len(d.Air) != len(wantAir) {
		t.Errorf("air keys %q", keys2(d.Air))
	}
}

// TestWeatherJSONStationDown: a station that measures nothing is null,
// with no grade, never 0; before the first fetch "updated" is null.
func TestWeatherJSONStationDown(t *testing.T) {
	s := newWxServer(t, fixedWeather{&weather.Snapshot{Air: &weather.Air{Time: at(0, 8, 0), Station: "마포구"}, AirUpdated: at(0, 8, 5)}}, "ko")
	_, body := get(t, s, "/api/dashboard")
	for _, want := range []string{`"air":{"updated":"2026-11-22T08:05:00+09:00","stale":false,"pm10":null,"pm25":null,"grade":null,"station":"마포구"}`,
		`"weather":{"updated":null,"stale":false,"current":null,"hours":[],"days":[],"units":"metric"}`} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %s\n%s", want, body)
		}
	}
}

func TestWeatherViews(t *testing.T) {
	for _, tc := range []struct {
		locale                string
		feels, next, lead, pm string
	}{
		{"ko", "체감 -1°", "15시부터 비", "PM2.5", "나쁨"},
		{"en", "feels -1°", "Rain from 15:00", "PM2.5", "Unhealthy"},
	} {
		t.Run(tc.locale, func(t *testing.T) {
			s := newWxServer(t, fixedWeather{wxSnapshot()}, tc.locale)
			v := s.wx.nowView(now)
			if v == nil || v.Icon != "overcast" || v.Temp != "3°" || v.FeelsLike != tc.feels || v.Next != tc.next {
				t.Fatalf("now %+v", v)
			}
			if a := v.Air; a == nil || !a.Stale || a.PMs[0].Label != tc.lead || a.PMs[0].Grade != tc.pm || a.PMs[0].Value != "42" ||
				a.PMs[0].Class != "bad" || a.PMs[1].Label != "PM10" {
				t.Errorf("air %+v", v.Air)
			}
			d := s.wx.dayView("2026-11-23")
			if d == nil || d.Icon != "rain" || d.Max != "9°" || d.Min != "-3°" || d.Prob != "70%" {
				t.Errorf("day %+v", d)
			}
			if s.wx.dayView("2027-01-01") != nil {
				t.Error("a day beyond the forecast has weather")
			}
		})
	}
}

// TestWeatherStaleMark: stale weather beside the clock says when it is
// from; the older of a stale forecast and stale air counts, with the date
// when it is from an earlier day; fresh weather has no mark.
func TestWeatherStaleMark(t *testing.T) {
	tests := []struct {
		name                    string
		locale                  string
		forecastStale, airStale bool
		forecastAt              time.Time
		noForecast              bool
		want                    string
	}{
		{name: "fresh", locale: "ko"},
		{name: "air", locale: "ko", airStale: true, want: "08:05 기준"},
		{name: "forecast", locale: "ko", forecastStale: true, want: "08:40 기준"},
		{name: "both: the older", locale: "ko", forecastStale: true, airStale: true, want: "08:05 기준"},
		{name: "yesterday", locale: "ko", forecastStale: true, forecastAt: now.Add(-20 * time.Hour), want: "11/21 13:00 기준"},
		{name: "english", locale: "en", forecastStale: true, want: "as of 08:40"},
		{name: "air only", locale: "ko", airStale: true, noForecast: true, want: "08:05 기준"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := wxSnapshot()
			snap.ForecastStale, snap.AirStale = tt.forecastStale, tt.airStale
			if !tt.forecastAt.IsZero() {
				snap.ForecastUpdated = tt.forecastAt
			}
			if tt.noForecast {
				snap.Forecast = nil
			}
			s := newWxServer(t, fixedWeather{snap}, tt.locale)
			if v := s.wx.nowView(now); v == nil || v.StaleMark != tt.want {
				t.Fatalf("stale mark of %+v, want %q", v, tt.want)
			}
			_, page := get(t, s, "/")
			_, header, _ := strings.Cut(page, `<header class="top">`)
			header, _, _ = strings.Cut(header, `</header>`)
			if tt.want != "" && strings.Count(header, `<span class="wx-stale">`+tt.want+`</span>`) != 1 {
				t.Errorf("the header does not show %q once: %s", tt.want, header)
			}
			if tt.want == "" && strings.Contains(page, "wx-stale") {
				t.Error("fresh weather is marked stale on the page")
			}
		})
	}
}

// TestWeatherIconsBundled: every icon a code maps to is in the binary,
// static (no animation) and refers to nothing remote.
func TestWeatherIconsBundled(t *testing.T) {
	for _, name := range weather.Icons() {
		b, err := fs.ReadFile(static.FS, "icons/weather/"+name+".svg")
		if err != nil {
			t.Errorf("icon %s: %v", name, err)
			continue
		}
		svg := string(b)
		for _, bad := range []string{"<animate", "@keyframes", "animation", "href=\"http", "url(http", "<script"} {
			if strings.Contains(svg, bad) {
				t.Errorf("icon %s holds %q", name, bad)
			}
		}
	}
	if _, err := fs.Stat(static.FS, "icons/weather/LICENSE"); err != nil {
		t.Errorf("licence: %v", err)
	}
}

func keys2(m map[string]json.RawMessage) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return strings.Join(out, " ")
}

func keys3(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}
