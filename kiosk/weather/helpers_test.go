package weather

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
	_ "time/tzdata"

	"kiosk/cache"
	"kiosk/kiosk/clock"
	"kiosk/kiosk/config"
	"kiosk/kiosk/source"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// upstream fakes the three Open-Meteo APIs and AirKorea on one server.
// Each path answers with a testdata file unless the test sets a handler.
type upstream struct {
	*httptest.Server
	mu       sync.Mutex
	handlers map[string]http.HandlerFunc
	queries  map[string][]url.Values
	rawQuery map[string][]string
}

// The paths the fake serves.
const (
	pathForecast = "/v1/forecast"
	pathGeocode  = "/v1/search"
	pathAir      = "/v1/air-quality"
	pathAirKorea = AirKoreaPath
)

func newUpstream(t *testing.T) *upstream {
	t.Helper()
	u := &upstream{handlers: map[string]http.HandlerFunc{}, queries: map[string][]url.Values{}, rawQuery: map[string][]string{}}
	u.handlers[pathForecast] = serveFile(t, "forecast.json", "application/json; charset=utf-8")
	u.handlers[pathGeocode] = func(w http.ResponseWriter, r *http.Request) {
		file := "geocoding.json"
		if r.URL.Query().Get("name") != "마포구" {
			file = "geocoding-none.json" // as the real API: no "results" key
		}
		serveFile(t, file, "application/json; charset=utf-8")(w, r)
	}
	u.handlers[pathAir] = serveFile(t, "air-quality.json", "application/json; charset=utf-8")
	u.handlers[pathAirKorea] = serveFile(t, "airkorea.json", "application/json;charset=UTF-8")
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.queries[r.URL.Path] = append(u.queries[r.URL.Path], r.URL.Query())
		u.rawQuery[r.URL.Path] = append(u.rawQuery[r.URL.Path], r.URL.RawQuery)
		h := u.handlers[r.URL.Path]
		u.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) set(path string, h http.HandlerFunc) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.handlers[path] = h
}

func (u *upstream) count(path string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.queries[path])
}

func (u *upstream) last(path string) url.Values {
	u.mu.Lock()
	defer u.mu.Unlock()
	q := u.queries[path]
	if len(q) == 0 {
		return nil
	}
	return q[len(q)-1]
}

func serveFile(t *testing.T, name, contentType string) http.HandlerFunc {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write(b)
	}
}

func status(code int, body, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(code)
		w.Write([]byte(body))
	}
}

// env is a Service over a store, as main builds it; restart builds a new
// one over the same store.
type env struct {
	t     *testing.T
	clock *clock.Fake
	store *cache.Store
	dir   string
	logs  *bytes.Buffer
	opts  Options
	svc   *Service
	scrub *source.Scrubber

	closeStore func() error
}

func newEnv(t *testing.T, up *upstream, start time.Time, w config.Weather, a config.Air) *env {
	t.Helper()
	e := &env{t: t, clock: clock.New(start), dir: t.TempDir(), logs: &bytes.Buffer{}, scrub: source.NewScrubber()}
	if w.Endpoint == "" {
		w.Endpoint = up.URL
	}
	if w.GeocodingEndpoint == "" {
		w.GeocodingEndpoint = up.URL
	}
	if w.Units == "" {
		w.Units = "metric"
	}
	if w.Model == "" {
		w.Model = "auto"
	}
	if a.Provider == "" {
		a.Provider = "open-meteo"
	}
	if a.Endpoint == "" {
		a.Endpoint = up.URL
	}
	e.opts = Options{Weather: w, Air: a, Loc: start.Location(), Locale: "ko", Days: 7}
	e.open()
	return e
}

// open opens the store and builds the service, as a start of the process.
func (e *env) open() {
	e.t.Helper()
	store, err := cache.Open(e.dir, e.clock.Now, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.store = store
	var once sync.Once
	e.closeStore = func() error {
		var err error
		once.Do(func() { err = store.Close() })
		return err
	}
	e.t.Cleanup(func() { e.closeStore() })
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.opts.Store, e.opts.Log = store, log
	e.opts.Runner = source.NewRunner(store, log, e.scrub, nil)
	e.svc = New(e.opts)
}

// restart closes the store and opens it again with a new service.
func (e *env) restart() {
	e.t.Helper()
	if err := e.closeStore(); err != nil {
		e.t.Fatal(err)
	}
	e.open()
}

func (e *env) statuses() []source.Status {
	names, kinds := e.svc.Names()
	return source.Statuses(e.store, names, kinds)
}

func f64(v float64) *float64 { return &v }
func intp(v int) *int        { return &v }
