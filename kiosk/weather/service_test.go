package weather

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"kiosk/kiosk/config"
	"kiosk/kiosk/source"
)

func TestForecastFromOpenMeteo(t *testing.T) {
	seoul := mustZone(t, "Asia/Seoul")
	up := newUpstream(t)
	e := newEnv(t, up, time.Date(2026, 12, 4, 8, 5, 0, 0, seoul), config.Weather{Location: "서울 마포구"}, config.Air{})
	if err := e.svc.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	q := up.last(pathForecast)
	for k, want := range map[string]string{
		"latitude": "37.5500", "longitude": "126.9300", "timezone": "Asia/Seoul", "models": "kma_seamless",
		"wind_speed_unit": "ms", "forecast_days": "7", "temperature_unit": "",
	} {
		if got := q.Get(k); got != want {
			t.Errorf("forecast %s = %q, want %q", k, got, want)
		}
	}
	for _, v := range []string{"temperature_2m", "apparent_temperature", "weather_code", "is_day"} {
		if !strings.Contains(q.Get("current"), v) {
			t.Errorf("current = %q lacks %s", q.Get("current"), v)
		}
	}
	snap := e.svc.Snapshot()
	f := snap.Forecast
	if f == nil || snap.ForecastStale || !snap.ForecastUpdated.Equal(e.clock.Now()) {
		t.Fatalf("snapshot %+v", snap)
	}
	c := f.Current
	if !c.Time.Equal(time.Date(2026, 12, 4, 8, 0, 0, 0, seoul)) || *c.Temp != 1.4 || *c.FeelsLike != -2.9 ||
		*c.Code != 3 || !c.IsDay || *c.Humidity != 71 || *c.Wind != 2.7 {
		t.Errorf("current %+v", c)
	}
	if len(f.Hours) != 48 || !f.Hours[15].Time.Equal(time.Date(2026, 12, 4, 15, 0, 0, 0, seoul)) || *f.Hours[15].PrecipProb != 70 {
		t.Errorf("hours: %d, 15:00 = %+v", len(f.Hours), f.Hours[15])
	}
	d := f.Day("2026-12-05")
	if d == nil || *d.Max != 5.2 || d.Min != nil || *d.PrecipProb != 0 ||
		!d.Sunrise.Equal(time.Date(2026, 12, 5, 7, 34, 0, 0, seoul)) {
		t.Errorf("5 Dec %+v", d)
	}
	if f.Place.Name != "마포구" || f.Units != "metric" {
		t.Errorf("place %+v units %q", f.Place, f.Units)
	}
}

func TestModelAndUnits(t *testing.T) {
	tests := []struct {
		name        string
		w           config.Weather
		model, temp string
	}{
		{"auto in Korea", config.Weather{Latitude: f64(35.1), Longitude: f64(129.04)}, "kma_seamless", ""},
		{"auto elsewhere", config.Weather{Latitude: f64(52.52), Longitude: f64(13.41)}, "best_match", ""},
		{"named model", config.Weather{Latitude: f64(37.5), Longitude: f64(127), Model: "ecmwf_ifs025"}, "ecmwf_ifs025", ""},
		{"imperial", config.Weather{Latitude: f64(40.7), Longitude: f64(-74), Units: "imperial"}, "best_match", "fahrenheit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			up := newUpstream(t)
			e := newEnv(t, up, time.Date(2026, 12, 4, 8, 5, 0, 0, mustZone(t, "Asia/Seoul")), tc.w, config.Air{})
			if err := e.svc.Refresh(t.Context()); err != nil {
				t.Fatal(err)
			}
			q := up.last(pathForecast)
			if q.Get("models") != tc.model || q.Get("temperature_unit") != tc.temp {
				t.Errorf("models=%q temperature_unit=%q; want %q, %q", q.Get("models"), q.Get("temperature_unit"), tc.model, tc.temp)
			}
			if up.count(pathGeocode) != 0 {
				t.Errorf("coordinates were geocoded")
			}
		})
	}
}

// TestGeocodedOnce: "서울 마포구" is found as 마포구 in 서울특별시 (not the one
// in 부산), and kept: a restart and a forced refresh do not ask again.
func TestGeocodedOnce(t *testing.T) {
	seoul := mustZone(t, "Asia/Seoul")
	up := newUpstream(t)
	e := newEnv(t, up, time.Date(2026, 12, 4, 8, 0, 0, 0, seoul), config.Weather{Location: "서울  마포구"}, config.Air{})
	if err := e.svc.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := up.count(pathGeocode); n != 2 {
		t.Errorf("%d geocoding requests, want 2 (the whole name, then the last word)", n)
	}
	if q := up.last(pathGeocode); q.Get("language") != "ko" || q.Get("name") != "마포구" {
		t.Errorf("geocoding query %v", q)
	}
	if q := up.last(pathAir); q.Get("latitude") != "37.5500" {
		t.Errorf("air asked for %v", q)
	}
	e.restart()
	if err := e.svc.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := up.count(pathGeocode); n != 2 || up.count(pathForecast) != 2 {
		t.Errorf("after a restart: %d geocoding, %d forecast requests; want 2, 2", n, up.count(pathForecast))
	}
}

func TestUnknownPlace(t *testing.T) {
	up := newUpstream(t)
	e := newEnv(t, up, time.Date(2026, 12, 4, 8, 0, 0, 0, mustZone(t, "Asia/Seoul")), config.Weather{Location: "없는 동네"}, config.Air{})
	err := e.svc.Refresh(t.Context())
	if err == nil || !strings.Contains(err.Error(), `geocoding: no place named "없는 동네"`) {
		t.Fatalf("error %v", err)
	}
	st := e.statuses()
	if st[0].OK || !strings.Contains(st[0].Error, "no place named") || st[0].Kind != "weather" {
		t.Errorf("status %+v", st[0])
	}
}

// TestAirFailsForecastStays: a broken air source is reported on its own
// and the forecast is shown as if nothing happened; the air's last good
// value stays, marked stale.
func TestAirFailsForecastStays(t *testing.T) {
	seoul := mustZone(t, "Asia/Seoul")
	up := newUpstream(t)
	e := newEnv(t, up, time.Date(2026, 12, 4, 8, 0, 0, 0, seoul), config.Weather{Latitude: f64(37.55), Longitude: f64(126.93)}, config.Air{})
	up.set(pathAir, status(http.StatusInternalServerError, `{"error":true,"reason":"Internal error"}`, "application/json"))
	err := e.svc.Refresh(t.Context())
	if err == nil || !strings.Contains(err.Error(), "air: GET "+up.URL+"/v1/air-quality: 500 Internal Server Error: Internal error") {
		t.Fatalf("error %v", err)
	}
	snap := e.svc.Snapshot()
	if snap.Forecast == nil || snap.ForecastStale || snap.Air != nil {
		t.Fatalf("snapshot %+v", snap)
	}
	st := e.statuses()
	if !st[0].OK || st[1].OK || st[1].Kind != "air" || st[1].Failures != 1 {
		t.Errorf("statuses %+v", st)
	}

	up.set(pathAir, serveFile(t, "air-quality.json", "application/json"))
	e.clock.Add(time.Hour + time.Minute) // past the back-off
	if err := e.svc.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if a := e.svc.Snapshot().Air; a == nil || *a.PM25 != 41.6 {
		t.Fatalf("air %+v", a)
	}
	up.set(pathAir, status(http.StatusBadGateway, "<html>bad gateway</html>", "text/html"))
	up.set(pathForecast, status(http.StatusBadGateway, "<html>bad gateway</html>", "text/html"))
	e.clock.Add(2 * time.Hour)
	if err := e.svc.Refresh(t.Context()); err == nil {
		t.Fatal("no error")
	}
	snap = e.svc.Snapshot()
	if snap.Air == nil || !snap.AirStale || snap.Forecast == nil || !snap.ForecastStale {
		t.Errorf("after both failed: %+v; want both kept and stale", snap)
	}
}

// TestNoRequestWithinRefreshPeriod: a restart within the refresh period
// asks nothing, as the store keeps when each source was fetched.
func TestNoRequestWithinRefreshPeriod(t *testing.T) {
	seoul := mustZone(t, "Asia/Seoul")
	up := newUpstream(t)
	e := newEnv(t, up, time.Date(2026, 12, 4, 8, 0, 0, 0, seoul),
		config.Weather{Latitude: f64(37.55), Longitude: f64(126.93), RefreshMinutes: 30}, config.Air{RefreshMinutes: 60})
	run := func() {
		t.Helper()
		if err := e.svc.Refresh(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	run()
	for range 5 {
		run() // the minute job asks every minute
	}
	e.clock.Add(20 * time.Minute)
	e.restart()
	run()
	if f, a := up.count(pathForecast), up.count(pathAir); f != 1 || a != 1 {
		t.Fatalf("within the period, across a restart: %d forecast, %d air requests; want 1, 1", f, a)
	}
	if e.svc.Snapshot().Forecast == nil || e.svc.Snapshot().Air == nil {
		t.Fatal("the restart lost the stored data")
	}
	e.clock.Add(11 * time.Minute) // 31 min: forecast due, air not
	e.restart()
	run()
	if f, a := up.count(pathForecast), up.count(pathAir); f != 2 || a != 1 {
		t.Errorf("after 31 min: %d forecast, %d air requests; want 2, 1", f, a)
	}
}

func TestRetryAfter(t *testing.T) {
	up := newUpstream(t)
	e := newEnv(t, up, time.Date(2026, 12, 4, 8, 0, 0, 0, mustZone(t, "Asia/Seoul")),
		config.Weather{Latitude: f64(37.55), Longitude: f64(126.93)}, config.Air{})
	up.set(pathForecast, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "7200")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"error":true,"reason":"Minutely API request limit exceeded. Please try again in one minute."}`))
	})
	if err := e.svc.Refresh(t.Context()); err == nil {
		t.Fatal("no error")
	}
	st := e.statuses()[0]
	if st.NextTry == nil || st.NextTry.Sub(e.clock.Now()) != 2*time.Hour || !strings.Contains(st.Error, "request limit exceeded") {
		t.Fatalf("status %+v", st)
	}
	e.clock.Add(time.Hour)
	e.svc.Refresh(t.Context())
	if n := up.count(pathForecast); n != 1 {
		t.Errorf("%d requests before Retry-After passed", n)
	}
}

func TestAirKorea(t *testing.T) {
	const key = "Ab+Cd/Ef12=="
	tests := []struct {
		name    string
		h       func(t *testing.T) http.HandlerFunc
		pm10    *float64
		pm25    *float64
		when    string
		wantErr string
	}{
		{"measured", func(t *testing.T) http.HandlerFunc { return serveFile(t, "airkorea.json", "application/json") },
			f64(62), f64(42), "2026-12-04 07:00", ""},
		{"station down", func(t *testing.T) http.HandlerFunc { return serveFile(t, "airkorea-down.json", "application/json") },
			nil, nil, "2026-12-04 00:00", ""},
		{"error envelope", func(t *testing.T) http.HandlerFunc {
			return serveFile(t, "airkorea-error.json", "application/json")
		}, nil, nil, "", "AirKorea answered 03 NODATA_ERROR (no data for this station: check air.station)"},
		{"portal refuses the key", func(t *testing.T) http.HandlerFunc { return serveFile(t, "portal-error.xml", "text/xml") },
			nil, nil, "", "data.go.kr refused the request: SERVICE_KEY_IS_NOT_REGISTERED_ERROR (the service key is not registered"},
		{"html error page", func(t *testing.T) http.HandlerFunc { return serveFile(t, "error.html", "text/html;charset=UTF-8") },
			nil, nil, "", "answered with a page that is not JSON (text/html)"},
		{"html with 502", func(t *testing.T) http.HandlerFunc {
			return status(http.StatusBadGateway, "<html><body>"+key+"</body></html>", "text/html")
		}, nil, nil, "", "502 Bad Gateway"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			up := newUpstream(t)
			up.set(pathAirKorea, tc.h(t))
			e := newEnv(t, up, time.Date(2026, 12, 4, 8, 0, 0, 0, mustZone(t, "Asia/Seoul")),
				config.Weather{Latitude: f64(37.55), Longitude: f64(126.93)},
				config.Air{Provider: "airkorea", Station: "마포구", ServiceKey: key})
			err := e.svc.Refresh(t.Context())
			q := up.last(pathAirKorea)
			if q.Get("serviceKey") != key || q.Get("stationName") != "마포구" || q.Get("returnType") != "json" || q.Get("ver") == "" {
				t.Errorf("query %v", q)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				if e.svc.Snapshot().Forecast == nil {
					t.Error("the air's failure hid the forecast")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			a := e.svc.Snapshot().Air
			if !eq(a.PM10, tc.pm10) || !eq(a.PM25, tc.pm25) || a.Station != "마포구" || a.Time.In(kst).Format("2006-01-02 15:04") != tc.when {
				t.Errorf("air %+v", a)
			}
			b, _ := json.Marshal(a)
			if tc.pm10 == nil && !strings.Contains(string(b), `"pm10":null`) {
				t.Errorf("a station that is down must be null, never 0: %s", b)
			}
		})
	}
}

func eq(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// TestAirKoreaKeyForms: an encoded key goes into the query as given, a
// plain one is escaped, so the server sees the same key either way.
func TestAirKoreaKeyForms(t *testing.T) {
	for _, key := range []string{"Ab%2BCd%2FEf12%3D%3D", "Ab+Cd/Ef12=="} {
		raw := airKoreaQuery(key, "종로구")
		if !strings.HasPrefix(raw, "serviceKey=Ab%2BCd%2FEf12%3D%3D&") {
			t.Errorf("%s: query %s", key, raw)
		}
	}
}

func TestGrades(t *testing.T) {
	tests := []struct {
		pm10, pm25 *float64
		want       Grade
		which      string
	}{
		{f64(30), f64(15), GradeGood, "PM2.5"},
		{f64(31), f64(15), GradeModerate, "PM10"},
		{f64(80.4), f64(35.4), GradeModerate, "PM2.5"},
		{f64(81), f64(10), GradeBad, "PM10"},
		{f64(20), f64(36), GradeBad, "PM2.5"},
		{f64(150), f64(76), GradeVeryBad, "PM2.5"},
		{f64(151), nil, GradeVeryBad, "PM10"},
		{nil, nil, GradeNone, "PM2.5"},
	}
	for _, tc := range tests {
		g, which := Air{PM10: tc.pm10, PM25: tc.pm25}.Worst()
		if g != tc.want || which != tc.which {
			t.Errorf("%v/%v: %v %s, want %v %s", val(tc.pm10), val(tc.pm25), g, which, tc.want, tc.which)
		}
	}
	if GradeBad.Word("ko") != "나쁨" || GradeBad.Word("en") != "Unhealthy" || GradeNone.Word("ko") != "측정 중단" || GradeOf("매우나쁨") != GradeVeryBad {
		t.Error("grade words")
	}
}

func val(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func TestWeatherCodes(t *testing.T) {
	tests := []struct {
		code      *int
		isDay     bool
		icon      string
		ko, en    string
		wet, snow bool
	}{
		{intp(0), true, "clear-day", "맑음", "Clear", false, false},
		{intp(0), false, "clear-night", "맑음", "Clear", false, false},
		{intp(2), false, "cloudy", "구름 많음", "Partly cloudy", false, false},
		{intp(3), true, "overcast", "흐림", "Overcast", false, false},
		{intp(45), true, "fog", "안개", "Fog", false, false},
		{intp(53), true, "drizzle", "이슬비", "Drizzle", true, false},
		{intp(63), true, "rain", "비", "Rain", true, false},
		{intp(66), true, "sleet", "어는 비", "Freezing rain", true, false},
		{intp(75), true, "snow", "강한 눈", "Heavy snow", true, true},
		{intp(81), false, "partly-cloudy-night-rain", "소나기", "Showers", true, false},
		{intp(85), true, "partly-cloudy-day-snow", "약한 소낙눈", "Light snow showers", true, true},
		{intp(95), true, "thunderstorms", "뇌우", "Thunderstorm", true, false},
		{intp(99), true, "hail", "강한 우박을 동반한 뇌우", "Thunderstorm with heavy hail", true, false},
		{intp(42), true, "not-available", "정보 없음", "Unknown", false, false},
		{nil, true, "not-available", "정보 없음", "Unknown", false, false},
	}
	for _, tc := range tests {
		c := ConditionOf(tc.code)
		if c.IconFor(tc.isDay) != tc.icon || c.Words("ko") != tc.ko || c.Words("en") != tc.en ||
			Wet(tc.code) != tc.wet || Snowy(tc.code) != tc.snow {
			t.Errorf("code %v: %s %q %q wet %v snow %v", val2(tc.code), c.IconFor(tc.isDay), c.Words("ko"), c.Words("en"), Wet(tc.code), Snowy(tc.code))
		}
	}
}

func val2(v *int) any {
	if v == nil {
		return nil
	}
	return *v
}

func TestOpenMeteoErrorReason(t *testing.T) {
	up := newUpstream(t)
	up.set(pathForecast, status(http.StatusBadRequest,
		`{"reason":"Cannot initialize WeatherVariable from invalid String value tempeture_2m for key hourly","error":true}`, "application/json"))
	e := newEnv(t, up, time.Date(2026, 12, 4, 8, 0, 0, 0, mustZone(t, "Asia/Seoul")),
		config.Weather{Latitude: f64(37.55), Longitude: f64(126.93), Model: "no_such_model"}, config.Air{})
	err := e.svc.Refresh(t.Context())
	if err == nil || !strings.Contains(err.Error(), "weather: GET "+up.URL+"/v1/forecast: 400 Bad Request: Cannot initialize") {
		t.Fatalf("error %v", err)
	}
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		t.Error("a 400 is no Retry-After")
	}
}

// TestKeyNeverShown: the AirKorea key travels in the query string; no
// error, status or log line may carry it, in any of its forms.
func TestKeyNeverShown(t *testing.T) {
	const key = "Zx9+Secret/Key0=="
	forms := Secrets(key)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	tests := []struct {
		name     string
		endpoint func(up *upstream) string
		h        http.HandlerFunc
	}{
		{"connection refused", func(*upstream) string { return closedURL }, nil},
		{"timeout", nil, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }},
		{"redirect loop", nil, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.String(), http.StatusFound)
		}},
		{"error echoing the request", nil, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"response":{"header":{"resultCode":"99","resultMsg":"bad request %s"}}}`, r.URL.RawQuery)
		}},
		{"500 echoing the request", nil, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(500)
			fmt.Fprintf(w, `{"reason":"%s"}`, r.URL.String())
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			up := newUpstream(t)
			if tc.h != nil {
				up.set(pathAirKorea, tc.h)
			}
			a := config.Air{Provider: "airkorea", Station: "마포구", ServiceKey: key}
			if tc.endpoint != nil {
				a.Endpoint = tc.endpoint(up)
			}
			e := newEnv(t, up, time.Date(2026, 12, 4, 8, 0, 0, 0, mustZone(t, "Asia/Seoul")),
				config.Weather{Latitude: f64(37.55), Longitude: f64(126.93)}, a)
			e.opts.HTTPClient = &http.Client{Timeout: 200 * time.Millisecond}
			e.scrub = source.NewScrubber(forms...) // as main builds it
			e.restart()
			err := e.svc.Refresh(t.Context())
			if err == nil {
				t.Fatal("no error")
			}
			texts := map[string]string{"status": e.statuses()[1].Error, "log": e.logs.String()}
			if tc.h == nil || tc.name == "timeout" || tc.name == "redirect loop" {
				texts["error"] = err.Error() // scrubbed by construction, not by the scrubber
			}
			for where, text := range texts {
				for _, f := range forms {
					if strings.Contains(text, f) {
						t.Errorf("%s holds %q: %s", where, f, text)
					}
				}
			}
			if !strings.HasPrefix(texts["status"], "air: ") {
				t.Errorf("status error %q does not name the source", texts["status"])
			}
		})
	}
}

func TestPickPlace(t *testing.T) {
	seoul := omPlace{Name: "중구", Admin1: "서울특별시", Latitude: 37.56}
	busan := omPlace{Name: "중구", Admin1: "부산광역시", Latitude: 35.1}
	english := omPlace{Name: "Mapo-gu", Admin1: "Seoul", Latitude: 37.55}
	tests := []struct {
		name    string
		results []omPlace
		words   []string
		want    float64
		ok      bool
	}{
		{"one word takes the first", []omPlace{busan, seoul}, nil, 35.1, true},
		{"the other words pick", []omPlace{busan, seoul}, []string{"서울"}, 37.56, true},
		{"a single match is taken", []omPlace{english}, []string{"서울"}, 37.55, true},
		{"ambiguous without a hint", []omPlace{busan, seoul}, []string{"대전"}, 0, false},
		{"nothing found", nil, []string{"서울"}, 0, false},
	}
	for _, tc := range tests {
		got, ok := pick(tc.results, tc.words)
		if ok != tc.ok || ok && got.Latitude != tc.want {
			t.Errorf("%s: %+v %v, want %v %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
