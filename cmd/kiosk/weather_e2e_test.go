package main

// End-to-end: the real server with a weather location, against fakes of
// Open-Meteo and AirKorea, read back through /api/dashboard and the pages.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"kiosk/kiosk/weather"
)

// wxFake answers like Open-Meteo's forecast and geocoding APIs and
// AirKorea, with a forecast for the days around today in Seoul.
type wxFake struct {
	*httptest.Server
	mu     sync.Mutex
	counts map[string]int
	air    http.HandlerFunc // AirKorea's answer
}

func newWxFake(t *testing.T) *wxFake {
	f := &wxFake{counts: map[string]int{}}
	seoul, _ := time.LoadLocation("Asia/Seoul")
	f.air = func(w http.ResponseWriter, _ *http.Request) {
		now := time.Now().In(seoul)
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		fmt.Fprintf(w, `{"response":{"body":{"totalCount":1,"items":[{"dataTime":%q,"stationName":"마포구","pm10Value":"62","pm25Value":"42","pm10Grade":"2","pm25Grade":"3","pm10Flag":null,"pm25Flag":null}],"pageNo":1,"numOfRows":1},"header":{"resultMsg":"NORMAL_CODE","resultCode":"00"}}}`,
			now.Format("2006-01-02 15:00"))
	}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.counts[r.URL.Path]++
		air := f.air
		f.mu.Unlock()
		switch r.URL.Path {
		case "/v1/search":
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			if r.URL.Query().Get("name") != "마포구" {
				io.WriteString(w, `{"generationtime_ms":0.3}`)
				return
			}
			io.WriteString(w, `{"results":[{"id":1841603,"name":"마포구","latitude":37.55,"longitude":126.93,"country_code":"KR","admin1":"서울특별시","timezone":"Asia/Seoul"}],"generationtime_ms":0.9}`)
		case "/v1/forecast":
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Write(forecastJSON(time.Now().In(seoul), r.URL.Query().Get("timezone")))
		case weather.AirKoreaPath:
			air(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *wxFake) count(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[path]
}

// forecastJSON is an Open-Meteo answer for yesterday to a week ahead.
func forecastJSON(now time.Time, zone string) []byte {
	day0 := time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, now.Location())
	var hours, days, rise, set []string
	var temps, probs []float64
	var codes []int
	for d := range 9 {
		date := day0.AddDate(0, 0, d)
		days = append(days, date.Format("2006-01-02"))
		rise = append(rise, date.Format("2006-01-02")+"T07:30")
		set = append(set, date.Format("2006-01-02")+"T17:15")
		for h := range 24 {
			hours = append(hours, date.Add(time.Duration(h)*time.Hour).Format("2006-01-02T15:04"))
			temps = append(temps, float64(h)/3)
			probs = append(probs, 20)
			codes = append(codes, 2)
		}
	}
	b, _ := json.Marshal(map[string]any{
		"latitude": 37.55, "longitude": 126.9375, "utc_offset_seconds": 32400, "timezone": zone,
		"current_units": map[string]string{"time": "iso8601", "temperature_2m": "°C"},
		"current": map[string]any{"time": now.Truncate(15 * time.Minute).Format("2006-01-02T15:04"), "interval": 900,
			"temperature_2m": 4.2, "apparent_temperature": 1.1, "relative_humidity_2m": 55, "is_day": 1,
			"weather_code": 2, "wind_speed_10m": 2.4, "precipitation": 0},
		"hourly": map[string]any{"time": hours, "temperature_2m": temps, "weather_code": codes,
			"precipitation_probability": probs, "precipitation": make([]float64, len(hours))},
		"daily": map[string]any{"time": days, "weather_code": make([]int, len(days)), "temperature_2m_max": make([]float64, len(days)),
			"temperature_2m_min": make([]float64, len(days)), "precipitation_probability_max": make([]int, len(days)),
			"sunrise": rise, "sunset": set},
	})
	return b
}

type wxDashboard struct {
	Weather *struct {
		Updated *string `json:"updated"`
		Current *struct {
			Temp *float64 `json:"temp"`
		} `json:"current"`
		Days []struct {
			Date string `json:"date"`
		} `json:"days"`
	} `json:"weather"`
	Air *struct {
		PM25  *float64 `json:"pm25"`
		Grade *string  `json:"grade"`
	} `json:"air"`
	Sources []struct {
		Name, Kind, Error string
		OK                bool `json:"ok"`
	} `json:"sources"`
}

// serveWeather runs the server with cfg and env until ready holds, then
// returns the dashboard, the named pages and the log, and stops it.
func serveWeather(t *testing.T, cfg, dataDir string, env func(string) string, ready func(wxDashboard) bool, pages ...string) (wxDashboard, map[string]string, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kiosk.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var logs bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-config", path, "-addr", addr, "-data", dataDir}, env, &bytes.Buffer{}, &logs)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	}()
	var d wxDashboard
	for deadline := time.Now().Add(30 * time.Second); ; {
		d = wxDashboard{}
		if res, err := http.Get("http://" + addr + "/api/dashboard"); err == nil {
			json.NewDecoder(res.Body).Decode(&d)
			res.Body.Close()
			if ready(d) {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %+v\n%s", d, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	got := map[string]string{}
	for _, p := range pages {
		res, err := http.Get("http://" + addr + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		got[p] = string(b)
	}
	return d, got, logs.String()
}

const testKey = "Wx7+TestKey/NotReal=="

func keyEnv(k string) string {
	if k == "KIOSK_AIRKOREA_KEY" {
		return testKey
	}
	return ""
}

// TestWeatherEndToEnd: the dashboard shows the weather and the air within
// seconds of the first fetch, and a restart within the refresh period
// asks neither Open-Meteo nor AirKorea again.
func TestWeatherEndToEnd(t *testing.T) {
	fake := newWxFake(t)
	cfg := fmt.Sprintf(`timezone: Asia/Seoul
weather:
  location: 서울 마포구
  endpoint: %[1]s
  geocoding_endpoint: %[1]s
air:
  provider: airkorea
  station: 마포구
  endpoint: %[1]s
  service_key_env: KIOSK_AIRKOREA_KEY
`, fake.URL)
	ready := func(d wxDashboard) bool {
		return d.Weather != nil && d.Weather.Current != nil && d.Air != nil && d.Air.PM25 != nil
	}
	data := t.TempDir()
	d, _, _ := serveWeather(t, cfg, data, keyEnv, ready)
	if *d.Weather.Current.Temp != 4.2 || *d.Air.PM25 != 42 || *d.Air.Grade != "나쁨" || len(d.Weather.Days) != 7 {
		t.Errorf("dashboard %+v %+v", d.Weather, d.Air)
	}
	kinds := map[string]bool{}
	for _, s := range d.Sources {
		kinds[s.Kind] = s.OK
	}
	if !kinds["weather"] || !kinds["air"] {
		t.Errorf("sources %+v", d.Sources)
	}
	counts := []int{fake.count("/v1/search"), fake.count("/v1/forecast"), fake.count(weather.AirKoreaPath)}
	if counts[0] != 2 || counts[1] != 1 || counts[2] != 1 {
		t.Fatalf("first run: geocoding, forecast, air requests %v; want [2 1 1]", counts)
	}
	serveWeather(t, cfg, data, keyEnv, ready)
	again := []int{fake.count("/v1/search"), fake.count("/v1/forecast"), fake.count(weather.AirKoreaPath)}
	if fmt.Sprint(again) != fmt.Sprint(counts) {
		t.Errorf("a restart within the refresh period asked again: %v → %v", counts, again)
	}
}

// TestWeatherKeyNeverShown: AirKorea failing with errors that repeat the
// request leaves the key out of every page, API answer and log line.
func TestWeatherKeyNeverShown(t *testing.T) {
	fake := newWxFake(t)
	fake.mu.Lock()
	fake.air = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `{"reason":%q}`, "bad request "+r.URL.String()+" key "+r.URL.Query().Get("serviceKey"))
	}
	fake.mu.Unlock()
	cfg := fmt.Sprintf(`timezone: Asia/Seoul
weather:
  latitude: 37.55
  longitude: 126.93
  endpoint: %[1]s
air:
  provider: airkorea
  station: 마포구
  endpoint: %[1]s
  service_key_env: KIOSK_AIRKOREA_KEY
`, fake.URL)
	ready := func(d wxDashboard) bool {
		for _, s := range d.Sources {
			if s.Kind == "air" && s.Error != "" {
				return d.Weather != nil && d.Weather.Current != nil
			}
		}
		return false
	}
	d, pages, logs := serveWeather(t, cfg, t.TempDir(), keyEnv, ready, "/", "/api/dashboard", "/api/status", "/status", "/partial/status")
	pages["log"] = logs
	if !strings.Contains(logs, "source=air") {
		t.Errorf("the failure was not logged:\n%s", logs)
	}
	for where, text := range pages {
		for _, form := range weather.Secrets(testKey) {
			if strings.Contains(text, form) {
				t.Errorf("%s holds the key as %q", where, form)
			}
		}
		if strings.Contains(text, url.QueryEscape(testKey)[:10]) {
			t.Errorf("%s holds part of the key", where)
		}
	}
	if d.Air == nil || d.Air.PM25 != nil {
		t.Errorf("air %+v: want an empty air beside the forecast", d.Air)
	}
}
