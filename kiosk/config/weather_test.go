package config

import (
	"strings"
	"testing"
)

func TestWeatherOffByDefault(t *testing.T) {
	c, err := Parse([]byte("locale: ko\n"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if c.WeatherOn() || c.Air != nil {
		t.Errorf("weather on %v, air %+v: want both off with no place", c.WeatherOn(), c.Air)
	}
	r := c.WeatherReminders
	if r.MorningAt != "07:30" || *r.RainPercent != 60 || r.DustGrade != "나쁨" {
		t.Errorf("weather_reminders defaults %+v", r)
	}
}

func TestWeatherDefaults(t *testing.T) {
	c, err := Parse([]byte("weather:\n  location: 서울 마포구\n"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	w, a := c.Weather, c.Air
	if !c.WeatherOn() || a == nil {
		t.Fatalf("weather on %v, air %v", c.WeatherOn(), a)
	}
	got := []any{w.Provider, w.Model, w.Endpoint, w.GeocodingEndpoint, w.RefreshMinutes, w.Units,
		a.Provider, a.Endpoint, a.RefreshMinutes}
	want := []any{"open-meteo", "auto", "https://api.open-meteo.com", "https://geocoding-api.open-meteo.com", 30, "metric",
		"open-meteo", "https://air-quality-api.open-meteo.com", 60}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("default %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestAirKoreaKey(t *testing.T) {
	env := func(k string) string {
		if k == "KIOSK_AIRKOREA_KEY" {
			return "abc%2Bdef==\n"
		}
		return ""
	}
	c, err := Parse([]byte(`weather:
  latitude: 37.5665
  longitude: 126.9780
air:
  provider: airkorea
  station: 마포구
  service_key_env: KIOSK_AIRKOREA_KEY
`), env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Air.ServiceKey.Reveal() != "abc%2Bdef==" || c.Air.Endpoint != "https://apis.data.go.kr" {
		t.Errorf("air %+v", c.Air)
	}
}

func TestWeatherErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"location and point", "weather:\n  location: 서울\n  latitude: 37.5\n  longitude: 127\n",
			[]string{"line 2: weather.location: set location or latitude/longitude, not both"}},
		{"latitude alone", "weather:\n  latitude: 37.5\n", []string{"weather.latitude: latitude and longitude go together"}},
		{"latitude range", "weather:\n  latitude: 97.5\n  longitude: 127\n", []string{"line 2: weather.latitude: must be from -90 to 90"}},
		{"units", "weather:\n  location: 서울\n  units: kelvin\n", []string{"line 3: weather.units: must be metric or imperial"}},
		{"provider", "weather:\n  location: 서울\n  provider: kma\n", []string{"weather.provider: must be open-meteo"}},
		{"refresh too often", "weather:\n  location: 서울\n  refresh_minutes: 1\n", []string{"weather.refresh_minutes: must be from 10"}},
		{"air without place", "air:\n  provider: open-meteo\n", []string{"line 1: air: needs a weather location"}},
		{"airkorea without station or key", "weather:\n  location: 서울\nair:\n  provider: airkorea\n",
			[]string{"air.station: is required", "air.service_key_env: airkorea needs a data.go.kr service key"}},
		{"airkorea key env empty", "weather:\n  location: 서울\nair:\n  provider: airkorea\n  station: 중구\n  service_key_env: NOPE\n",
			[]string{"line 6: air.service_key_env: environment variable NOPE is empty or unset"}},
		{"air provider", "weather:\n  location: 서울\nair:\n  provider: iqair\n", []string{"line 4: air.provider: must be open-meteo or airkorea"}},
		{"morning_at", "weather_reminders:\n  morning_at: 7:30\n", []string{"line 2: weather_reminders.morning_at: must be a time"}},
		{"rain_percent", "weather_reminders:\n  rain_percent: 120\n", []string{"weather_reminders.rain_percent: must be from 0 (off) to 100"}},
		{"dust_grade", "weather_reminders:\n  dust_grade: bad\n", []string{"weather_reminders.dust_grade: must be 보통, 나쁨, 매우나쁨 or off"}},
		{"name taken", "calendars:\n  - name: air\n    ics: {url: https://example.com/a.ics}\nweather:\n  location: 서울\n",
			[]string{`line 2: calendars[0].name: the name "air" is taken by the weather`}},
		{"unknown key", "weather:\n  location: 서울\n  city: 서울\n", []string{`unknown key "city"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), noEnv)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestRainPercentZeroTurnsUmbrellaOff(t *testing.T) {
	c, err := Parse([]byte("weather_reminders:\n  rain_percent: 0\n  dust_grade: \"off\"\n"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if *c.WeatherReminders.RainPercent != 0 || c.WeatherReminders.DustGrade != "off" {
		t.Errorf("%+v", c.WeatherReminders)
	}
}
