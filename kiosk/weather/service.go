package weather

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/config"
	"kiosk/kiosk/source"
)

// Source names and kinds on the status page and in /api/dashboard.
const (
	ForecastName = "weather"
	ForecastKind = "weather"
	AirName      = "air"
	AirKind      = "air"
)

// Options configure a Service.
type Options struct {
	Weather    config.Weather
	Air        config.Air
	Store      *cache.Store
	Runner     *source.Runner
	HTTPClient *http.Client   // nil: a client with a 30 s timeout
	Loc        *time.Location // the kiosk's zone: forecast times and dates
	Locale     string         // ko or en: the geocoder's language
	Days       int            // forecast days (dashboard.days_ahead), at most MaxDays
	Log        *slog.Logger
	UserAgent  string
	// OnChange, if set, is called after a refresh stored something and
	// the snapshot holds it (the reminder job runs then, so a morning
	// reminder due during the first fetch is not lost).
	OnChange func()
}

// Service refreshes the forecast and the air into the store and keeps
// the last good of both in memory for the pages and the reminders.
type Service struct {
	opts Options
	get  getter
	snap atomic.Pointer[Snapshot]
}

// Snapshot is the last good data of both sources. A nil pointer is a
// source that has never succeeded.
type Snapshot struct {
	Forecast *Forecast
	Air      *Air
	// Updated is when each was last fetched; Stale is set while its
	// last fetch failed.
	ForecastUpdated, AirUpdated time.Time
	ForecastStale, AirStale     bool
}

// New returns the service, with what the store kept from earlier runs.
func New(opts Options) *Service {
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.Loc == nil {
		opts.Loc = time.UTC
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "kiosk"
	}
	s := &Service{opts: opts, get: getter{client: opts.HTTPClient, now: opts.Store.Now, userAgent: opts.UserAgent}}
	s.rebuild()
	return s
}

// Names lists the sources' names and kinds, for source.Statuses.
func (s *Service) Names() (names, kinds []string) {
	return []string{ForecastName, AirName}, []string{ForecastKind, AirKind}
}

// Snapshot returns the current data; callers must not modify it.
func (s *Service) Snapshot() *Snapshot { return s.snap.Load() }

// Units is the configured unit system.
func (s *Service) Units() string { return s.opts.Weather.Units }

// Refresh fetches the forecast, then the air, each only when older than
// its refresh period and not backing off. A failing one keeps its last
// good data and does not stop the other. It returns the failures joined.
func (s *Service) Refresh(ctx context.Context) error {
	before := s.opts.Runner.Stored()
	_, ferr := source.Run(ctx, s.opts.Runner, ForecastName, ForecastKind,
		minutes(s.opts.Weather.RefreshMinutes, 30), s.fetchForecast)
	_, aerr := source.Run(ctx, s.opts.Runner, AirName, AirKind,
		minutes(s.opts.Air.RefreshMinutes, 60), s.fetchAir)
	if s.opts.Runner.Stored() != before {
		s.rebuild()
		if s.opts.OnChange != nil {
			s.opts.OnChange()
		}
	}
	return errors.Join(ferr, aerr)
}

// Reset makes both sources fetch at the next Refresh (admin refresh).
func (s *Service) Reset() error {
	return errors.Join(source.Reset(s.opts.Store, ForecastName), source.Reset(s.opts.Store, AirName))
}

func minutes(n, def int) time.Duration {
	if n <= 0 {
		n = def
	}
	return time.Duration(n) * time.Minute
}

func (s *Service) rebuild() {
	snap := &Snapshot{}
	sts := source.Statuses(s.opts.Store, []string{ForecastName, AirName}, []string{ForecastKind, AirKind})
	if e, err := cache.Peek[Forecast](s.opts.Store, source.DataKey(ForecastName)); err != nil {
		s.opts.Log.Warn("weather: reading the stored forecast", "error", err)
	} else if !e.FetchedAt.IsZero() {
		snap.Forecast, snap.ForecastUpdated = &e.Value, e.FetchedAt
		snap.ForecastStale = !sts[0].OK && sts[0].Error != ""
	}
	if e, err := cache.Peek[Air](s.opts.Store, source.DataKey(AirName)); err != nil {
		s.opts.Log.Warn("weather: reading the stored air", "error", err)
	} else if !e.FetchedAt.IsZero() {
		snap.Air, snap.AirUpdated = &e.Value, e.FetchedAt
		snap.AirStale = !sts[1].OK && sts[1].Error != ""
	}
	s.snap.Store(snap)
}

func (s *Service) fetchForecast(ctx context.Context) (Forecast, error) {
	w := s.opts.Weather
	p, err := s.place(ctx)
	if err != nil {
		return Forecast{}, err
	}
	u, err := endpoint(w.Endpoint, "/v1/forecast")
	if err != nil {
		return Forecast{}, fmt.Errorf("weather: %w", err)
	}
	u.RawQuery = forecastQuery(p, Model(w.Model, p), w.Units, s.opts.Days, s.opts.Loc).Encode()
	body, err := s.get.get(ctx, "weather", u)
	if err != nil {
		return Forecast{}, err
	}
	f, err := parseForecast(body, s.opts.Loc)
	if err != nil {
		return Forecast{}, source.ContentError(fmt.Errorf("weather: %w", err))
	}
	f.Place, f.Units = p, w.Units
	return f, nil
}

func (s *Service) fetchAir(ctx context.Context) (Air, error) {
	a := s.opts.Air
	if a.Provider == "airkorea" {
		u, err := endpoint(a.Endpoint, AirKoreaPath)
		if err != nil {
			return Air{}, fmt.Errorf("air: %w", err)
		}
		u.RawQuery = airKoreaQuery(a.ServiceKey.Reveal(), a.Station)
		body, err := s.get.get(ctx, "air", u)
		if err != nil {
			return Air{}, err
		}
		air, err := parseAirKorea(body, a.Station)
		if err != nil {
			return Air{}, source.ContentError(fmt.Errorf("air: %w", err))
		}
		return air, nil
	}
	p, err := s.place(ctx)
	if err != nil {
		return Air{}, fmt.Errorf("air: %w", err)
	}
	u, err := endpoint(a.Endpoint, "/v1/air-quality")
	if err != nil {
		return Air{}, fmt.Errorf("air: %w", err)
	}
	u.RawQuery = airQuery(p, s.opts.Loc).Encode()
	body, err := s.get.get(ctx, "air", u)
	if err != nil {
		return Air{}, err
	}
	air, err := parseAir(body, s.opts.Loc)
	if err != nil {
		return Air{}, source.ContentError(fmt.Errorf("air: %w", err))
	}
	return air, nil
}

// geoKey stores a geocoded place for good: a place does not move.
func geoKey(endpoint, name string) string { return "weather:geo:" + endpoint + "\x00" + name }

// place is the configured point, or the location geocoded once and kept.
func (s *Service) place(ctx context.Context) (Place, error) {
	w := s.opts.Weather
	if w.Latitude != nil && w.Longitude != nil {
		return Place{Latitude: *w.Latitude, Longitude: *w.Longitude}, nil
	}
	name := strings.Join(strings.Fields(w.Location), " ")
	key := geoKey(w.GeocodingEndpoint, name)
	if p, err := cache.Get[Place](s.opts.Store, key); err == nil {
		return p, nil
	}
	p, err := s.geocode(ctx, name)
	if err != nil {
		return Place{}, err
	}
	if err := cache.Set(s.opts.Store, key, p, 0); err != nil {
		s.opts.Log.Warn("weather: keeping the geocoded place", "error", err)
	}
	s.opts.Log.Info("weather: location found", "location", name, "name", p.Name,
		"latitude", p.Latitude, "longitude", p.Longitude)
	return p, nil
}

// geocode looks a name up; for "서울 마포구" it looks up the whole name,
// then the last word among whose matches the other words pick one.
func (s *Service) geocode(ctx context.Context, name string) (Place, error) {
	u, err := endpoint(s.opts.Weather.GeocodingEndpoint, "/v1/search")
	if err != nil {
		return Place{}, fmt.Errorf("geocoding: %w", err)
	}
	lang := "ko"
	if s.opts.Locale == "en" {
		lang = "en"
	}
	words := strings.Fields(name)
	tries := [][2][]string{{{name}, nil}}
	if len(words) > 1 {
		tries = append(tries, [2][]string{{words[len(words)-1]}, words[:len(words)-1]})
	}
	for _, try := range tries {
		u.RawQuery = geocodeQuery(try[0][0], lang).Encode()
		body, err := s.get.get(ctx, "geocoding", u)
		if err != nil {
			return Place{}, err
		}
		results, err := parsePlaces(body)
		if err != nil {
			return Place{}, fmt.Errorf("geocoding: %w", err)
		}
		if r, ok := pick(results, try[1]); ok {
			return Place{Name: r.Name, Latitude: r.Latitude, Longitude: r.Longitude, Country: r.CountryCode}, nil
		}
	}
	return Place{}, fmt.Errorf("geocoding: no place named %q (try another spelling, or weather.latitude and weather.longitude)", name)
}

// endpoint joins a configured base URL and a path.
func endpoint(base, path string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(base), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("endpoint must be an http or https URL with a host")
	}
	u.Path += path
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}
