package config

import (
	"fmt"
	"strings"
)

// Weather is the forecast section. It is on when it names a place: a
// location (geocoded once) or a latitude and longitude.
type Weather struct {
	Location          string   `yaml:"location"`
	Latitude          *float64 `yaml:"latitude"`
	Longitude         *float64 `yaml:"longitude"`
	Provider          string   `yaml:"provider"`
	Model             string   `yaml:"model"`
	Endpoint          string   `yaml:"endpoint"`
	GeocodingEndpoint string   `yaml:"geocoding_endpoint"`
	RefreshMinutes    int      `yaml:"refresh_minutes"`
	Units             string   `yaml:"units"`
}

// Air is the fine-dust section; it is on whenever the weather is.
type Air struct {
	Provider       string `yaml:"provider"`
	Station        string `yaml:"station"`
	Endpoint       string `yaml:"endpoint"`
	ServiceKeyEnv  string `yaml:"service_key_env"`
	ServiceKeyFile string `yaml:"service_key_file"`
	RefreshMinutes int    `yaml:"refresh_minutes"`

	// ServiceKey is resolved from ServiceKeyEnv or ServiceKeyFile by Load.
	ServiceKey Secret `yaml:"-"`
}

// WeatherReminders are the umbrella and mask pop-ups of the morning.
type WeatherReminders struct {
	MorningAt   string `yaml:"morning_at"`
	RainPercent *int   `yaml:"rain_percent"` // nil: 60; 0 turns the umbrella off
	DustGrade   string `yaml:"dust_grade"`   // 보통, 나쁨, 매우나쁨 or off
}

// Weather and air defaults.
const (
	DefaultWeatherEndpoint   = "https://api.open-meteo.com"
	DefaultGeocodingEndpoint = "https://geocoding-api.open-meteo.com"
	DefaultAirEndpoint       = "https://air-quality-api.open-meteo.com"
	DefaultAirKoreaEndpoint  = "https://apis.data.go.kr"
	DefaultMorningAt         = "07:30"
	DefaultRainPercent       = 60
	DefaultDustGrade         = "나쁨"
)

// DustGrades are the Korean fine-dust grades, best first.
var DustGrades = []string{"좋음", "보통", "나쁨", "매우나쁨"}

// WeatherOn reports whether the weather and air sections are on.
func (c *Config) WeatherOn() bool {
	w := c.Weather
	return w != nil && (w.Location != "" || w.Latitude != nil || w.Longitude != nil)
}

// validateWeather fills the defaults of weather, air and weather_reminders
// and checks them. With no place set, weather and air are off.
func (c *Config) validateWeather(p *problems, getenv Env) {
	r := &c.WeatherReminders
	if r.MorningAt == "" {
		r.MorningAt = DefaultMorningAt
	}
	checkClock(p, "weather_reminders.morning_at", r.MorningAt)
	if r.RainPercent == nil {
		r.RainPercent = intp(DefaultRainPercent)
	} else if *r.RainPercent < 0 || *r.RainPercent > 100 {
		p.add("weather_reminders.rain_percent", "must be from 0 (off) to 100, not %d", *r.RainPercent)
	}
	switch r.DustGrade {
	case "":
		r.DustGrade = DefaultDustGrade
	case "보통", "나쁨", "매우나쁨", "off":
	default:
		p.add("weather_reminders.dust_grade", "must be 보통, 나쁨, 매우나쁨 or off, not %q", r.DustGrade)
	}

	w := c.Weather
	if w == nil {
		if c.Air != nil {
			p.add("air", "needs a weather location (weather.location or weather.latitude/longitude)")
		}
		return
	}
	hasPoint := w.Latitude != nil || w.Longitude != nil
	switch {
	case w.Location != "" && hasPoint:
		p.add("weather.location", "set location or latitude/longitude, not both")
	case w.Location == "" && !hasPoint:
		if c.Air != nil {
			p.add("air", "needs a weather location (weather.location or weather.latitude/longitude)")
		}
	case hasPoint && (w.Latitude == nil || w.Longitude == nil):
		p.add("weather.latitude", "latitude and longitude go together")
	case hasPoint:
		if *w.Latitude < -90 || *w.Latitude > 90 {
			p.add("weather.latitude", "must be from -90 to 90, not %v", *w.Latitude)
		}
		if *w.Longitude < -180 || *w.Longitude > 180 {
			p.add("weather.longitude", "must be from -180 to 180, not %v", *w.Longitude)
		}
	}
	if w.Location != "" && len([]rune(strings.TrimSpace(w.Location))) < 2 {
		p.add("weather.location", "must be a place name of at least 2 characters")
	}
	if w.Provider == "" {
		w.Provider = "open-meteo"
	}
	if w.Provider != "open-meteo" {
		p.add("weather.provider", "must be open-meteo, not %q", w.Provider)
	}
	if w.Model == "" {
		w.Model = "auto"
	}
	if strings.ContainsAny(w.Model, " ,&?=/") {
		p.add("weather.model", "must be auto or one Open-Meteo model name, not %q", w.Model)
	}
	if w.Endpoint == "" {
		w.Endpoint = DefaultWeatherEndpoint
	}
	checkURL(p, "weather.endpoint", w.Endpoint)
	if w.GeocodingEndpoint == "" {
		w.GeocodingEndpoint = DefaultGeocodingEndpoint
	}
	checkURL(p, "weather.geocoding_endpoint", w.GeocodingEndpoint)
	positive(p, "weather.refresh_minutes", &w.RefreshMinutes, 30, 10, 1440)
	switch w.Units {
	case "":
		w.Units = "metric"
	case "metric", "imperial":
	default:
		p.add("weather.units", "must be metric or imperial, not %q", w.Units)
	}

	if c.Air == nil {
		c.Air = &Air{}
	}
	c.validateAir(p, c.Air, getenv)
	if w.Location != "" || hasPoint {
		c.reserveWeatherNames(p)
	}
}

// reserveWeatherNames keeps "weather" and "air", the weather's source
// names, from calendars and notices: source names share the store.
func (c *Config) reserveWeatherNames(p *problems) {
	for i, cal := range c.Calendars {
		if cal.Name == "weather" || cal.Name == "air" {
			p.add(fmt.Sprintf("calendars[%d].name", i), "the name %q is taken by the weather", cal.Name)
		}
	}
	for i, n := range c.Notices {
		if n.Name == "weather" || n.Name == "air" {
			p.add(fmt.Sprintf("notices[%d].name", i), "the name %q is taken by the weather", n.Name)
		}
	}
}

func (c *Config) validateAir(p *problems, a *Air, getenv Env) {
	if a.Provider == "" {
		a.Provider = "open-meteo"
	}
	positive(p, "air.refresh_minutes", &a.RefreshMinutes, 60, 15, 1440)
	switch a.Provider {
	case "open-meteo":
		if a.Endpoint == "" {
			a.Endpoint = DefaultAirEndpoint
		}
		if a.Station != "" || a.ServiceKeyEnv != "" || a.ServiceKeyFile != "" {
			p.add("air.provider", "station and service_key_* are for airkorea; open-meteo needs neither")
		}
	case "airkorea":
		if a.Endpoint == "" {
			a.Endpoint = DefaultAirKoreaEndpoint
		}
		if strings.TrimSpace(a.Station) == "" {
			p.add("air.station", "is required for airkorea (the measuring station, such as 마포구)")
		}
		switch {
		case a.ServiceKeyEnv != "" && a.ServiceKeyFile != "":
			p.add("air.service_key_env", "set service_key_env or service_key_file, not both")
		case a.ServiceKeyEnv != "":
			if v := getenv(a.ServiceKeyEnv); v != "" {
				a.ServiceKey = Secret(strings.TrimSpace(v))
			} else {
				p.add("air.service_key_env", "environment variable %s is empty or unset", a.ServiceKeyEnv)
			}
		case a.ServiceKeyFile != "":
			v, err := c.readSecretFile(a.ServiceKeyFile, getenv)
			if err != nil {
				p.add("air.service_key_file", "%v", err)
			}
			a.ServiceKey = Secret(strings.TrimSpace(string(v)))
		default:
			p.add("air.service_key_env", "airkorea needs a data.go.kr service key: set service_key_env or service_key_file")
		}
	default:
		p.add("air.provider", "must be open-meteo or airkorea, not %q", a.Provider)
		return
	}
	checkURL(p, "air.endpoint", a.Endpoint)
}

// DustGradeIndex is the position of a grade in DustGrades; -1 for off or
// unknown.
func DustGradeIndex(g string) int {
	for i, v := range DustGrades {
		if v == g {
			return i
		}
	}
	return -1
}
