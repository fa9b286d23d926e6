package weather

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxDays is the longest forecast Open-Meteo gives.
const MaxDays = 16

// inKorea is a box around South Korea, where "auto" picks KMA's models.
func inKorea(lat, lon float64) bool {
	return lat >= 33 && lat <= 38.7 && lon >= 124.5 && lon <= 131
}

// Model resolves the configured model for a place: "auto" is KMA's
// kma_seamless inside Korea and best_match elsewhere.
func Model(model string, p Place) string {
	if model != "" && model != "auto" {
		return model
	}
	if p.Country == "KR" || p.Country == "" && inKorea(p.Latitude, p.Longitude) {
		return "kma_seamless"
	}
	return "best_match"
}

// forecastQuery is the request of {endpoint}/v1/forecast.
func forecastQuery(p Place, model, units string, days int, loc *time.Location) url.Values {
	q := url.Values{}
	q.Set("latitude", strconv.FormatFloat(p.Latitude, 'f', 4, 64))
	q.Set("longitude", strconv.FormatFloat(p.Longitude, 'f', 4, 64))
	q.Set("current", "temperature_2m,apparent_temperature,relative_humidity_2m,is_day,weather_code,wind_speed_10m,precipitation")
	q.Set("hourly", "temperature_2m,weather_code,precipitation_probability,precipitation")
	q.Set("daily", "weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max,sunrise,sunset")
	q.Set("timezone", loc.String())
	q.Set("forecast_days", strconv.Itoa(min(max(days, 1), MaxDays)))
	q.Set("models", model)
	if units == "imperial" {
		q.Set("temperature_unit", "fahrenheit")
		q.Set("wind_speed_unit", "mph")
		q.Set("precipitation_unit", "inch")
	} else {
		q.Set("wind_speed_unit", "ms")
	}
	return q
}

// omForecast is Open-Meteo's forecast answer. Numbers are floats (codes
// too, to be lenient); nulls stay nil.
type omForecast struct {
	Current struct {
		Time     string   `json:"time"`
		Temp     *float64 `json:"temperature_2m"`
		Feels    *float64 `json:"apparent_temperature"`
		Humidity *float64 `json:"relative_humidity_2m"`
		IsDay    *float64 `json:"is_day"`
		Code     *float64 `json:"weather_code"`
		Wind     *float64 `json:"wind_speed_10m"`
		Precip   *float64 `json:"precipitation"`
	} `json:"current"`
	Hourly struct {
		Time   []string   `json:"time"`
		Temp   []*float64 `json:"temperature_2m"`
		Code   []*float64 `json:"weather_code"`
		Prob   []*float64 `json:"precipitation_probability"`
		Precip []*float64 `json:"precipitation"`
	} `json:"hourly"`
	Daily struct {
		Time    []string   `json:"time"`
		Code    []*float64 `json:"weather_code"`
		Max     []*float64 `json:"temperature_2m_max"`
		Min     []*float64 `json:"temperature_2m_min"`
		Prob    []*float64 `json:"precipitation_probability_max"`
		Sunrise []string   `json:"sunrise"`
		Sunset  []string   `json:"sunset"`
	} `json:"daily"`
}

// localTime parses Open-Meteo's "2006-01-02T15:04", local to loc.
func localTime(s string, loc *time.Location) (time.Time, error) {
	return time.ParseInLocation("2006-01-02T15:04", s, loc)
}

// parseForecast reads a forecast answer; loc is the zone it was asked in.
func parseForecast(body []byte, loc *time.Location) (Forecast, error) {
	var r omForecast
	if err := json.Unmarshal(body, &r); err != nil {
		return Forecast{}, fmt.Errorf("decode: %w", err)
	}
	var f Forecast
	c := r.Current
	if c.Time != "" {
		t, err := localTime(c.Time, loc)
		if err != nil {
			return Forecast{}, fmt.Errorf("current time %q: %w", c.Time, err)
		}
		f.Current = Current{Time: t, Temp: num(c.Temp), FeelsLike: num(c.Feels), Code: code(c.Code),
			IsDay: c.IsDay == nil || *c.IsDay != 0, Humidity: num(c.Humidity), Wind: num(c.Wind), Precip: num(c.Precip)}
	}
	h := r.Hourly
	for i, s := range h.Time {
		t, err := localTime(s, loc)
		if err != nil {
			return Forecast{}, fmt.Errorf("hourly time %q: %w", s, err)
		}
		f.Hours = append(f.Hours, Hour{Time: t, Temp: at(h.Temp, i), Code: code(at(h.Code, i)),
			PrecipProb: percent(at(h.Prob, i)), Precip: at(h.Precip, i)})
	}
	d := r.Daily
	for i, s := range d.Time {
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return Forecast{}, fmt.Errorf("daily date %q: %w", s, err)
		}
		day := Day{Date: s, Min: at(d.Min, i), Max: at(d.Max, i), Code: code(at(d.Code, i)), PrecipProb: percent(at(d.Prob, i))}
		if i < len(d.Sunrise) {
			if t, err := localTime(d.Sunrise[i], loc); err == nil {
				day.Sunrise = &t
			}
		}
		if i < len(d.Sunset) {
			if t, err := localTime(d.Sunset[i], loc); err == nil {
				day.Sunset = &t
			}
		}
		f.Days = append(f.Days, day)
	}
	if c.Time == "" && len(f.Hours) == 0 && len(f.Days) == 0 {
		return Forecast{}, fmt.Errorf("the answer holds no forecast")
	}
	return f, nil
}

func at(v []*float64, i int) *float64 {
	if i < len(v) {
		return num(v[i])
	}
	return nil
}

// num drops NaN and infinities, which JSON cannot carry back out.
func num(v *float64) *float64 {
	if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return nil
	}
	return v
}

func code(v *float64) *int {
	if v = num(v); v == nil || *v < 0 || *v > 99 {
		return nil
	}
	n := int(math.Round(*v))
	return &n
}

func percent(v *float64) *int {
	if v = num(v); v == nil {
		return nil
	}
	n := min(max(int(math.Round(*v)), 0), 100)
	return &n
}

// geocodeQuery is the request of {endpoint}/v1/search.
func geocodeQuery(name, language string) url.Values {
	q := url.Values{}
	q.Set("name", name)
	q.Set("count", "10")
	q.Set("language", language)
	q.Set("format", "json")
	return q
}

type omPlace struct {
	Name        string  `json:"name"`
	Latitude    float64 `json:"latitude"`
	Longitude   float64 `json:"longitude"`
	CountryCode string  `json:"country_code"`
	Admin1      string  `json:"admin1"`
	Admin2      string  `json:"admin2"`
	Admin3      string  `json:"admin3"`
	Population  int     `json:"population"`
}

// parsePlaces reads a geocoding answer; no "results" means no match.
func parsePlaces(body []byte) ([]omPlace, error) {
	var r struct {
		Results []omPlace `json:"results"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return r.Results, nil
}

// pick chooses among the matches of the last word of a name like
// "서울 마포구" the one whose regions name the other words; a single match
// is taken even when they do not (its regions may be spelled otherwise).
func pick(results []omPlace, words []string) (omPlace, bool) {
	best, bestScore := omPlace{}, -1
	for _, r := range results {
		score := 0
		regions := r.Admin1 + " " + r.Admin2 + " " + r.Admin3 + " " + r.Name
		for _, w := range words {
			if strings.Contains(regions, w) {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = r, score
		}
	}
	return best, bestScore >= 0 && (len(words) == 0 || bestScore > 0 || len(results) == 1)
}

// airQuery is the request of {endpoint}/v1/air-quality.
func airQuery(p Place, loc *time.Location) url.Values {
	q := url.Values{}
	q.Set("latitude", strconv.FormatFloat(p.Latitude, 'f', 4, 64))
	q.Set("longitude", strconv.FormatFloat(p.Longitude, 'f', 4, 64))
	q.Set("current", "pm10,pm2_5")
	q.Set("timezone", loc.String())
	return q
}

func parseAir(body []byte, loc *time.Location) (Air, error) {
	var r struct {
		Current *struct {
			Time string   `json:"time"`
			PM10 *float64 `json:"pm10"`
			PM25 *float64 `json:"pm2_5"`
		} `json:"current"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return Air{}, fmt.Errorf("decode: %w", err)
	}
	if r.Current == nil {
		return Air{}, fmt.Errorf("the answer holds no current values")
	}
	t, err := localTime(r.Current.Time, loc)
	if err != nil {
		return Air{}, fmt.Errorf("time %q: %w", r.Current.Time, err)
	}
	return Air{Time: t, PM10: nonNegative(r.Current.PM10), PM25: nonNegative(r.Current.PM25)}, nil
}

func nonNegative(v *float64) *float64 {
	if v = num(v); v == nil || *v < 0 {
		return nil
	}
	return v
}
